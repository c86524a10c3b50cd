"""Storage port: xAPI Profile pattern state and the violations validation records.

See :mod:`lrs.storage.port` for the rules every adapter follows.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime

__all__ = ["PatternState", "PatternStateRepository", "Violation", "ViolationRepository"]


@dataclass(frozen=True)
class PatternState:
    """Where one registration stands in one profile pattern's automaton.

    Kept so each arriving statement is checked against the pattern without
    re-reading the registration's history.
    """

    pattern_id: str
    registration: str
    subregistration: str = ""
    # The automaton states the statements so far can have reached.
    states: tuple[str, ...] = ()
    failed: bool = False
    updated: datetime | None = None


@dataclass(frozen=True)
class Violation:
    """A statement that broke a profile rule, recorded in ``flag`` mode (and for reports)."""

    statement_id: str
    profile_id: str
    # The template or pattern id, and the rule within it, e.g. "rules[2]".
    subject_id: str
    rule: str
    message: str
    location: str = ""
    registration: str | None = None
    org: str = ""
    created: datetime | None = None


class PatternStateRepository(ABC):
    @abstractmethod
    def get(
        self, pattern_id: str, registration: str, subregistration: str = ""
    ) -> PatternState | None: ...

    @abstractmethod
    def save(self, state: PatternState) -> None:
        """Insert or replace the state for (pattern, registration, subregistration)."""


class ViolationRepository(ABC):
    @abstractmethod
    def add(self, violations: list[Violation]) -> None: ...

    @abstractmethod
    def for_statement(self, statement_id: str, org_scope: str | None = None) -> list[Violation]: ...

    @abstractmethod
    def for_registration(
        self, registration: str, org_scope: str | None = None, limit: int = 1000
    ) -> list[Violation]: ...

    def recent(self, org_scope: str | None = None, limit: int = 100) -> list[Violation]:
        """The newest violations recorded for statements of ``org_scope`` (None: all),
        newest first."""
        raise NotImplementedError
