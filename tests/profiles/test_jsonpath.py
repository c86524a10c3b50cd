"""Rule locations and selectors: the Profiles JSONPath dialect."""

from __future__ import annotations

import jsonpath
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lrs.domain.profiles.jsonpath import PathError, compile_path

from .conftest import fixture_document

STATEMENT = {
    "id": "x",
    "context": {
        "contextActivities": {
            "grouping": [{"id": "g1", "definition": {"type": "t1"}}, {"id": "g2"}],
            "category": [{"id": "c1"}],
        },
        "extensions": {"https://example.org/ext/unit": "fj/fz", "plain": 1},
    },
    "result": {"duration": "PT1M", "extensions": {"https://example.org/ext/n": [1, 2]}},
    "object": {"definition": {"name": {"en-US": "one", "zh-CN": "一"}}},
}


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("$.id", ["x"]),
        ("id", ["x"]),  # the leading $ is often left out
        ("$.result.duration", ["PT1M"]),
        ("$.context.contextActivities.grouping[*].id", ["g1", "g2"]),
        ("context.contextActivities.grouping[1].id", ["g2"]),
        ("$.context.contextActivities.grouping[0,1].id", ["g1", "g2"]),
        ("$.context.contextActivities.grouping[5].id", []),
        ("$.context.extensions['https://example.org/ext/unit']", ["fj/fz"]),
        ('$.context.extensions["https://example.org/ext/unit"]', ["fj/fz"]),
        ("$.result.extensions['https://example.org/ext/n']", [[1, 2]]),
        ("$.object.definition.name.en-US", ["one"]),
        ("$.object.definition.name['en-US','zh-CN']", ["one", "一"]),
        ("$.object.definition.name.*", ["one", "一"]),
        ("$.result.duration | $.id", ["PT1M", "x"]),
        ("$.result.duration|$.missing|$.context.contextActivities.category[*].id", ["PT1M", "c1"]),
        ("$.missing.deeper", []),
        ("$.id.deeper", []),
    ],
)
def test_locations(path, expected):
    assert compile_path(path).find(STATEMENT) == expected


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("$..id", "recursive descent"),
        ("$.context..id", "recursive descent"),
        ("$.context.contextActivities.grouping[?@.id == 'g1']", "filter"),
        ("$.context.contextActivities.grouping[?(@.id)]", "filter"),
        ("$.context.contextActivities.grouping[0:1]", "slices"),
        ("$.context.contextActivities.grouping[-1]", "negative index"),
        ("$.a & $.b", "'&' operator"),
        ("$.a.~", "not part of"),
        ("$.a[", None),
        ("", "non-empty"),
        ("$", "below the root"),
    ],
)
def test_outside_the_dialect(path, reason):
    with pytest.raises(PathError, match=reason):
        compile_path(path)


def test_every_location_of_the_fixture_profiles_compiles():
    for name in (
        "adl-video-v1.0.3.jsonld",
        "adl-flashcards-v0.1.jsonld",
        "yet-calibration-v1.jsonld",
    ):
        for template in fixture_document(name)["templates"]:
            for rule in template.get("rules", []):
                compile_path(rule["location"])


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.sampled_from(["a", "b", ""]),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(["a", "b", "c", "en-US", "https://x.org/e"]), inner, max_size=3
        )
    ),
    max_leaves=12,
)
paths = st.sampled_from(
    [
        "$.a",
        "a.b",
        "$.a[*]",
        "$.a[0]",
        "$.a[1].b",
        "$.*",
        "$.a.*.b",
        "$['https://x.org/e']",
        "$.a['b','c']",
        "$.a[0,1]",
        "$.a | $.b",
        "$.a.b|$.c[*]",
        "$.en-US",
        "$.a[*][*]",
    ]
)


@settings(max_examples=300, deadline=None)
@given(data=json_values, path=paths)
def test_agrees_with_python_jsonpath(data, path):
    """The fast evaluator returns what python-jsonpath (the parser) would."""
    assert compile_path(path).find(data) == jsonpath.findall(path, data)
