"""Result, Score and Context (xAPI Data 2.4.5, 2.4.6; contextAgents/contextGroups from 2.0)."""

from __future__ import annotations

from typing import Any

from lrs.domain.statements import formats
from lrs.domain.statements.rules_activities import validate_activity
from lrs.domain.statements.rules_actors import (
    validate_actor,
    validate_agent_only,
    validate_group_only,
)
from lrs.domain.statements.rules_common import (
    check_keys,
    child,
    expect_array,
    expect_bool,
    expect_format,
    expect_iri,
    expect_language_tag,
    expect_number,
    expect_object,
    expect_object_type,
    expect_string,
    expect_uuid,
    fail,
    require,
    type_error,
    validate_extensions,
)

RESULT_KEYS = frozenset({"score", "success", "completion", "response", "duration", "extensions"})
SCORE_KEYS = frozenset({"scaled", "raw", "min", "max"})
CONTEXT_KEYS_1_0 = frozenset(
    {
        "registration",
        "instructor",
        "team",
        "contextActivities",
        "revision",
        "platform",
        "language",
        "statement",
        "extensions",
    }
)
CONTEXT_KEYS_2_0 = CONTEXT_KEYS_1_0 | {"contextAgents", "contextGroups"}
CONTEXT_ACTIVITY_KEYS = frozenset({"parent", "grouping", "category", "other"})
CONTEXT_AGENT_KEYS = frozenset({"objectType", "agent", "relevantTypes"})
CONTEXT_GROUP_KEYS = frozenset({"objectType", "group", "relevantTypes"})
STATEMENT_REF_KEYS = frozenset({"objectType", "id"})


# -- result ----------------------------------------------------------------------------------
def validate_result(value: object, path: str) -> None:
    result = expect_object(value, path, "a Result object")
    check_keys(result, RESULT_KEYS, path, "a Result")
    if "score" in result:
        validate_score(result["score"], child(path, "score"))
    for key in ("success", "completion"):
        if key in result:
            expect_bool(result[key], child(path, key))
    if "response" in result:
        expect_string(result["response"], child(path, "response"))
    if "duration" in result:
        expect_format(result["duration"], child(path, "duration"), formats.is_duration,
                      "an ISO 8601 duration such as PT1H30M or P2W")
    if "extensions" in result:
        validate_extensions(result["extensions"], child(path, "extensions"))


def validate_score(value: object, path: str) -> None:
    score = expect_object(value, path, "a Score object")
    check_keys(score, SCORE_KEYS, path, "a Score")
    numbers = {key: expect_number(score[key], child(path, key)) for key in score}
    scaled = numbers.get("scaled")
    if scaled is not None and not -1 <= scaled <= 1:
        fail(child(path, "scaled"), f"scaled must be between -1 and 1 inclusive, got {scaled}")
    low, high, raw = numbers.get("min"), numbers.get("max"), numbers.get("raw")
    if low is not None and high is not None and not low < high:
        fail(child(path, "min"), f"min ({low}) must be less than max ({high})")
    if raw is not None and low is not None and raw < low:
        fail(child(path, "raw"), f"raw ({raw}) must not be less than min ({low})")
    if raw is not None and high is not None and raw > high:
        fail(child(path, "raw"), f"raw ({raw}) must not be greater than max ({high})")


# -- context ---------------------------------------------------------------------------------
def validate_statement_ref(value: object, path: str) -> None:
    """A StatementRef: objectType 'StatementRef' (required) and the UUID ``id``."""
    ref = expect_object(value, path, "a StatementRef object")
    check_keys(ref, STATEMENT_REF_KEYS, path, "a StatementRef")
    expect_object_type(ref, path, "StatementRef", required=True)
    expect_uuid(require(ref, "id", path, "a StatementRef"), child(path, "id"))


def validate_context(value: object, path: str, *, v2: bool, object_type: str) -> None:
    """The Context of a statement whose object has ``object_type``."""
    context = expect_object(value, path, "a Context object")
    if not v2:
        for key in ("contextAgents", "contextGroups"):
            if key in context:
                fail(child(path, key), f"'{key}' is not allowed under xAPI 1.0.3"
                     " (it was introduced in xAPI 2.0)")
    check_keys(context, CONTEXT_KEYS_2_0 if v2 else CONTEXT_KEYS_1_0, path, "a Context")
    if "registration" in context:
        expect_uuid(context["registration"], child(path, "registration"))
    if "instructor" in context:
        validate_actor(context["instructor"], child(path, "instructor"))
    if "team" in context:
        validate_group_only(context["team"], child(path, "team"))
    if "contextActivities" in context:
        validate_context_activities(context["contextActivities"], child(path, "contextActivities"))
    _validate_revision_platform(context, path, object_type)
    if "language" in context:
        expect_language_tag(context["language"], child(path, "language"))
    if "statement" in context:
        validate_statement_ref(context["statement"], child(path, "statement"))
    if "extensions" in context:
        validate_extensions(context["extensions"], child(path, "extensions"))
    if "contextAgents" in context:
        _validate_context_members(context["contextAgents"], child(path, "contextAgents"),
                                  "contextAgent", "agent", validate_agent_only)
    if "contextGroups" in context:
        _validate_context_members(context["contextGroups"], child(path, "contextGroups"),
                                  "contextGroup", "group", validate_group_only)


def _validate_revision_platform(context: dict[str, Any], path: str, object_type: str) -> None:
    for key in ("revision", "platform"):
        if key not in context:
            continue
        expect_string(context[key], child(path, key))
        if object_type != "Activity":
            fail(child(path, key), f"context '{key}' may only be used when the statement's"
                 f" object is an Activity, not a {object_type}")


def validate_context_activities(value: object, path: str) -> None:
    """parent/grouping/category/other: an Activity or an array of them (not normalised here)."""
    activities = expect_object(value, path, "a contextActivities object")
    check_keys(activities, CONTEXT_ACTIVITY_KEYS, path, "contextActivities")
    for key, entry in activities.items():
        key_path = child(path, key)
        if isinstance(entry, dict):
            validate_activity(entry, key_path)
            continue
        if not isinstance(entry, list):
            type_error(entry, key_path, "an Activity object or an array of Activity objects")
        for index, activity in enumerate(entry):
            validate_activity(activity, f"{key_path}[{index}]")


def _validate_context_members(value, path, object_type, member_key, validate_member) -> None:
    """contextAgents/contextGroups (2.0): arrays of {objectType, agent|group, relevantTypes}."""
    what = f"a {object_type} object"
    for index, item in enumerate(expect_array(value, path)):
        item_path = f"{path}[{index}]"
        entry = expect_object(item, item_path, what)
        check_keys(entry, CONTEXT_AGENT_KEYS if member_key == "agent" else CONTEXT_GROUP_KEYS,
                   item_path, what)
        expect_object_type(entry, item_path, object_type, required=True)
        validate_member(require(entry, member_key, item_path, what), child(item_path, member_key))
        if "relevantTypes" in entry:
            types_path = child(item_path, "relevantTypes")
            for type_index, iri in enumerate(expect_array(entry["relevantTypes"], types_path,
                                                          non_empty=True)):
                expect_iri(iri, f"{types_path}[{type_index}]")
