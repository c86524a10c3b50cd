"""xAPI Profiles: checking profile documents and validating statements against them in-line.

Modules, bottom up:

``jsonpath``    rule locations/selectors: the spec's JSONPath dialect, compiled once
``model``       a profile document parsed for validation
``schema.json`` the structure of a profile document; ``checks`` the rest of the spec's MUSTs
``templates``   Statement Template validation (``spec`` and ``any-template`` modes)
``patterns``    primary patterns as minimal DFAs over template ids
``registry``    the loaded profiles, every version
``validation``  a batch of statements: templates, then per-registration pattern state
``policy``      per-credential ``enforce`` / ``flag`` / ``off``
``ingest``      the ingest hook
"""

from __future__ import annotations

import logging
from pathlib import Path

from lrs.domain.data_dirs import find_data_dir
from lrs.domain.profiles.registry import ProfileLoadError, ProfileRegistry

__all__ = ["ProfileLoadError", "ProfileRegistry", "load_registry", "resolve_profiles_dir"]

log = logging.getLogger(__name__)

# Registries per directory content. A few are kept, not one: a process (a test session) that
# alternates between two directories would otherwise re-check every profile at each switch.
_cache: dict[tuple, ProfileRegistry] = {}
_CACHE_SIZE = 8


def resolve_profiles_dir(setting: str, *, warn: bool = True) -> Path | None:
    """Where the profiles are: ``setting`` relative to the working directory, else the
    source tree's ``profiles/`` (development), else the installed data
    (``<prefix>/share/lrs/profiles``). An empty setting loads none."""
    if not setting:
        return None
    path = find_data_dir(setting)
    if path is not None:
        return path
    if warn:
        log.warning("profiles directory %s not found; no xAPI Profiles loaded", setting)
    return None


def load_registry(setting: str) -> ProfileRegistry:
    """The profiles under the directory ``setting`` names, loaded once per content.

    Raises :class:`ProfileLoadError` when a document has errors: a server
    should not start with a profile it cannot enforce.
    """
    directory = resolve_profiles_dir(setting)
    if directory is None:
        return ProfileRegistry()
    files = sorted(directory.rglob("*.jsonld"))
    key = (
        str(directory.resolve()),
        *((str(f), f.stat().st_mtime_ns, f.stat().st_size) for f in files),
    )
    registry = _cache.get(key)
    if registry is None:
        registry = ProfileRegistry.from_dir(directory)
        if len(_cache) >= _CACHE_SIZE:
            _cache.pop(next(iter(_cache)))
        _cache[key] = registry
    return registry
