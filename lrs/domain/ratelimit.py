"""Rate limits on what an attacker repeats: failed authentications and identifier lookups.

An outside probe reversed a masked identifier (``350102********1234``) with
10,970 lookups in 37 s, and sent 300 wrong secrets in half a second. Limits
here are counted per window in the store (lrs.storage.port.rate_counters), so
every gunicorn worker and thread sees the same counts. Only failures and
identifier lookups are counted; ordinary authenticated traffic never is.

A limit is ``COUNT/SECONDS``; several, comma-separated, all apply (a burst and
a daily cap: ``30/60,500/86400``). ``off`` (or empty) disables one.
"""

from __future__ import annotations

import math
import os
import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from lrs.storage.port.rate_counters import RateCounters


@dataclass(frozen=True)
class Limit:
    count: int
    seconds: int


def parse_limits(raw: str, name: str) -> tuple[Limit, ...]:
    """``"30/60,500/86400"`` → limits; ``"off"`` or ``""`` → none."""
    text = raw.strip().lower()
    if text in ("", "off", "0"):
        return ()
    limits = []
    for part in text.split(","):
        count, sep, seconds = part.strip().partition("/")
        if not (sep and count.isdigit() and seconds.isdigit()) or int(seconds) < 1:
            raise ValueError(f"{name} must be COUNT/SECONDS[,COUNT/SECONDS…] or off, got {raw!r}")
        limits.append(Limit(int(count), int(seconds)))
    return tuple(limits)


# What is counted: (environment variable, default). Documented in README.md.
AUTH_PER_IP = ("LRS_LIMIT_AUTH_FAILURES_PER_IP", "20/300")
AUTH_PER_KEY = ("LRS_LIMIT_AUTH_FAILURES_PER_KEY", "50/300")
LOOKUPS_PER_CREDENTIAL = ("LRS_LIMIT_LOOKUPS", "30/60,500/86400")
LOOKUPS_PER_IP = ("LRS_LIMIT_LOOKUPS_PER_IP", "60/60,2000/86400")
# Upserts answer whether an identifier is registered too, but each unknown one
# leaves a trainee behind in the asker's unit: a larger budget, and a trail.
UPSERTS = ("LRS_LIMIT_UPSERTS", "300/60,5000/86400")
IMPORT_ROWS = ("LRS_LIMIT_IMPORT_ROWS", "50000/86400")
RULES = {
    "auth-ip": AUTH_PER_IP,
    "auth-key": AUTH_PER_KEY,
    "lookup": LOOKUPS_PER_CREDENTIAL,
    "lookup-ip": LOOKUPS_PER_IP,
    "upsert": UPSERTS,
    "import": IMPORT_ROWS,
}


def limits_from_env(environ: dict[str, str] | None = None) -> dict[str, tuple[Limit, ...]]:
    env = os.environ if environ is None else environ
    return {
        rule: parse_limits(env.get(var, default), var) for rule, (var, default) in RULES.items()
    }


class Limiter:
    """Counts events per (rule, subject) in fixed windows; says when a limit is passed."""

    def __init__(
        self,
        counters: RateCounters,
        limits: dict[str, tuple[Limit, ...]],
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.counters = counters
        self.limits = limits
        self.clock = clock

    def _windows(self, rule: str, subject: str, now: float) -> list[tuple[str, Limit, float]]:
        out: list[tuple[str, Limit, float]] = []
        for limit in self.limits.get(rule, ()):
            number = int(now // limit.seconds)
            ends = (number + 1) * limit.seconds
            out.append((f"{rule}|{subject}|{limit.seconds}|{number}", limit, ends))
        return out

    def blocked(self, checks: Iterable[tuple[str, str]]) -> int | None:
        """Seconds until every named limit lifts, when one is already used up; else None.

        One read, no write: this is what each authenticating request pays.
        """
        now = self.clock()
        windows = [w for rule, subject in checks for w in self._windows(rule, subject, now)]
        if not windows:
            return None
        found = self.counters.counts([name for name, _, _ in windows])
        waits = [ends - now for name, limit, ends in windows if found.get(name, 0) >= limit.count]
        return math.ceil(max(waits)) if waits else None

    def spend(self, checks: Iterable[tuple[str, str]], amount: int = 1) -> int | None:
        """Count ``amount`` events; seconds to wait when that passes a limit, else None."""
        now = self.clock()
        waits = []
        for rule, subject in checks:
            for name, limit, ends in self._windows(rule, subject, now):
                if self.counters.hit(name, amount, ends) > limit.count:
                    waits.append(ends - now)
        if random.random() < 0.01:  # now and then, drop windows that have ended
            self.counters.purge(now)
        return math.ceil(max(waits)) if waits else None
