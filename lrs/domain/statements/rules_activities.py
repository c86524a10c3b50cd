"""Activities and Activity Definitions, interaction activities included (xAPI Data 2.4.4.1)."""

from __future__ import annotations

from typing import Any

from lrs.domain.statements.rules_common import (
    check_keys,
    child,
    expect_array,
    expect_iri,
    expect_irl,
    expect_object,
    expect_object_type,
    expect_string,
    fail,
    require,
    show,
    validate_extensions,
    validate_language_map,
)

ACTIVITY_KEYS = frozenset({"objectType", "id", "definition"})
COMPONENT_LISTS = ("choices", "scale", "source", "target", "steps")
DEFINITION_KEYS = frozenset(
    {
        "name",
        "description",
        "type",
        "moreInfo",
        "extensions",
        "interactionType",
        "correctResponsesPattern",
        *COMPONENT_LISTS,
    }
)
COMPONENT_KEYS = frozenset({"id", "description"})

# Which interaction component lists each interactionType may carry (xAPI Data 2.4.4.1.s15).
COMPONENTS_BY_INTERACTION_TYPE: dict[str, frozenset[str]] = {
    "true-false": frozenset(),
    "choice": frozenset({"choices"}),
    "fill-in": frozenset(),
    "long-fill-in": frozenset(),
    "matching": frozenset({"source", "target"}),
    "performance": frozenset({"steps"}),
    "sequencing": frozenset({"choices"}),
    "likert": frozenset({"scale"}),
    "numeric": frozenset(),
    "other": frozenset(),
}


def validate_activity(value: object, path: str) -> None:
    activity = expect_object(value, path, "an Activity object")
    check_keys(activity, ACTIVITY_KEYS, path, "an Activity")
    expect_object_type(activity, path, "Activity", required=False)
    expect_iri(require(activity, "id", path, "an Activity"), child(path, "id"))
    if "definition" in activity:
        validate_definition(activity["definition"], child(path, "definition"))


def validate_definition(value: object, path: str) -> None:
    definition = expect_object(value, path, "an Activity Definition object")
    check_keys(definition, DEFINITION_KEYS, path, "an Activity Definition")
    for key in ("name", "description"):
        if key in definition:
            validate_language_map(definition[key], child(path, key))
    if "type" in definition:
        expect_iri(definition["type"], child(path, "type"))
    if "moreInfo" in definition:
        expect_irl(definition["moreInfo"], child(path, "moreInfo"))
    if "extensions" in definition:
        validate_extensions(definition["extensions"], child(path, "extensions"))
    validate_interaction(definition, path)


def validate_interaction(definition: dict[str, Any], path: str) -> None:
    """interactionType, correctResponsesPattern and the component lists that go with the type."""
    interaction_type = definition.get("interactionType")
    if "interactionType" in definition:
        interaction_type = expect_string(interaction_type, child(path, "interactionType"))
        if interaction_type not in COMPONENTS_BY_INTERACTION_TYPE:
            fail(
                child(path, "interactionType"),
                f"interactionType must be one of {', '.join(COMPONENTS_BY_INTERACTION_TYPE)}"
                f" (case-sensitive), got {show(interaction_type)}",
            )
    if "correctResponsesPattern" in definition:
        _require_interaction_type(interaction_type, "correctResponsesPattern", path)
        pattern_path = child(path, "correctResponsesPattern")
        responses = expect_array(definition["correctResponsesPattern"], pattern_path)
        for index, response in enumerate(responses):
            expect_string(response, f"{pattern_path}[{index}]")
    for key in COMPONENT_LISTS:
        if key not in definition:
            continue
        required = _require_interaction_type(interaction_type, key, path)
        if key not in COMPONENTS_BY_INTERACTION_TYPE[required]:
            fail(child(path, key), f"'{key}' is not allowed for interactionType"
                 f" {interaction_type!r}")
        validate_components(definition[key], child(path, key))


def _require_interaction_type(interaction_type: str | None, key: str, path: str) -> str:
    if interaction_type is None:
        fail(child(path, "interactionType"),
             f"interactionType is required when '{key}' is present")
    return interaction_type


def validate_components(value: object, path: str) -> None:
    """An array of interaction components ({id, description}); ids are distinct within the list."""
    seen: dict[str, int] = {}
    for index, item in enumerate(expect_array(value, path)):
        item_path = f"{path}[{index}]"
        component = expect_object(item, item_path, "an interaction component object")
        check_keys(component, COMPONENT_KEYS, item_path, "an interaction component")
        component_id = expect_string(
            require(component, "id", item_path, "an interaction component"), f"{item_path}.id"
        )
        if component_id in seen:
            fail(f"{item_path}.id", f"interaction component id {show(component_id)} is already used"
                 f" by {path.rsplit('.', 1)[-1]}[{seen[component_id]}]; ids must be distinct")
        seen[component_id] = index
        if "description" in component:
            validate_language_map(component["description"], f"{item_path}.description")
