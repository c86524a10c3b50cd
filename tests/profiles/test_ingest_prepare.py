"""Profile checks done before the transaction give the same findings as done inside it."""

from __future__ import annotations

import json

import pytest

from lrs.domain.profiles.ingest import stamp_sensitive
from lrs.domain.profiles.model import parse_profile
from lrs.domain.profiles.registry import ProfileRegistry
from lrs.domain.profiles.templates import ANY_TEMPLATE
from lrs.domain.profiles.validation import (
    MemoryPatternStates,
    PreparedStatement,
    check_statements,
    check_templates,
    declared_selector,
)

from .builders import profile, template
from .conftest import CADRE_DIR


@pytest.mark.parametrize(
    ("rule", "sensitive"),
    [
        ({"location": "$.timestamp", "presence": "included"}, False),
        ({"location": "$.stored", "presence": "excluded"}, False),
        ({"location": "$.timestamp", "any": ["2024-01-01T00:00:00Z"]}, True),
        ({"location": "$['stored']", "none": ["x"]}, True),
        ({"location": "$.result | $.timestamp", "all": ["x"]}, True),
        ({"location": "$.*", "none": ["x"]}, True),
        ({"location": "$.context.contextActivities.category[*].id", "any": ["x"]}, False),
        ({"location": "$.object.timestamp", "any": ["x"]}, False),
    ],
)
def test_only_value_rules_that_can_reach_the_stamp_are_sensitive(rule, sensitive):
    assert stamp_sensitive(parse_profile(profile([template("x", rules=[rule])]))) is sensitive


def _examples() -> list[dict]:
    manifest = json.loads((CADRE_DIR / "examples" / "manifest.json").read_text("utf-8"))
    statements = []
    for kind in ("valid", "invalid"):
        for entry in manifest[kind]:
            loaded = json.loads((CADRE_DIR / "examples" / entry["file"]).read_text("utf-8"))
            statements.extend(loaded if isinstance(loaded, list) else [loaded])
    return statements


def test_prepared_template_checks_give_the_same_findings_and_states():
    registry = ProfileRegistry()
    registry.load_dir(CADRE_DIR)
    statements = _examples()
    select = declared_selector(registry)

    def run(prepared):
        states = MemoryPatternStates()
        report = check_statements(
            statements,
            registry,
            select=select,
            mode_for=lambda _: ANY_TEMPLATE,
            states=states,
            prepared=prepared,
        )
        return report.findings, {k: v.states for k, v in report.states.items()}

    prepared = []
    for statement in statements:
        profiles = select(statement)
        checks = [check_templates(statement, p, ANY_TEMPLATE) for p in profiles]
        prepared.append(PreparedStatement(profiles, checks))
    direct = run(None)
    assert direct[0]  # the invalid examples are found
    assert run(prepared) == direct
    # A statement left unprepared (None) is checked in place.
    assert run([None if i % 2 else p for i, p in enumerate(prepared)]) == direct
