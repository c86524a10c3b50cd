"""JSONPath as xAPI Profiles use it in rule ``location`` and ``selector``.

The Profiles spec (Structure 8.1) narrows Goessner's JSONPath: no filters or
scripts, no recursive descent; bracket members are quoted names, non-negative
indexes or ``*``, optionally unioned with commas; whole paths may be joined
with ``|``. Real profiles also leave out the leading ``$``.

``python-jsonpath`` parses the text (it understands all of the above); the
parsed path is then checked against the dialect and translated into a tuple
of steps that :meth:`CompiledPath.find` walks directly, which is several
times faster than the library's general evaluator on the hot ingest path.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import jsonpath
from jsonpath.segments import JSONPathChildSegment, JSONPathRecursiveDescentSegment
from jsonpath.selectors import IndexSelector, NameSelector, WildcardSelector

# A step is a tuple of selectors; each selector is (kind, argument).
NAME, INDEX, WILDCARD = 0, 1, 2
Selector = tuple[int, Any]
Step = tuple[Selector, ...]


class PathError(ValueError):
    """A location or selector that is not JSONPath, or uses what the Profiles spec forbids."""


@dataclass(frozen=True)
class CompiledPath:
    """One rule location or selector, parsed once and evaluated many times."""

    text: str
    # One tuple of steps per ``|`` alternative.
    alternatives: tuple[tuple[Step, ...], ...]
    # The same path when every alternative is a plain chain of names (the usual
    # case, e.g. ``$.result.duration``): walked without the general loop.
    simple: tuple[tuple[str, ...], ...] | None = None

    def find(self, data: Any) -> list[Any]:
        """Every value the path selects in ``data``, in document order per alternative."""
        simple = self.simple
        if simple is not None:
            found = []
            for names in simple:
                node = data
                for name in names:
                    if type(node) is not dict:
                        break
                    node = node.get(name, _MISSING)
                    if node is _MISSING:
                        break
                else:
                    found.append(node)
            return found
        if len(self.alternatives) == 1:
            return _walk(self.alternatives[0], data)
        found = []
        for steps in self.alternatives:
            found.extend(_walk(steps, data))
        return found


_MISSING = object()


def _walk(steps: tuple[Step, ...], data: Any) -> list[Any]:
    nodes = [data]
    for selectors in steps:
        selected: list[Any] = []
        if len(selectors) == 1 and selectors[0][0] == NAME:
            name = selectors[0][1]
            for node in nodes:
                if type(node) is dict and name in node:
                    selected.append(node[name])
        else:
            for node in nodes:
                for kind, arg in selectors:
                    if kind == NAME:
                        if isinstance(node, dict) and arg in node:
                            selected.append(node[arg])
                    elif kind == INDEX:
                        if isinstance(node, list) and arg < len(node):
                            selected.append(node[arg])
                    elif isinstance(node, dict):
                        selected.extend(node.values())
                    elif isinstance(node, list):
                        selected.extend(node)
        if not selected:
            return selected
        nodes = selected
    return nodes


def compile_path(text: str) -> CompiledPath:
    """Parse ``text`` and check it keeps to the Profiles dialect; raise :class:`PathError`."""
    if not isinstance(text, str) or not text.strip():
        raise PathError("a JSONPath must be a non-empty string")
    try:
        parsed = jsonpath.compile(text)
    except jsonpath.JSONPathError as exc:
        raise PathError(str(exc).splitlines()[0]) from exc
    parts: list[jsonpath.JSONPath]
    if isinstance(parsed, jsonpath.CompoundJSONPath):
        if not isinstance(parsed.path, jsonpath.JSONPath):
            raise PathError("nested unions are not part of the Profiles dialect")
        parts = [parsed.path]
        for operator, path in parsed.paths:
            if operator != "|":
                raise PathError(f"the {operator!r} operator is not part of the Profiles dialect")
            parts.append(path)
    else:
        parts = [parsed]
    alternatives = tuple(_steps(part) for part in parts)
    if any(not steps for steps in alternatives):
        raise PathError("a JSONPath must select something below the root ($)")
    simple = None
    if all(len(step) == 1 and step[0][0] == NAME for steps in alternatives for step in steps):
        simple = tuple(tuple(step[0][1] for step in steps) for steps in alternatives)
    return CompiledPath(text, alternatives, simple)


def _steps(path: jsonpath.JSONPath) -> tuple[Step, ...]:
    steps = []
    for segment in path.segments:
        if isinstance(segment, JSONPathRecursiveDescentSegment):
            raise PathError("recursive descent (..) is not allowed in profile JSONPaths")
        if type(segment) is not JSONPathChildSegment:
            raise PathError(f"unsupported JSONPath segment {segment}")
        steps.append(tuple(_selector(s) for s in segment.selectors))
    return tuple(steps)


def _selector(selector: Any) -> Selector:
    if type(selector) is NameSelector:
        return (NAME, selector.name)
    if type(selector) is IndexSelector:
        if selector.index < 0:
            raise PathError(f"negative index {selector.index} is not allowed (non-negative only)")
        return (INDEX, selector.index)
    if type(selector) is WildcardSelector:
        return (WILDCARD, None)
    kind = type(selector).__name__
    if kind == "Filter":
        raise PathError("filter expressions ([?…]) are not allowed in profile JSONPaths")
    if kind == "SliceSelector":
        raise PathError("array slices are not allowed in profile JSONPaths")
    raise PathError(f"selector {selector} is not part of the Profiles JSONPath dialect")
