"""Agents and their identifiers: the keys the store indexes agents by."""

from __future__ import annotations

from typing import Any

IFI_PROPERTIES = ("mbox", "mbox_sha1sum", "openid", "account")


def agent_key(agent: dict[str, Any]) -> str | None:
    """A stable string for an agent's or identified group's IFI; None for anonymous groups.

    Two agents with the same key are the same agent to the xAPI API (xAPI Data
    2.4.2.1: an IFI identifies an agent; names are not identifiers).
    """
    if "mbox" in agent:
        return "mbox:" + str(agent["mbox"])
    if "mbox_sha1sum" in agent:
        return "mbox_sha1sum:" + str(agent["mbox_sha1sum"]).lower()
    if "openid" in agent:
        return "openid:" + str(agent["openid"])
    account = agent.get("account")
    if isinstance(account, dict):
        return f"account:{account.get('homePage', '')}|{account.get('name', '')}"
    return None


def ifi_only(agent: dict[str, Any]) -> dict[str, Any]:
    """The agent reduced to objectType and its IFI (the ``ids`` statement format)."""
    reduced: dict[str, Any] = {}
    if "objectType" in agent:
        reduced["objectType"] = agent["objectType"]
    for prop in IFI_PROPERTIES:
        if prop in agent:
            reduced[prop] = agent[prop]
            break
    return reduced


def person_from_agent(agent: dict[str, Any]) -> dict[str, Any]:
    """The Person object of the Agents resource for one known agent (xAPI Communication 2.6)."""
    person: dict[str, Any] = {"objectType": "Person"}
    if "name" in agent:
        person["name"] = [agent["name"]]
    for prop in IFI_PROPERTIES:
        if prop in agent:
            person[prop] = [agent[prop]]
    return person
