"""The ``format`` parameter of GET /statements: exact, ids, canonical (Communication 2.1.3)."""

from __future__ import annotations

import copy
from typing import Any

from lrs.domain.agents import ifi_only

FORMATS = ("exact", "ids", "canonical")


def format_statement(statement: dict[str, Any], fmt: str, languages: list[str]) -> dict[str, Any]:
    if fmt == "ids":
        return _ids(statement)
    if fmt == "canonical":
        return _canonical(statement, languages)
    return statement


def _ids(statement: dict[str, Any]) -> dict[str, Any]:
    result = copy.deepcopy(statement)
    result["actor"] = _agent_ids(result["actor"])
    result["verb"] = {"id": result["verb"]["id"]}
    result["object"] = _object_ids(result["object"])
    if "authority" in result:
        result["authority"] = _agent_ids(result["authority"])
    context = result.get("context")
    if context:
        for prop in ("instructor", "team"):
            if prop in context:
                context[prop] = _agent_ids(context[prop])
        for kind, activities in context.get("contextActivities", {}).items():
            context["contextActivities"][kind] = [_activity_ids(a) for a in activities]
        for item in context.get("contextAgents", []):
            item["agent"] = _agent_ids(item["agent"])
        for item in context.get("contextGroups", []):
            item["group"] = _agent_ids(item["group"])
    return result


def _agent_ids(agent: dict[str, Any]) -> dict[str, Any]:
    reduced = ifi_only(agent)
    if "member" in agent and len(reduced) <= 1:
        # An anonymous group is identified by its members.
        reduced["member"] = [ifi_only(m) for m in agent["member"]]
    return reduced


def _activity_ids(activity: dict[str, Any]) -> dict[str, Any]:
    return {"id": activity["id"]}


def _object_ids(obj: dict[str, Any]) -> dict[str, Any]:
    kind = obj.get("objectType", "Activity")
    if kind == "Activity":
        return _activity_ids(obj)
    if kind in ("Agent", "Group"):
        return _agent_ids(obj)
    if kind == "SubStatement":
        return _ids(obj)
    return obj


def _canonical(statement: dict[str, Any], languages: list[str]) -> dict[str, Any]:
    result = copy.deepcopy(statement)
    _pick_languages(result, languages)
    return result


# Language maps appear under these property names anywhere in a statement.
_LANGUAGE_MAP_KEYS = {"display", "name", "description"}


def _pick_languages(node: Any, languages: list[str]) -> None:
    if isinstance(node, list):
        for item in node:
            _pick_languages(item, languages)
        return
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        if key == "extensions":
            continue  # extension values are opaque data
        if key in _LANGUAGE_MAP_KEYS and isinstance(value, dict) and _is_language_map(value):
            node[key] = _best(value, languages)
        else:
            _pick_languages(value, languages)


def _is_language_map(value: dict[str, Any]) -> bool:
    return all(isinstance(v, str) for v in value.values())


def _best(language_map: dict[str, str], languages: list[str]) -> dict[str, str]:
    """One entry: the best match for the client's languages, else the first available."""
    if not language_map:
        return language_map
    lowered = {tag.lower(): tag for tag in language_map}
    for wanted in languages:
        wanted = wanted.lower()
        if wanted == "*":
            break
        if wanted in lowered:
            tag = lowered[wanted]
            return {tag: language_map[tag]}
        for low, tag in lowered.items():
            if low.split("-")[0] == wanted.split("-")[0]:
                return {tag: language_map[tag]}
    tag = next(iter(language_map))
    return {tag: language_map[tag]}


def accepted_languages(header: str | None) -> list[str]:
    """Language tags from an Accept-Language header, best first."""
    if not header:
        return []
    weighted = []
    for position, item in enumerate(header.split(",")):
        tag, _, params = item.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if tag and quality > 0:
            weighted.append((-quality, position, tag.strip()))
    return [tag for _, _, tag in sorted(weighted)]
