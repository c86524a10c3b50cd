"""xAPI statement comparison (Data 2.3.1 Statement Comparison Requirements)."""

from __future__ import annotations

import copy

import pytest

from lrs.domain.errors import ValidationError
from lrs.domain.statements.comparison import canonical_statement, statements_equivalent

BASE = {
    "id": "6690e6c9-3ef0-4ed3-8b37-7f3964730bee",
    "actor": {"objectType": "Agent", "name": "Ann", "mbox": "mailto:ann@example.com"},
    "verb": {"id": "http://adlnet.gov/expapi/verbs/completed", "display": {"en-US": "completed"}},
    "object": {
        "objectType": "Activity",
        "id": "http://example.com/course/1",
        "definition": {"name": {"en-US": "Course 1"}},
    },
    "result": {"score": {"scaled": 0.5, "raw": 5, "max": 10}, "success": True, "duration": "PT1H"},
    "context": {
        "registration": "ec531277-b57b-4c15-8d91-d292c5b2b8f7",
        "contextActivities": {"parent": [{"id": "http://example.com/program"}]},
        "language": "en-US",
        "extensions": {"http://example.com/ext": {"a": [1, 2, 3], "b": None}},
    },
    "timestamp": "2024-05-01T10:00:00.000Z",
}


def variant(**changes):
    s = copy.deepcopy(BASE)
    for dotted, value in changes.items():
        target = s
        keys = dotted.split("__")
        for key in keys[:-1]:
            target = target[key]
        if value is DELETE:
            target.pop(keys[-1], None)
        else:
            target[keys[-1]] = value
    return s


DELETE = object()


def test_identical_statements_are_equivalent():
    assert statements_equivalent(BASE, copy.deepcopy(BASE))


# --- properties the LRS sets ---------------------------------------------------------------


def test_lrs_set_properties_are_ignored():
    stored = variant(
        stored="2024-05-01T10:00:01.000Z",
        authority={"mbox": "mailto:lrs@example.com"},
        version="1.0.3",
    )
    other = variant(authority={"mbox": "mailto:someone@example.com"}, version="1.0.0")
    assert statements_equivalent(stored, BASE)
    assert statements_equivalent(stored, other)


def test_id_is_compared_only_when_both_have_one():
    assert statements_equivalent(variant(id=DELETE), BASE)
    assert statements_equivalent(variant(id=BASE["id"].upper()), BASE)
    assert not statements_equivalent(variant(id="5c0ff3b2-52c4-4e46-a5c0-5bc2bc9df9e4"), BASE)


def test_timestamp_compared_as_an_instant():
    assert statements_equivalent(variant(timestamp="2024-05-01T12:00:00+02:00"), BASE)
    assert statements_equivalent(variant(timestamp="2024-05-01T10:00:00Z"), BASE)
    assert statements_equivalent(variant(timestamp="2024-05-01T10:00:00.0004Z"), BASE)
    assert statements_equivalent(variant(timestamp="2024-05-01T10:00:00"), BASE)  # UTC assumed
    assert not statements_equivalent(variant(timestamp="2024-05-01T10:00:00.002Z"), BASE)
    assert not statements_equivalent(variant(timestamp="2024-05-01T10:00:00+01:00"), BASE)


def test_timestamp_absent_on_one_side_is_ignored():
    assert statements_equivalent(variant(timestamp=DELETE), BASE)


def test_timestamp_the_lrs_may_have_assigned_is_ignored():
    # Stored with timestamp = stored (assigned by the LRS); the repost without a
    # timestamp got a new LRS-assigned one.
    first = variant(timestamp="2024-05-01T10:00:00.000Z", stored="2024-05-01T10:00:00.000Z")
    again = variant(timestamp="2024-05-02T08:00:00.000Z", stored="2024-05-02T08:00:00.000Z")
    assert statements_equivalent(first, again)
    client_set = variant(timestamp="2024-04-01T00:00:00.000Z", stored="2024-05-01T10:00:00.000Z")
    assert not statements_equivalent(client_set, again.copy() | {"stored": "2024-05-03T00:00Z"})


def test_unparseable_timestamps_are_compared_as_text():
    assert statements_equivalent(variant(timestamp="garbage"), variant(timestamp="garbage"))
    assert not statements_equivalent(variant(timestamp="garbage"), BASE)


# --- parts that are not part of the statement ----------------------------------------------


def test_activity_definitions_are_ignored():
    changed = variant(object__definition={"name": {"en-US": "Renamed"}, "type": "http://x/t"})
    assert statements_equivalent(changed, BASE)
    assert statements_equivalent(variant(object__definition=DELETE), BASE)
    ctx = variant(
        context__contextActivities={
            "parent": [{"id": "http://example.com/program", "definition": {"name": {"en": "P"}}}]
        }
    )
    assert statements_equivalent(ctx, BASE)


def test_verb_display_is_ignored():
    assert statements_equivalent(variant(verb__display={"fr": "terminé"}), BASE)
    assert statements_equivalent(variant(verb__display=DELETE), BASE)


def test_verb_id_difference_matters():
    assert not statements_equivalent(
        variant(verb__id="http://adlnet.gov/expapi/verbs/failed"), BASE
    )


# --- serialization that does not change meaning --------------------------------------------


def test_single_context_activity_equals_array_of_one():
    single = variant(context__contextActivities={"parent": {"id": "http://example.com/program"}})
    assert statements_equivalent(single, BASE)


def test_context_activity_order_matters():
    two = [{"id": "http://example.com/a"}, {"id": "http://example.com/b"}]
    a = variant(context__contextActivities={"other": two})
    b = variant(context__contextActivities={"other": list(reversed(two))})
    assert not statements_equivalent(a, b)


def test_default_object_types():
    assert statements_equivalent(variant(object__objectType=DELETE), BASE)
    assert statements_equivalent(variant(actor__objectType=DELETE), BASE)
    assert not statements_equivalent(
        variant(object={"objectType": "Agent", "mbox": "mailto:x@example.com"}),
        variant(object={"objectType": "Group", "mbox": "mailto:x@example.com"}),
    )


def test_group_members_are_unordered():
    ann = {"mbox": "mailto:ann@example.com"}
    bob = {"objectType": "Agent", "account": {"homePage": "http://x.example", "name": "bob"}}
    a = variant(actor={"objectType": "Group", "name": "G", "member": [ann, bob]})
    b = variant(actor={"objectType": "Group", "name": "G", "member": [bob, ann]})
    assert statements_equivalent(a, b)
    c = variant(actor={"objectType": "Group", "name": "G", "member": [ann]})
    assert not statements_equivalent(a, c)


def test_mbox_domain_and_scheme_are_case_insensitive_but_local_part_is_not():
    assert statements_equivalent(variant(actor__mbox="MAILTO:ann@EXAMPLE.com"), BASE)
    assert not statements_equivalent(variant(actor__mbox="mailto:Ann@example.com"), BASE)


def test_mbox_sha1sum_and_uuids_are_case_insensitive():
    a = variant(actor={"mbox_sha1sum": "ebd31e95054c018b10727ccffd2ef2ec3a016ee9"})
    b = variant(actor={"mbox_sha1sum": "EBD31E95054C018B10727CCFFD2EF2EC3A016EE9"})
    assert statements_equivalent(a, b)
    assert statements_equivalent(
        variant(context__registration=BASE["context"]["registration"].upper()), BASE
    )


def test_iris_are_compared_character_for_character():
    assert not statements_equivalent(variant(object__id="http://EXAMPLE.com/course/1"), BASE)
    assert not statements_equivalent(variant(object__id="http://example.com/course/1/"), BASE)


def test_account_name_is_case_sensitive():
    a = variant(actor={"account": {"homePage": "http://x.example", "name": "Bob"}})
    b = variant(actor={"account": {"homePage": "http://x.example", "name": "bob"}})
    assert not statements_equivalent(a, b)


def test_agent_name_matters():
    assert not statements_equivalent(variant(actor__name="Anne"), BASE)


def test_context_language_is_case_insensitive():
    assert statements_equivalent(variant(context__language="EN-us"), BASE)


def test_numbers_compare_by_value_but_booleans_are_not_numbers():
    assert statements_equivalent(
        variant(result__score={"scaled": 0.5, "raw": 5.0, "max": 10}), BASE
    )
    assert not statements_equivalent(
        variant(result__score={"scaled": 0.5, "raw": 6, "max": 10}), BASE
    )
    assert not statements_equivalent(variant(result__success=1), BASE)
    assert not statements_equivalent(variant(result__success=False), BASE)


def test_duration_is_a_string_beyond_hundredths():
    a = variant(result__duration="PT1.2345S")
    assert statements_equivalent(a, variant(result__duration="PT1.23S"))
    assert statements_equivalent(a, variant(result__duration="PT1.239S"))
    assert statements_equivalent(
        variant(result__duration="PT1.20S"), variant(result__duration="PT1.2S")
    )
    assert not statements_equivalent(a, variant(result__duration="PT1.24S"))
    assert not statements_equivalent(variant(result__duration="PT60M"), BASE)  # PT1H as a string


def test_extensions_are_compared_deeply():
    changed = variant(context__extensions={"http://example.com/ext": {"a": [1, 3, 2], "b": None}})
    assert not statements_equivalent(changed, BASE)
    reordered_keys = variant(
        context__extensions={"http://example.com/ext": {"b": None, "a": [1, 2, 3]}}
    )
    assert statements_equivalent(reordered_keys, BASE)


def test_missing_versus_present_optional_property_matters():
    assert not statements_equivalent(variant(result=DELETE), BASE)
    assert not statements_equivalent(variant(context__language=DELETE), BASE)


# --- attachments, substatements, statement refs, 2.0 context agents --------------------------


ATT = {
    "usageType": "http://example.com/usage",
    "display": {"en-US": "A"},
    "contentType": "text/plain; charset=ascii",
    "length": 27,
    "sha2": "495395e777cd98da653df9615d09c0fd6bb2f8d4788394cd53c56a3bfdcd848a",
}


def test_attachment_objects_are_compared():
    a = variant(attachments=[ATT])
    assert statements_equivalent(a, variant(attachments=[dict(ATT)]))
    assert not statements_equivalent(a, variant(attachments=[{**ATT, "length": 28}]))
    assert not statements_equivalent(a, BASE)


def test_attachment_case_insensitive_parts():
    a = variant(attachments=[ATT])
    b = variant(
        attachments=[
            {
                **ATT,
                "display": {"EN-us": "A"},
                "contentType": "Text/Plain; Charset=ascii",
                "sha2": ATT["sha2"].upper(),
            }
        ]
    )
    assert statements_equivalent(a, b)
    assert not statements_equivalent(a, variant(attachments=[{**ATT, "display": {"en-US": "B"}}]))


def test_empty_attachments_equal_none():
    assert statements_equivalent(variant(attachments=[]), BASE)


def test_attachment_order_matters():
    other = {**ATT, "usageType": "http://example.com/other"}
    assert not statements_equivalent(
        variant(attachments=[ATT, other]), variant(attachments=[other, ATT])
    )


def test_substatements_are_compared_with_the_same_rules():
    sub = {
        "objectType": "SubStatement",
        "actor": {"mbox": "mailto:b@example.com"},
        "verb": {"id": "http://example.com/v", "display": {"en": "v"}},
        "object": {"id": "http://example.com/a", "definition": {"name": {"en": "A"}}},
        "context": {"contextActivities": {"parent": {"id": "http://example.com/p"}}},
        "timestamp": "2024-05-01T10:00:00.0001Z",
    }
    same = copy.deepcopy(sub)
    same["verb"].pop("display")
    same["object"]["definition"] = {}
    same["context"]["contextActivities"]["parent"] = [{"id": "http://example.com/p"}]
    same["timestamp"] = "2024-05-01T12:00:00+02:00"
    assert statements_equivalent(variant(object=sub), variant(object=same))
    assert not statements_equivalent(
        variant(object=sub), variant(object={**sub, "timestamp": DELETE})
    )
    assert not statements_equivalent(
        variant(object=sub), variant(object={**sub, "verb": {"id": "http://example.com/w"}})
    )


def test_statement_refs_compare_ids_case_insensitively():
    ref = {"objectType": "StatementRef", "id": "6690e6c9-3ef0-4ed3-8b37-7f3964730bee"}
    upper = {"objectType": "StatementRef", "id": ref["id"].upper()}
    assert statements_equivalent(variant(object=ref), variant(object=upper))
    assert statements_equivalent(
        variant(context__statement=ref), variant(context__statement={"id": ref["id"].upper()})
    )


def test_xapi_2_context_agents_and_groups():
    agents = [
        {
            "objectType": "contextAgent",
            "agent": {"mbox": "mailto:t@EXAMPLE.com"},
            "relevantTypes": ["http://example.com/teacher"],
        }
    ]
    same = [
        {
            "objectType": "contextAgent",
            "agent": {"objectType": "Agent", "mbox": "mailto:t@example.com"},
            "relevantTypes": ["http://example.com/teacher"],
        }
    ]
    assert statements_equivalent(
        variant(context__contextAgents=agents), variant(context__contextAgents=same)
    )
    different = [{**same[0], "relevantTypes": ["http://example.com/student"]}]
    assert not statements_equivalent(
        variant(context__contextAgents=agents), variant(context__contextAgents=different)
    )
    group = {
        "objectType": "Group",
        "member": [{"mbox": "mailto:a@x.example"}, {"mbox": "mailto:b@x.example"}],
    }
    reversed_group = {**group, "member": list(reversed(group["member"]))}
    assert statements_equivalent(
        variant(context__contextGroups=[{"objectType": "contextGroup", "group": group}]),
        variant(context__contextGroups=[{"objectType": "contextGroup", "group": reversed_group}]),
    )


def test_instructor_and_team():
    a = variant(context__instructor={"mbox": "mailto:i@Example.com"})
    b = variant(context__instructor={"objectType": "Agent", "mbox": "mailto:i@example.com"})
    assert statements_equivalent(a, b)
    assert not statements_equivalent(a, BASE)


# --- robustness ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "odd",
    [
        {},
        {"actor": "x", "verb": 1, "object": [], "context": "c", "result": None, "attachments": {}},
        {"object": {"objectType": "Unknown"}, "context": {"contextActivities": {"parent": 3}}},
        {"actor": {"objectType": "Group", "member": "x"}, "timestamp": 5, "stored": 7},
        {"object": {"objectType": "SubStatement", "attachments": [1, None]}},
    ],
)
def test_malformed_input_never_raises(odd):
    assert statements_equivalent(odd, copy.deepcopy(odd))
    assert not statements_equivalent(odd, BASE)


def test_non_dict_inputs():
    assert not statements_equivalent(None, BASE)
    assert statements_equivalent([1], [1.0])
    assert not statements_equivalent("a", "b")


def test_deeply_nested_extension_is_refused_not_crashed():
    deep: dict = {}
    node = deep
    for _ in range(5000):
        node["x"] = {}
        node = node["x"]
    s = variant(context__extensions={"http://example.com/deep": deep})
    with pytest.raises(ValidationError):
        statements_equivalent(s, s)


def test_canonical_form_is_stable():
    assert canonical_statement(BASE) == canonical_statement(variant(object__definition=DELETE))
