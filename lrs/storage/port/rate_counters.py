"""Counters for rate limits, shared by every worker process (lrs.domain.ratelimit).

Each counter is named (``auth-ip|203.0.113.7|300|5942811``: what, who, window
length, window number) and lives until its window ends. Counting is one
atomic increment in the store, outside any unit of work: a refused request
rolls its own transaction back, but its failure must still count.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

from lrs.storage.port.unit_of_work import Store

__all__ = ["RateCounters", "rate_counters_for"]


class RateCounters(ABC):
    @abstractmethod
    def hit(self, name: str, amount: int, expires: float) -> int:
        """Add ``amount`` to counter ``name`` (created to expire at ``expires``, a Unix
        time) and return its new value."""

    @abstractmethod
    def counts(self, names: list[str]) -> dict[str, int]:
        """The current value of each named counter that exists."""

    @abstractmethod
    def purge(self, now: float) -> int:
        """Drop counters whose window ended before ``now``; how many."""


def rate_counters_for(store: Store) -> RateCounters:
    """The rate counters kept in ``store``'s database (``store.rate_counters()``)."""
    return store.rate_counters()
