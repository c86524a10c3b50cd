"""The policy book: which annual credit policy an org uses on a day, read from data.

``profiles/credit-policies/*.json`` (each checked against the directory's
``schema.json``) become :class:`lrs.domain.archive.policy.CreditPolicy` objects;
``LRS_CREDIT_POLICIES`` assigns them to org subtrees; :func:`resolve_period` picks
the policy and period a report is judged by.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import Any, Protocol

from lrs.domain.archive.periods import Period
from lrs.domain.archive.policy import DEFAULT_POLICY, CreditPolicy, PolicyError
from lrs.domain.data_dirs import find_data_dir
from lrs.domain.errors import ValidationError
from lrs.domain.schemaformats import format_checker


class PolicySettings(Protocol):
    """The settings the policy book is loaded from (``lrs.config.Settings`` has them)."""

    @property
    def credit_policies_dir(self) -> str: ...

    @property
    def credit_policy_assignments(self) -> str: ...

    @property
    def default_credit_policy(self) -> str: ...


class PolicyBook:
    """All policies of a directory, which org-path prefixes use which, and the default."""

    def __init__(
        self,
        policies: Iterable[CreditPolicy],
        assignments: str | Mapping[str, str | Iterable[str]] = "",
        default: str = DEFAULT_POLICY,
    ) -> None:
        self._policies: dict[str, CreditPolicy] = {}
        for policy in policies:
            for key in (policy.slug, policy.id):
                if key in self._policies:
                    raise PolicyError(f"two credit policies named {key!r}")
                self._policies[key] = policy
        if not self._policies:
            raise PolicyError("no credit policies")
        self.default = self.get(default)
        self._assignments = self._assign(assignments)

    @classmethod
    def load(
        cls,
        directory: Path,
        assignments: str | Mapping[str, str | Iterable[str]] = "",
        default: str = DEFAULT_POLICY,
    ) -> PolicyBook:
        """Every ``*.json`` of ``directory`` but ``schema.json``, each validated against
        ``schema.json`` (Draft 2020-12) and the cross-field rules. The slug is the file stem."""
        return cls(read_policies(Path(directory)), assignments, default)

    def get(self, slug_or_id: str) -> CreditPolicy:
        try:
            return self._policies[slug_or_id]
        except KeyError:
            known = ", ".join(p.slug for p in self.all())
            raise PolicyError(f"unknown credit policy {slug_or_id!r} (known: {known})") from None

    def all(self) -> list[CreditPolicy]:
        unique = {p.slug: p for p in self._policies.values()}
        return [unique[slug] for slug in sorted(unique)]

    def assignments(self) -> list[tuple[str, CreditPolicy]]:
        """(org-path prefix, policy) pairs, as configured."""
        return [("/".join(prefix), policy) for prefix, policy in self._assignments]

    def for_org(self, org_path: str, day: date) -> CreditPolicy:
        """The policy of the longest org-path prefix (whole segments: "fj" covers "fj/fz"
        but not "fjx") whose policy applies on ``day``; otherwise the default."""
        segments = tuple(org_path.strip("/").split("/")) if org_path.strip("/") else ()
        matching = [
            (prefix, policy)
            for prefix, policy in self._assignments
            if segments[: len(prefix)] == prefix
        ]
        for _, policy in sorted(matching, key=lambda pair: -len(pair[0])):
            if policy.applies_on(day):
                return policy
        return self.default

    def _assign(
        self, raw: str | Mapping[str, str | Iterable[str]]
    ) -> list[tuple[tuple[str, ...], CreditPolicy]]:
        """``"fj=fujian-2017,hn=hunan-2010"`` or a mapping. A prefix may name several
        policies in turn (``hn=hunan-2010,hn=hunan-2012``) if their validity dates do not
        overlap, so a province can change policy from one year to the next."""
        pairs: list[tuple[str, str]] = []
        if isinstance(raw, str):
            for entry in (e.strip() for e in raw.split(",")):
                if not entry:
                    continue
                prefix, sep, ref = entry.partition("=")
                if not sep:
                    raise PolicyError(f"credit policy assignment {entry!r} is not PREFIX=POLICY")
                pairs.append((prefix.strip(), ref.strip()))
        else:
            for prefix, refs in raw.items():
                for ref in [refs] if isinstance(refs, str) else refs:
                    pairs.append((prefix, ref))
        assigned: list[tuple[tuple[str, ...], CreditPolicy]] = []
        for prefix, ref in pairs:
            segments = tuple(prefix.strip("/").split("/"))
            if not all(segments):
                raise PolicyError(f"credit policy assignment: {prefix!r} is not an org path")
            policy = self.get(ref)
            for other_prefix, other in assigned:
                if other_prefix == segments and _overlap(policy, other):
                    raise PolicyError(
                        f"org path {prefix!r} has credit policies {other.slug} and "
                        f"{policy.slug} with overlapping validity dates"
                    )
            assigned.append((segments, policy))
        return assigned


def _overlap(a: CreditPolicy, b: CreditPolicy) -> bool:
    return (a.valid_until is None or b.valid_from <= a.valid_until) and (
        b.valid_until is None or a.valid_from <= b.valid_until
    )


# Policies read per directory content: validating them against schema.json is the costliest
# step of building an app, and tests build hundreds of apps from the same three files.
# CreditPolicy is immutable, so one instance may serve every app of the process.
_read_cache: dict[tuple[object, ...], tuple[CreditPolicy, ...]] = {}


_READ_CACHE_SIZE = 8


def read_policies(directory: Path) -> tuple[CreditPolicy, ...]:
    """The policies of ``directory``, checked against its schema.json; raises PolicyError."""
    files = sorted(directory.glob("*.json"))
    try:
        key = (str(directory.resolve()), *((f.name, f.stat().st_mtime_ns, f.stat().st_size)
                                           for f in files))
    except OSError:  # a file vanished meanwhile: read without the cache, which reports it
        key = ()
    cached = _read_cache.get(key) if key else None
    if cached is None:
        cached = _validate_policies(directory, files)
        if key:
            if len(_read_cache) >= _READ_CACHE_SIZE:
                _read_cache.pop(next(iter(_read_cache)))
            _read_cache[key] = cached
    return cached


def _validate_policies(directory: Path, files: list[Path]) -> tuple[CreditPolicy, ...]:
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import SchemaError, best_match

    schema_file = directory / "schema.json"
    if not schema_file.is_file():
        raise PolicyError("no schema.json beside the credit policies", file=str(directory))
    schema = _read_json(schema_file)
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        raise PolicyError(exc.message, file=str(schema_file), path=exc.json_path) from None
    validator = Draft202012Validator(schema, format_checker=format_checker())
    policies = []
    for file in files:
        if file.name == schema_file.name:
            continue
        document = _read_json(file)
        error = best_match(validator.iter_errors(document))
        if error is not None:
            raise PolicyError(error.message, file=str(file), path=error.json_path)
        try:
            policies.append(CreditPolicy(document, file.stem))
        except PolicyError as exc:
            raise PolicyError(exc.detail, file=str(file), path=exc.path) from None
    if not policies:
        raise PolicyError("no credit policy files (*.json)", file=str(directory))
    return tuple(policies)


def _read_json(file: Path) -> Any:
    try:
        return json.loads(file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise PolicyError(f"cannot read: {exc.strerror}", file=str(file)) from None
    except UnicodeDecodeError:
        raise PolicyError("not UTF-8 text", file=str(file)) from None
    except json.JSONDecodeError as exc:
        raise PolicyError(
            f"not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}", file=str(file)
        ) from None


def resolve_policies_dir(setting: str) -> Path:
    """Where the policies are, as for LRS_PROFILES_DIR: ``setting`` relative to the working
    directory, else the source tree (a checkout), else the installed data
    (``<prefix>/share/lrs/profiles/credit-policies``)."""
    if not setting:
        raise PolicyError("LRS_CREDIT_POLICIES_DIR is empty: the LRS needs its credit policies")
    path = find_data_dir(setting)
    if path is None:
        raise PolicyError(f"credit policy directory {setting!r} not found")
    return path


def load_policy_book(settings: PolicySettings) -> PolicyBook:
    """The policies the settings name (LRS_CREDIT_POLICIES_DIR, LRS_CREDIT_POLICIES,
    LRS_DEFAULT_CREDIT_POLICY); raises PolicyError, so a server does not start without them."""
    return PolicyBook.load(
        resolve_policies_dir(settings.credit_policies_dir),
        settings.credit_policy_assignments,
        settings.default_credit_policy,
    )


def resolve_period(
    book: PolicyBook, org: str, key: str | None, today: date
) -> tuple[CreditPolicy, Period]:
    """The policy and period for ``org``: ``key`` (e.g. "2024") or the current period."""
    policy = book.for_org(org, today)
    if key is None:
        return policy, policy.current_period(today)
    candidates = [policy, *(p for p in book.all() if p is not policy)]
    for candidate in candidates:
        try:
            period = candidate.period_for(key)
        except ValueError:
            continue
        # The policy the org had when the period ended (or today, for the current one).
        at_end = book.for_org(org, min(period.end, today))
        try:
            return at_end, at_end.period_for(key)
        except ValueError:
            return candidate, period
    raise ValidationError(
        f"unknown period {key!r}: a calendar year such as 2024, or a policy's fixed range "
        "such as 2010-11-01..2011-10-31",
        "period",
    )
