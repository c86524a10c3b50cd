"""The loaded profiles: every version of each, found by profile id or version id.

A profile document describes its newest version and lists all earlier
version ids. Several documents of one profile (``v1.0.jsonld``,
``v1.1.jsonld``) may be loaded; a statement that cites a version id in
``context.contextActivities.category`` is validated against the document of
that version, or, when that document is not loaded, against the newest loaded
document that lists the version.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from functools import partial
from pathlib import Path
from typing import Any

from lrs.domain.profiles.checks import Problem, blocking, check_profile
from lrs.domain.profiles.model import Pattern, Profile, ProfileError, Template, parse_profile
from lrs.domain.profiles.patterns import DFA, PatternError, compile_patterns

log = logging.getLogger(__name__)


class ProfileLoadError(ValueError):
    """A profile document that cannot be used; names the file and every error found."""

    def __init__(self, source: str, problems: list[Problem] | list[str]) -> None:
        lines = [str(p) for p in problems]
        super().__init__(f"{source}: profile not loaded:\n  " + "\n  ".join(lines))
        self.source = source
        self.problems = problems


class ProfileRegistry:
    def __init__(self) -> None:
        self._by_version: dict[str, Profile] = {}  # current version id -> document
        self._by_profile: dict[str, list[Profile]] = {}  # profile id -> documents, oldest first
        self._alias: dict[str, Profile] = {}  # any id a statement may cite -> document
        self._automata: dict[int, DFA | None] = {}
        self._problems: dict[str, list[Problem]] = {}
        self._sources: dict[str, str] = {}

    # ------------------------------------------------------------ loading

    @classmethod
    def from_dir(cls, directory: Path | str | None) -> ProfileRegistry:
        registry = cls()
        if directory is not None:
            registry.load_dir(directory)
        return registry

    def load_dir(self, directory: Path | str) -> list[Profile]:
        """Load every ``*.jsonld`` under ``directory`` (recursively, in name order)."""
        paths = sorted(Path(directory).rglob("*.jsonld"))
        documents = [(str(p), read_document(p)) for p in paths]
        return self.add_many(documents)

    def add(self, document: dict[str, Any], source: str = "<document>") -> Profile:
        return self.add_many([(source, document)])[0]

    def add_many(self, documents: Iterable[tuple[str, dict[str, Any]]]) -> list[Profile]:
        """Check, parse and index documents that may refer to each other's templates."""
        documents = list(documents)
        external = dict(self.known_ids())
        for _, doc in documents:
            external.update(template_and_pattern_ids(doc))
        loaded = []
        for source, doc in documents:
            own = template_and_pattern_ids(doc)
            others = {k: v for k, v in external.items() if k not in own}
            problems = check_profile(doc, others)
            errors = blocking(problems)
            if errors:
                raise ProfileLoadError(source, errors)
            try:
                profile = parse_profile(doc)
            except ProfileError as exc:
                raise ProfileLoadError(source, [str(exc)]) from exc
            if profile.version in self._by_version:
                raise ProfileLoadError(
                    source,
                    [
                        f"version {profile.version} is already loaded from "
                        f"{self._sources.get(profile.version)}"
                    ],
                )
            self._by_version[profile.version] = profile
            self._sources[profile.version] = source
            self._problems[profile.version] = problems
            docs = self._by_profile.setdefault(profile.id, [])
            docs.append(profile)
            docs.sort(key=_generated_at)
            loaded.append(profile)
            for problem in problems:
                log.log(
                    logging.WARNING if problem.severity == "error" else logging.INFO,
                    "profile %s: %s",
                    source,
                    problem,
                )
        self._link()
        return loaded

    def _link(self) -> None:
        """Resolve cross-profile pattern members and rebuild the id index and automata."""
        templates: dict[str, Template] = {}
        for profile in self._by_version.values():
            templates.update(profile.templates)
        patterns: dict[str, Pattern] = {}
        for profile in self._by_version.values():
            patterns.update(profile.patterns)
        for profile in self._by_version.values():
            primary = [p.id for p in profile.primary_patterns]
            try:
                dfa = (
                    compile_patterns(
                        primary,
                        partial(_find_pattern, profile.patterns, patterns),
                        partial(_is_template, profile.templates, templates),
                    )
                    if primary
                    else None
                )
            except PatternError as exc:
                raise ProfileLoadError(self._sources[profile.version], [str(exc)]) from exc
            self._automata[id(profile)] = dfa
            # Templates of other profiles that its patterns use are validated as if
            # they were present in this profile (Structure 9.0).
            imported = [
                templates[t]
                for t in sorted(dfa.alphabet if dfa else ())
                if t not in profile.templates
            ]
            if imported:
                by_verb = {verb: list(items) for verb, items in profile.by_verb.items()}
                for template in imported:
                    if template not in by_verb.get(template.verb, []):
                        by_verb.setdefault(template.verb, []).append(template)
                profile.by_verb = {verb: tuple(items) for verb, items in by_verb.items()}
        alias: dict[str, Profile] = {}
        for docs in self._by_profile.values():
            newest = docs[-1]
            alias[newest.id] = newest
            for profile in docs:  # oldest first, so newer documents win for listed versions
                for version in profile.versions:
                    if version not in self._by_version:
                        alias[version] = profile
        alias.update(self._by_version)
        self._alias = alias

    # ------------------------------------------------------------ lookups

    def __bool__(self) -> bool:
        return bool(self._by_version)

    def get(self, iri: str) -> Profile | None:
        """The document for a profile id (its newest) or a version id."""
        return self._alias.get(iri)

    def profiles(self) -> list[Profile]:
        """The newest loaded document of each profile."""
        return [docs[-1] for docs in self._by_profile.values()]

    def documents(self, profile_id: str) -> list[Profile]:
        """Every loaded document (version) of a profile, oldest first."""
        return list(self._by_profile.get(profile_id, []))

    def version_ids(self, profile_id: str) -> list[str]:
        """Every version id known for a profile, newest document's order first."""
        seen: dict[str, None] = {}
        for profile in reversed(self._by_profile.get(profile_id, [])):
            for version in profile.versions:
                seen.setdefault(version, None)
        return list(seen)

    def cited_ids(self, profile_id: str) -> set[str]:
        """The ids a statement may put in category to declare this profile."""
        return {profile_id, *self.version_ids(profile_id)}

    def automaton(self, profile: Profile) -> DFA | None:
        """The primary patterns of one loaded document, compiled into one DFA (None: none)."""
        return self._automata.get(id(profile))

    def problems(self, profile: Profile) -> list[Problem]:
        """What ``check_profile`` found in a loaded document (nothing blocking)."""
        return list(self._problems.get(profile.version, []))

    def known_ids(self) -> dict[str, str]:
        """Template and pattern ids of every loaded document (for cross-profile references)."""
        known: dict[str, str] = {}
        for profile in self._by_version.values():
            known.update(dict.fromkeys(profile.templates, "template"))
            known.update(dict.fromkeys(profile.patterns, "pattern"))
        return known

    def declared(self, statement: dict[str, Any]) -> list[Profile]:
        """The profiles a statement declares through category context activities."""
        context = statement.get("context")
        if not isinstance(context, dict):
            return []
        activities = context.get("contextActivities")
        category = activities.get("category") if isinstance(activities, dict) else None
        if isinstance(category, dict):
            category = [category]
        if not isinstance(category, list):
            return []
        found: list[Profile] = []
        for activity in category:
            if isinstance(activity, dict):
                profile = self._alias.get(activity.get("id"))  # type: ignore[arg-type]
                if profile is not None and all(p.id != profile.id for p in found):
                    found.append(profile)
        return found


def read_document(path: Path | str) -> dict[str, Any]:
    try:
        with open(path, encoding="utf-8") as fh:
            document = json.load(fh)
    except (OSError, ValueError) as exc:
        raise ProfileLoadError(str(path), [f"cannot read JSON: {exc}"]) from exc
    if not isinstance(document, dict):
        raise ProfileLoadError(str(path), ["a profile document is a JSON object"])
    return document


def template_and_pattern_ids(document: dict[str, Any]) -> dict[str, str]:
    ids = {}
    for key, kind in (("templates", "template"), ("patterns", "pattern")):
        for item in document.get(key, []) if isinstance(document.get(key), list) else []:
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                ids[item["id"]] = kind
    return ids


def _generated_at(profile: Profile) -> str:
    for version in profile.document.get("versions", []):
        if version.get("id") == profile.version:
            return str(version.get("generatedAtTime", ""))
    return ""


def _find_pattern(
    own: dict[str, Pattern], every: dict[str, Pattern], pattern_id: str
) -> Pattern | None:
    """A pattern of the profile itself first, else of any loaded profile."""
    return own.get(pattern_id) or every.get(pattern_id)


def _is_template(own: dict[str, Template], every: dict[str, Template], template_id: str) -> bool:
    return template_id in own or template_id in every
