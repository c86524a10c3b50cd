"""Agents, Groups, Accounts and the authority (xAPI Data 2.4.2, 2.4.9)."""

from __future__ import annotations

from typing import Any

from lrs.domain.statements import formats
from lrs.domain.statements.rules_common import (
    check_keys,
    child,
    expect_array,
    expect_format,
    expect_irl,
    expect_object,
    expect_object_type,
    expect_string,
    fail,
    name_of,
    require,
    show,
)

IFIS = ("mbox", "mbox_sha1sum", "openid", "account")
AGENT_KEYS = frozenset({"objectType", "name", *IFIS})
GROUP_KEYS = AGENT_KEYS | {"member"}
ACCOUNT_KEYS = frozenset({"homePage", "name"})


def validate_account(value: object, path: str) -> None:
    account = expect_object(value, path, "an account object")
    check_keys(account, ACCOUNT_KEYS, path, "an account")
    expect_irl(require(account, "homePage", path, "an account"), child(path, "homePage"))
    expect_string(require(account, "name", path, "an account"), child(path, "name"))


def _validate_ifi(key: str, value: object, path: str) -> None:
    if key == "mbox":
        expect_format(value, path, formats.is_mailto_iri, "a 'mailto:' IRI of an email address")
    elif key == "mbox_sha1sum":
        expect_format(value, path, formats.is_sha1_hex, "a SHA-1 hex digest (40 hex characters)")
    elif key == "openid":
        expect_format(value, path, formats.is_iri, "an absolute IRI (RFC 3987) with a scheme")
    else:
        validate_account(value, path)


def validate_ifis(obj: dict[str, Any], path: str, what: str, *, required: bool) -> int:
    """Validate the inverse functional identifiers present; at most one, at least one if required.

    Returns how many were present (0 or 1).
    """
    present = [key for key in IFIS if key in obj]
    for key in present:
        _validate_ifi(key, obj[key], child(path, key))
    if len(present) > 1:
        fail(
            path,
            f"{what} must have exactly one inverse functional identifier, found"
            f" {len(present)}: {', '.join(present)}",
        )
    if required and not present:
        fail(
            path,
            f"{what} must be identified by exactly one of mbox, mbox_sha1sum, openid or account",
        )
    return len(present)


def validate_agent_object(obj: dict[str, Any], path: str) -> None:
    """An Agent (``objectType``, when present, must be 'Agent')."""
    if "member" in obj:
        fail(child(path, "member"), "'member' is only allowed on a Group (objectType 'Group')")
    check_keys(obj, AGENT_KEYS, path, "an Agent")
    expect_object_type(obj, path, "Agent", required=False)
    if "name" in obj:
        expect_string(obj["name"], child(path, "name"))
    validate_ifis(obj, path, "an Agent", required=True)


def validate_member(value: object, path: str) -> None:
    member = expect_object(value, path, "an Agent object")
    if member.get("objectType") == "Group":
        fail(child(path, "objectType"), "a Group's members must be Agents, not Groups")
    validate_agent_object(member, path)


def validate_group(obj: dict[str, Any], path: str) -> int:
    """A Group, identified (one IFI) or anonymous (no IFI, ``member`` required).

    Returns the number of IFIs (0 for an anonymous Group). The caller has checked objectType.
    """
    check_keys(obj, GROUP_KEYS, path, "a Group")
    expect_object_type(obj, path, "Group", required=True)
    if "name" in obj:
        expect_string(obj["name"], child(path, "name"))
    identified = validate_ifis(obj, path, "a Group", required=False)
    if not identified and "member" not in obj:
        fail(child(path, "member"), "an anonymous Group (no inverse functional identifier)"
             " requires 'member', the list of its Agents")
    if "member" in obj:
        members = expect_array(obj["member"], child(path, "member"), non_empty=not identified)
        for index, member in enumerate(members):
            validate_member(member, f"{path}.member[{index}]")
    return identified


def validate_actor(value: object, path: str) -> str:
    """An Agent or a Group (actor, instructor, ...). Returns the objectType used."""
    obj = expect_object(value, path, "an Agent or Group object")
    object_type = obj.get("objectType", "Agent")
    if object_type == "Group":
        validate_group(obj, path)
    elif object_type == "Agent":
        validate_agent_object(obj, path)
    else:
        expect_string(object_type, child(path, "objectType"))
        fail(
            child(path, "objectType"),
            f"objectType must be 'Agent' or 'Group' (case-sensitive), got {show(object_type)}",
        )
    return object_type


def validate_group_only(value: object, path: str) -> None:
    """A Group where only a Group will do (context.team, contextGroup.group)."""
    obj = expect_object(value, path, "a Group object")
    expect_object_type(obj, path, "Group", required=True)
    validate_group(obj, path)


def validate_agent_only(value: object, path: str) -> None:
    """An Agent where only an Agent will do (contextAgent.agent)."""
    validate_agent_object(expect_object(value, path, "an Agent object"), path)


def validate_identified_actor(value: object, path: str) -> None:
    """An Agent or an identified Group: the ``agent`` parameter of the query and document APIs."""
    obj = expect_object(value, path, "an Agent or identified Group object")
    if validate_actor(obj, path) == "Group" and not any(key in obj for key in IFIS):
        fail(path, f"{name_of(path)} must be an Agent or an identified Group (a Group with one"
             " inverse functional identifier), not an anonymous Group")


def validate_authority(value: object, path: str) -> None:
    """An Agent, or for 3-legged OAuth an anonymous Group of exactly two Agents."""
    obj = expect_object(value, path, "an Agent or Group object")
    if validate_actor(obj, path) != "Group":
        return
    if any(key in obj for key in IFIS):
        fail(path, "an authority Group must be an anonymous Group of two Agents"
             " (OAuth consumer and user), not an identified Group")
    if len(obj["member"]) != 2:
        fail(child(path, "member"), "an authority Group must have exactly two members"
             f" (OAuth consumer and user), found {len(obj['member'])}")
