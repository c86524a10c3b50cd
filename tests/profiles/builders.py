"""Small synthetic profile documents for unit tests."""

from __future__ import annotations

import copy

PID = "https://example.org/profiles/test"
VERSION = PID + "/v1"
T = PID + "/templates/"
P = PID + "/patterns/"
VERB = "http://adlnet.gov/expapi/verbs/"
AT = PID + "/activity-types/"


def template(name: str, verb: str | None = "completed", rules=(), **extra) -> dict:
    body = {
        "id": T + name,
        "type": "StatementTemplate",
        "inScheme": VERSION,
        "prefLabel": {"en": name},
        "definition": {"en": f"the {name} template"},
    }
    if verb:
        body["verb"] = VERB + verb
    if rules:
        body["rules"] = list(rules)
    body.update(extra)
    return body


def pattern(name: str, kind: str, members, primary: bool = False) -> dict:
    body = {"id": P + name, "type": "Pattern", "inScheme": VERSION, kind: members}
    if primary:
        body.update(primary=True, prefLabel={"en": name}, definition={"en": name})
    return body


def profile(templates=(), patterns=(), concepts=(), **extra) -> dict:
    body = {
        "@context": "https://w3id.org/xapi/profiles/context",
        "id": PID,
        "type": "Profile",
        "conformsTo": "https://w3id.org/xapi/profiles#1.0",
        "prefLabel": {"en": "Test"},
        "definition": {"en": "A test profile"},
        "author": {"type": "Organization", "name": "Tests"},
        "versions": [{"id": VERSION, "generatedAtTime": "2026-01-01T00:00:00Z"}],
    }
    if concepts:
        body["concepts"] = copy.deepcopy(list(concepts))
    if templates:
        body["templates"] = copy.deepcopy(list(templates))
    if patterns:
        body["patterns"] = copy.deepcopy(list(patterns))
    body.update(extra)
    return body


def statement(verb: str = "completed", **extra) -> dict:
    body = {
        "id": "6f1b5a3e-0a6c-4a57-9a3f-0d6c1b9b2b1a",
        "actor": {"mbox": "mailto:a@example.org"},
        "verb": {"id": VERB + verb},
        "object": {"id": "https://example.org/course/1", "definition": {"type": AT + "course"}},
        "timestamp": "2026-01-01T00:00:00Z",
    }
    body.update(copy.deepcopy(extra))
    return body
