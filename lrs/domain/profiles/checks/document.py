"""What every profile check reads and reports: the indexed document and its problems."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

ERROR, WARNING = "error", "warning"


@dataclass(frozen=True)
class Problem:
    path: str  # JSONPath into the profile document, e.g. $.templates[2].rules[0].location
    message: str
    check: str
    severity: str = ERROR

    def __str__(self) -> str:
        return f"{self.severity}: {self.path}: {self.message} [{self.check}]"


@dataclass
class ProfileDoc:
    """The document with its parts indexed, shared by the checks."""

    raw: dict[str, Any]
    # Ids other loaded profiles provide: id -> "template" | "pattern" | concept type.
    external: Mapping[str, str]
    concepts: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)
    templates: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)
    patterns: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)

    @classmethod
    def index(cls, raw: dict[str, Any], external: Mapping[str, str]) -> ProfileDoc:
        doc = cls(raw, external)
        for key, found in (
            ("concepts", doc.concepts),
            ("templates", doc.templates),
            ("patterns", doc.patterns),
        ):
            for path, item in doc.items(key):
                if isinstance(item.get("id"), str):
                    found.setdefault(item["id"], (path, item))
        return doc

    def items(self, key: str) -> Iterator[tuple[str, dict[str, Any]]]:
        values = self.raw.get(key)
        if isinstance(values, list):
            for i, value in enumerate(values):
                if isinstance(value, dict):
                    yield f"$.{key}[{i}]", value

    def other_type(self, iri: str, wanted: str | None) -> str | None:
        """The type of ``iri`` if it is a concept of this profile but not a ``wanted``."""
        concept = self.concepts.get(iri)
        if concept is None or concept[1].get("type") == wanted:
            return None
        return str(concept[1].get("type"))

    def at(self, path: str) -> dict[str, Any]:
        """The item at ``$.<key>[<i>]``, a path :meth:`items` gave."""
        key, index = path[2:].split("[")
        return self.raw[key][int(index.rstrip("]"))]


_SIMPLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def member(key: str) -> str:
    """The JSONPath step to ``key``: ``.name``, or ``["…"]`` for other keys."""
    return f".{key}" if _SIMPLE_NAME.match(key) else f"[{json.dumps(key, ensure_ascii=False)}]"


def strings(value: Any) -> list[str]:
    """The strings of a JSON array (nothing for anything else)."""
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []
