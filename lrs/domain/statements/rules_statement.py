"""Statements, SubStatements, the Object dispatch and Attachments (xAPI Data 2.2 - 2.4)."""

from __future__ import annotations

from typing import Any

from lrs.domain.statements import formats
from lrs.domain.statements.rules_activities import validate_activity
from lrs.domain.statements.rules_actors import (
    IFIS,
    validate_actor,
    validate_agent_object,
    validate_authority,
    validate_group,
)
from lrs.domain.statements.rules_common import (
    check_keys,
    child,
    expect_array,
    expect_format,
    expect_integer,
    expect_iri,
    expect_irl,
    expect_object,
    expect_string,
    expect_uuid,
    fail,
    name_of,
    require,
    show,
    validate_language_map,
)
from lrs.domain.statements.rules_result_context import (
    validate_context,
    validate_result,
    validate_statement_ref,
)

VOIDED_VERB = "http://adlnet.gov/expapi/verbs/voided"
STATEMENT_KEYS = frozenset(
    {
        "id",
        "actor",
        "verb",
        "object",
        "result",
        "context",
        "timestamp",
        "stored",
        "authority",
        "version",
        "attachments",
    }
)
SUBSTATEMENT_FORBIDDEN = ("id", "stored", "version", "authority")
SUBSTATEMENT_KEYS = (STATEMENT_KEYS - set(SUBSTATEMENT_FORBIDDEN)) | {"objectType"}
VERB_KEYS = frozenset({"id", "display"})
ATTACHMENT_KEYS = frozenset(
    {"usageType", "display", "description", "contentType", "length", "sha2", "fileUrl"}
)
OBJECT_TYPES = ("Activity", "Agent", "Group", "StatementRef", "SubStatement")


def validate_statement_object(value: object, path: str, *, v2: bool) -> None:
    """A complete statement as a client may send it (``stored``/``authority`` allowed)."""
    statement = expect_object(value, path, "a Statement object")
    if "objectType" in statement:
        fail(child(path, "objectType"), "'objectType' is not a property of a Statement"
             " (only a SubStatement has one)")
    check_keys(statement, STATEMENT_KEYS, path, "a Statement")
    if "id" in statement:
        expect_uuid(statement["id"], child(path, "id"))
    object_type = _validate_core(statement, path, v2=v2, nested=False)
    if "stored" in statement:
        validate_timestamp(statement["stored"], child(path, "stored"), v2=v2)
    if "authority" in statement:
        validate_authority(statement["authority"], child(path, "authority"))
    if "version" in statement:
        expect_format(statement["version"], child(path, "version"),
                      lambda text: formats.is_statement_version(text, v2),
                      "'2.0.x' or '1.0.x'" if v2 else "'1.0' or '1.0.x'")
    _validate_voiding(statement, path, object_type)


def validate_substatement(obj: dict[str, Any], path: str, *, v2: bool) -> None:
    for key in SUBSTATEMENT_FORBIDDEN:
        if key in obj:
            fail(child(path, key), f"a SubStatement must not have '{key}'")
    check_keys(obj, SUBSTATEMENT_KEYS, path, "a SubStatement")
    _validate_core(obj, path, v2=v2, nested=True)


def _validate_core(statement: dict[str, Any], path: str, *, v2: bool, nested: bool) -> str:
    """The parts shared by Statements and SubStatements; returns the object's objectType."""
    what = "a SubStatement" if nested else "a Statement"
    for key in ("actor", "verb", "object"):
        require(statement, key, path, what)
    validate_actor(statement["actor"], child(path, "actor"))
    validate_verb(statement["verb"], child(path, "verb"))
    object_type = validate_object(statement["object"], child(path, "object"), v2=v2, nested=nested)
    if "result" in statement:
        validate_result(statement["result"], child(path, "result"))
    if "context" in statement:
        validate_context(statement["context"], child(path, "context"), v2=v2,
                         object_type=object_type)
    if "timestamp" in statement:
        validate_timestamp(statement["timestamp"], child(path, "timestamp"), v2=v2)
    if "attachments" in statement:
        validate_attachments(statement["attachments"], child(path, "attachments"))
    return object_type


def validate_verb(value: object, path: str) -> None:
    verb = expect_object(value, path, "a Verb object")
    check_keys(verb, VERB_KEYS, path, "a Verb")
    expect_iri(require(verb, "id", path, "a Verb"), child(path, "id"))
    if "display" in verb:
        validate_language_map(verb["display"], child(path, "display"))


def validate_object(value: object, path: str, *, v2: bool, nested: bool) -> str:
    """The statement's object; returns its objectType ('Activity' when absent)."""
    obj = expect_object(value, path, "an Activity, Agent, Group, StatementRef or SubStatement")
    if "objectType" not in obj:
        if any(key in obj for key in (*IFIS, "member")):
            fail(child(path, "objectType"),
                 "objectType ('Agent' or 'Group') is required when the object is an Agent or Group")
        validate_activity(obj, path)
        return "Activity"
    object_type = expect_string(obj["objectType"], child(path, "objectType"))
    if object_type == "Activity":
        validate_activity(obj, path)
    elif object_type == "Agent":
        validate_agent_object(obj, path)
    elif object_type == "Group":
        validate_group(obj, path)
    elif object_type == "StatementRef":
        validate_statement_ref(obj, path)
    elif object_type == "SubStatement":
        if nested:
            fail(child(path, "objectType"), "a SubStatement must not contain another SubStatement")
        validate_substatement(obj, path, v2=v2)
    else:
        fail(child(path, "objectType"), f"objectType must be one of {', '.join(OBJECT_TYPES)}"
             f" (case-sensitive), got {show(object_type)}")
    return object_type


def validate_timestamp(value: object, path: str, *, v2: bool) -> None:
    text = expect_string(value, path)
    try:
        formats.parse_timestamp(text, "2.0.0" if v2 else "1.0.3")
    except formats.TimestampError as exc:
        fail(path, f"{name_of(path)} {exc}, got {show(text)}")


def validate_attachments(value: object, path: str) -> None:
    for index, item in enumerate(expect_array(value, path)):
        validate_attachment(item, f"{path}[{index}]")


def validate_attachment(value: object, path: str) -> None:
    attachment = expect_object(value, path, "an Attachment object")
    check_keys(attachment, ATTACHMENT_KEYS, path, "an Attachment")
    what = "an Attachment"
    expect_iri(require(attachment, "usageType", path, what), child(path, "usageType"))
    validate_language_map(require(attachment, "display", path, what), child(path, "display"))
    if "description" in attachment:
        validate_language_map(attachment["description"], child(path, "description"))
    expect_format(require(attachment, "contentType", path, what), child(path, "contentType"),
                  formats.is_media_type, "an Internet media type such as 'text/plain'")
    length = expect_integer(require(attachment, "length", path, what), child(path, "length"))
    if length < 0:
        fail(child(path, "length"), f"length must not be negative, got {length}")
    expect_format(require(attachment, "sha2", path, what), child(path, "sha2"),
                  formats.is_sha2_hex, "a SHA-2 hex digest (e.g. 64 hex characters for SHA-256)")
    if "fileUrl" in attachment:
        expect_irl(attachment["fileUrl"], child(path, "fileUrl"))


def _validate_voiding(statement: dict[str, Any], path: str, object_type: str) -> None:
    if statement["verb"]["id"] == VOIDED_VERB and object_type != "StatementRef":
        fail(child(path, "object"), "a voiding statement (verb"
             f" {VOIDED_VERB}) must have a StatementRef as its object, not a {object_type}")
