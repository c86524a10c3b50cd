"""What ``lrs profile check`` and ``lrs profile validate`` do; they print the lines returned."""

from __future__ import annotations

import copy
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lrs.domain.profiles import load_registry
from lrs.domain.profiles.checks import ERROR, check_profile
from lrs.domain.profiles.model import Profile
from lrs.domain.profiles.registry import (
    ProfileLoadError,
    ProfileRegistry,
    read_document,
    template_and_pattern_ids,
)
from lrs.domain.profiles.templates import ANY_TEMPLATE, validate
from lrs.domain.profiles.validation import (
    COMPLETE,
    FAILED,
    MemoryPatternStates,
    check_statements,
    registration_status,
)
from lrs.domain.statements.records import CONTEXT_ACTIVITY_KINDS


@dataclass
class Output:
    lines: list[str] = field(default_factory=list)
    failed: bool = False

    def add(self, line: str) -> None:
        self.lines.append(line)


def check_files(paths: Sequence[str], others: Sequence[str] = ()) -> Output:
    """Check profile documents; ids in ``others`` (and in each other) count as loaded."""
    out = Output()
    documents = []
    for path in [*paths, *others]:
        try:
            documents.append((path, read_document(path)))
        except ProfileLoadError as exc:
            out.add(f"{path}: error: $: {exc.problems[0]}")
            out.failed = True
    known: dict[str, str] = {}
    for _, doc in documents:
        known.update(template_and_pattern_ids(doc))
    for path, doc in documents[: len(paths)]:
        own = template_and_pattern_ids(doc)
        problems = check_profile(doc, {k: v for k, v in known.items() if k not in own})
        errors = sum(p.severity == ERROR for p in problems)
        for problem in problems:
            out.add(f"{path}: {problem}")
        out.add(f"{path}: {errors} errors, {len(problems) - errors} warnings")
        out.failed = out.failed or errors > 0
    return out


def validate_file(
    profile_ref: str,
    statements_path: str,
    mode: str = ANY_TEMPLATE,
    complete: bool = False,
    profiles_dir: str = "profiles",
) -> Output:
    """Validate a file of statements (one object or an array) against one profile.

    ``profile_ref`` is a profile file, or the id of a profile loaded from
    ``profiles_dir``. Every statement is checked against it (whether or not it
    declares it); statements with a registration are run through its primary
    patterns in timestamp order. ``complete``: registrations not at the end of
    a pattern count as failures (the file holds whole registrations).
    """
    out = Output()
    registry, profile = _load(profile_ref, profiles_dir)
    statements = _read_statements(statements_path)
    by_id = {str(s.get("id", "")).lower(): s for s in statements if isinstance(s, dict)}
    states = MemoryPatternStates()
    report = check_statements(
        statements,
        registry,
        select=lambda _: [profile],
        mode_for=lambda _: mode,
        states=states,
        lookup=by_id.get,
    )
    report.save(states)
    for finding in sorted(report.findings, key=lambda f: f.index):
        where = f" at {finding.location}" if finding.location else ""
        rule = "" if finding.kind == "pattern" else f" {finding.rule}"
        out.add(
            f"statements[{finding.index}] ({finding.statement_id}): {finding.kind} "
            f"{finding.subject_id}{rule}{where}: {finding.message}"
        )
    for index, statement in enumerate(statements):
        if validate(statement, profile, mode).unmatched:
            out.add(f"note: statements[{index}] ({statement.get('id', '-')}) matches no template")
    incomplete = 0
    for (_, registration, subregistration), doc in sorted(report.registrations.items()):
        status = registration_status(registry, doc, registration, subregistration, states)
        if status is None:
            continue
        label = registration + (f"/{subregistration}" if subregistration else "")
        line = f"registration {label}: {status.status}"
        if status.status not in (COMPLETE, FAILED):
            line += " (expected next: " + (", ".join(status.expected) or "nothing") + ")"
            incomplete += 1
        out.add(line)
    out.add(
        f"{len(statements)} statements, {len(report.findings)} violations, "
        f"{len(report.registrations)} registrations ({incomplete} incomplete)"
    )
    out.failed = bool(report.findings) or (complete and incomplete > 0)
    return out


def _load(profile_ref: str, profiles_dir: str) -> tuple[ProfileRegistry, Profile]:
    if Path(profile_ref).is_file():
        registry = ProfileRegistry()
        return registry, registry.add(read_document(profile_ref), profile_ref)
    registry = load_registry(profiles_dir)
    profile = registry.get(profile_ref)
    if profile is None:
        raise ProfileLoadError(profile_ref, ["neither a profile file nor a loaded profile id"])
    return registry, profile


def _read_statements(path: str) -> list[dict[str, Any]]:
    try:
        with open(path, encoding="utf-8") as fh:
            body = json.load(fh)
    except (OSError, ValueError) as exc:
        raise ValueError(f"{path}: cannot read JSON: {exc}") from exc
    items = body if isinstance(body, list) else [body]
    if not all(isinstance(s, dict) for s in items):
        raise ValueError(f"{path}: expected a statement object or an array of them")
    return [_normalized(s) for s in items]


def _normalized(statement: dict[str, Any]) -> dict[str, Any]:
    """Single context activities as arrays, as the LRS stores them (and rules expect)."""
    statement = copy.deepcopy(statement)
    for target in (statement, statement.get("object")):
        context = target.get("context") if isinstance(target, dict) else None
        activities = context.get("contextActivities") if isinstance(context, dict) else None
        if isinstance(activities, dict):
            for kind in CONTEXT_ACTIVITY_KINDS:
                if isinstance(activities.get(kind), dict):
                    activities[kind] = [activities[kind]]
    return statement
