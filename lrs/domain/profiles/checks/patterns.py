"""Checks of a profile's patterns: members resolve, no cycles, primaries compile (Structure 9)."""

from __future__ import annotations

from collections.abc import Iterator

from lrs.domain.profiles.checks.document import WARNING, Problem, ProfileDoc
from lrs.domain.profiles.model import PATTERN_KINDS, Pattern
from lrs.domain.profiles.patterns import PatternError, build_tree, compile_tree


def patterns(doc: ProfileDoc) -> Iterator[Problem]:
    """Pattern members resolve; alternates and sequence have the members the spec requires."""
    used: dict[str, list[str]] = {}
    for path, pattern in doc.items("patterns"):
        for kind in PATTERN_KINDS:
            if kind not in pattern:
                continue
            members = pattern[kind] if isinstance(pattern[kind], list) else [pattern[kind]]
            for i, member in enumerate(members):
                if not isinstance(member, str):
                    continue
                used.setdefault(member, []).append(pattern.get("id", path))
                where = f"{path}.{kind}" + (f"[{i}]" if isinstance(pattern[kind], list) else "")
                if member not in doc.templates and member not in doc.patterns:
                    if doc.external.get(member) in ("template", "pattern"):
                        continue
                    yield Problem(
                        where,
                        f"{member} is neither a template nor a pattern of this profile "
                        "(nor of another loaded profile)",
                        "patterns",
                    )
                elif kind == "alternates" and member in doc.patterns:
                    inner = doc.patterns[member][1]
                    bad = [k for k in ("optional", "zeroOrMore") if k in inner]
                    if bad:
                        yield Problem(
                            where,
                            f"{member} is a {bad[0]} pattern: alternates must not contain "
                            "optional or zeroOrMore directly",
                            "patterns",
                        )
    for path, pattern in doc.items("patterns"):
        sequence = pattern.get("sequence")
        if isinstance(sequence, list) and len(sequence) == 1:
            ok = (
                pattern.get("primary") is True
                and pattern.get("id") not in used
                and sequence[0] in doc.templates
            )
            if not ok:
                yield Problem(
                    f"{path}.sequence",
                    "a sequence needs at least two members, unless it is a primary pattern "
                    "used nowhere else whose single member is a template",
                    "patterns",
                )
        if not pattern.get("primary") and pattern.get("id") not in used:
            yield Problem(
                path,
                f"pattern {pattern.get('id')} is neither primary nor used by another pattern",
                "patterns",
                WARNING,
            )
    if doc.patterns and not any(p.get("primary") is True for _, p in doc.patterns.values()):
        yield Problem(
            "$.patterns", "there are patterns but none is primary, so none is checked", "patterns"
        )


def pattern_automata(doc: ProfileDoc) -> Iterator[Problem]:
    """No pattern contains itself at any depth; every primary pattern compiles to an automaton."""

    def find(pid: str) -> Pattern | None:
        entry = doc.patterns.get(pid)
        if entry is None:
            return None
        raw = entry[1]
        kind = next((k for k in PATTERN_KINDS if k in raw), None)
        if kind is None:
            return None
        members = raw[kind] if isinstance(raw[kind], list) else [raw[kind]]
        return Pattern(pid, kind, tuple(m for m in members if isinstance(m, str)))

    def is_template(tid: str) -> bool:
        return tid in doc.templates or doc.external.get(tid) == "template"

    reported: set[frozenset[str]] = set()
    for pid, (path, raw) in doc.patterns.items():
        if find(pid) is None:
            continue
        try:
            tree = build_tree(pid, find, is_template)
        except PatternError as exc:
            if exc.cycle and frozenset(exc.cycle) not in reported:
                reported.add(frozenset(exc.cycle))
                yield Problem(path, str(exc), "pattern_automata")
            continue
        if raw.get("primary") is True:
            dfa = compile_tree(pid, tree)
            if not dfa.accepting:
                yield Problem(path, "the pattern can never be completed", "pattern_automata")
