"""Extensions a profile defines: placement, inlineSchema values, and the cadre cross-field rules."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft7Validator

from lrs.domain.profiles.extensions import _predicate, extension_failures
from lrs.domain.profiles.model import parse_profile
from lrs.domain.profiles.semantics import course_credit_hours

from .builders import PID, VERSION, profile, statement

EXT = PID + "/extensions/"


def concept(name: str, kind: str, schema=None) -> dict:
    body = {
        "id": EXT + name,
        "type": kind,
        "inScheme": VERSION,
        "prefLabel": {"en": name},
        "definition": {"en": name},
    }
    if schema is not None:
        body["inlineSchema"] = schema if isinstance(schema, str) else json.dumps(schema)
    return body


DOC = parse_profile(
    profile(
        concepts=[
            concept(
                "unit", "ContextExtension", {"type": "string", "pattern": "^[a-z]+(/[a-z]+)*$"}
            ),
            concept(
                "score", "ResultExtension", {"type": "number", "minimum": 0, "multipleOf": 0.25}
            ),
            concept("source", "ResultExtension", {"type": "string", "format": "iri"}),
            concept("code", "ActivityExtension", {"type": "string", "maxLength": 8}),
            concept("broken", "ContextExtension", "{not json"),
        ]
    )
)


def failures(**parts):
    return [
        (f.subject_id[len(EXT) :], f.rule, f.location)
        for f in extension_failures(statement(**parts), DOC.extension_rules)
    ]


def test_values_that_follow_their_schemas():
    assert (
        failures(
            context={"extensions": {EXT + "unit": "fj/fz", EXT + "broken": 1}},
            result={"extensions": {EXT + "score": 1.75, EXT + "source": "https://e.org/x"}},
        )
        == []
    )


def test_values_that_break_them():
    found = failures(
        context={"extensions": {EXT + "unit": "FJ"}},
        result={"extensions": {EXT + "score": 0.3, EXT + "source": "not an iri"}},
    )
    assert {f[0] for f in found} == {"unit", "score", "source"}
    assert all(f[1] == "inlineSchema" for f in found)
    assert ("unit", "inlineSchema", f"$.context.extensions['{EXT}unit']") in found


def test_activity_extensions_in_context_activities():
    context = {
        "contextActivities": {
            "parent": [
                {
                    "id": "https://e.org/c",
                    "definition": {"extensions": {EXT + "code": "TOO-LONG-CODE"}},
                }
            ]
        }
    }
    assert failures(context=context) == [
        (
            "code",
            "inlineSchema",
            f"$.context.contextActivities.parent[0].definition.extensions['{EXT}code']",
        )
    ]


def test_an_extension_used_in_the_wrong_place():
    found = failures(result={"extensions": {EXT + "unit": "fj"}})
    assert found == [("unit", "extensionType", f"$.result.extensions['{EXT}unit']")]


def test_the_message_comes_from_jsonschema():
    (failure,) = extension_failures(
        statement(result={"extensions": {EXT + "score": -1}}), DOC.extension_rules
    )
    assert failure.message == (
        "value -1 breaks the extension's inlineSchema: -1 is less than the minimum of 0"
    )


SCHEMAS = [
    {"type": "string", "minLength": 1, "maxLength": 4, "pattern": "^[A-Z]"},
    {"type": "integer", "minimum": 2000, "maximum": 2100},
    {"type": "number", "enum": [0.25, 0.5, 1]},
    {"type": "number", "exclusiveMinimum": 0, "multipleOf": 0.25},
    {"type": ["string", "null"], "not": {"pattern": "^x"}},
    {"const": True},
    {"type": "boolean"},
]
values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 3000),
    st.floats(-5, 5, allow_nan=False),
    st.sampled_from([0.25, 0.5, 1, 2000.0, "A", "AB", "ABCDE", "x1", "", "b"]),
    st.lists(st.integers(), max_size=2),
)


@pytest.mark.parametrize("schema", SCHEMAS, ids=[json.dumps(s) for s in SCHEMAS])
@settings(max_examples=150, deadline=None)
@given(value=values)
def test_fast_predicates_agree_with_jsonschema(schema, value):
    predicate = _predicate(schema)
    assert predicate is not None
    assert predicate(value) == Draft7Validator(schema).is_valid(value)


def test_other_keywords_fall_back_to_jsonschema():
    assert _predicate({"type": "object", "required": ["a"]}) is None


@pytest.mark.parametrize(
    ("minutes", "hours"),
    [(5, 0.25), (15, 0.25), (15.5, 0.5), (30, 0.5), (31, 1), (45, 1), (240, 1)],
)
def test_credit_hours_follow_the_course_duration(minutes, hours):
    assert course_credit_hours(minutes) == hours
