"""Statement validation against xAPI 1.0.3 and 2.0 (lrs.domain.statements.validation)."""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from lrs.domain.errors import ValidationError
from lrs.domain.statements.validation import (
    is_duration,
    is_language_tag,
    is_uuid,
    parse_timestamp,
    validate_agent,
    validate_duration,
    validate_language_map,
    validate_statement,
    validate_statements,
)

BOTH = ("1.0.3", "2.0.0")
V1 = ("1.0.3",)
V2 = ("2.0.0",)
DELETE = object()

UUID = "6690e6c9-3ef0-4ed3-8b37-7f3964730bee"
SHA256 = "495395e777cd98da653df9615d09c0fd6bb2f8d4788394cd53c56a3bfdcd848a"
AGENT = {"objectType": "Agent", "name": "A", "mbox": "mailto:a@example.com"}
AGENT2 = {"mbox": "mailto:b@example.com"}
ANON_GROUP = {"objectType": "Group", "member": [AGENT, AGENT2]}
ID_GROUP = {"objectType": "Group", "mbox": "mailto:team@example.com", "member": [AGENT]}
ACTIVITY = {"objectType": "Activity", "id": "http://example.com/activities/1"}
STATEMENT_REF = {"objectType": "StatementRef", "id": UUID}
ATTACHMENT = {
    "usageType": "http://example.com/attachment-usage/test",
    "display": {"en-US": "A test attachment"},
    "description": {"en-US": "A test attachment (description)"},
    "contentType": "text/plain; charset=ascii",
    "length": 27,
    "sha2": SHA256,
    "fileUrl": "http://over.there.com/file.txt",
}
SUBSTATEMENT = {
    "objectType": "SubStatement",
    "actor": AGENT,
    "verb": {"id": "http://example.com/verbs/will-visit", "display": {"en-US": "will visit"}},
    "object": ACTIVITY,
}
CONTEXT_AGENTS = [
    {
        "objectType": "contextAgent",
        "agent": {"objectType": "Agent", "mbox": "mailto:player-1@example.com"},
        "relevantTypes": ["https://example.com/types/player"],
    }
]
CONTEXT_GROUPS = [{"objectType": "contextGroup", "group": ID_GROUP}]


def statement() -> dict:
    return {
        "actor": copy.deepcopy(AGENT),
        "verb": {
            "id": "http://adlnet.gov/expapi/verbs/attended",
            "display": {"en-GB": "attended", "en-US": "attended"},
        },
        "object": copy.deepcopy(ACTIVITY),
    }


_STEP = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def patched(changes: dict) -> dict:
    """The default statement with ``{"a.b[0].c": value}`` applied (``DELETE`` removes)."""
    stmt = statement()
    for dotted, value in changes.items():
        steps = [int(i) if i else name for name, i in _STEP.findall(dotted)]
        target = stmt
        for step in steps[:-1]:
            if isinstance(step, str) and step not in target:
                target[step] = {}
            target = target[step]
        if value is DELETE:
            del target[steps[-1]]
        else:
            target[steps[-1]] = copy.deepcopy(value)
    return stmt


def definition(**fields) -> dict:
    return {"id": "http://example.com/q/1", "definition": fields}


# ---------------------------------------------------------------------------------------------
# statements the LRS must accept
# ---------------------------------------------------------------------------------------------
VALID = [
    ("minimal", {}, BOTH),
    ("no objectType on object", {"object.objectType": DELETE}, BOTH),
    ("no verb display", {"verb.display": DELETE}, BOTH),
    ("id uppercase, any variant", {"id": "AA97B177-9383-4934-0543-0F91A7A02836"}, BOTH),
    ("agent mbox_sha1sum", {"actor": {"mbox_sha1sum": "cd9b00a5611f94eaa7b1661edab976068e364975"}},
     BOTH),
    ("agent openid", {"actor": {"openid": "http://openid.example.org/12345"}}, BOTH),
    ("agent account", {"actor": {"account": {"homePage": "http://example.com", "name": "x"}}},
     BOTH),
    ("anonymous group actor", {"actor": ANON_GROUP}, BOTH),
    ("identified group without member", {"actor": {"objectType": "Group",
                                                   "openid": "http://example.com/g"}}, BOTH),
    ("identified group with empty member", {"actor": dict(ID_GROUP, member=[])}, BOTH),
    ("agent object", {"object": AGENT}, BOTH),
    ("group object", {"object": ANON_GROUP}, BOTH),
    ("statement ref object", {"object": STATEMENT_REF}, BOTH),
    ("substatement object", {"object": SUBSTATEMENT}, BOTH),
    ("substatement with everything allowed", {"object": dict(
        SUBSTATEMENT, result={"success": True}, timestamp="2099-01-01T00:00:00Z",
        context={"platform": "web"}, attachments=[ATTACHMENT])}, BOTH),
    ("voiding", {"verb.id": "http://adlnet.gov/expapi/verbs/voided", "object": STATEMENT_REF},
     BOTH),
    ("chinese IRIs", {"verb.id": "http://例子.测试/动词/完成", "object.id": "http://例子.测试/活动"},
     BOTH),
    ("full activity definition", {"object": definition(
        name={"en-US": "Q", "zh-Hant": "問"}, description={"sr-Latn-RS": "d"},
        type="http://adlnet.gov/expapi/activities/cmi.interaction",
        moreInfo="https://example.com/more", extensions={"http://example.com/x": None},
        interactionType="choice", correctResponsesPattern=["a[,]b", ""],
        choices=[{"id": "a", "description": {"en-US": "A"}}, {"id": "b"}])}, BOTH),
    ("likert", {"object": definition(interactionType="likert", scale=[{"id": "1"}])}, BOTH),
    ("matching", {"object": definition(interactionType="matching", source=[{"id": "a"}],
                                       target=[{"id": "a"}])}, BOTH),
    ("performance", {"object": definition(interactionType="performance", steps=[{"id": "s"}])},
     BOTH),
    ("sequencing", {"object": definition(interactionType="sequencing", choices=[{"id": "s"}])},
     BOTH),
    ("true-false", {"object": definition(interactionType="true-false",
                                         correctResponsesPattern=["true"])}, BOTH),
    ("result", {"result": {
        "score": {"scaled": -1, "raw": 0, "min": 0, "max": 0.5}, "success": False,
        "completion": True, "response": "", "duration": "PT1H0M0.1S",
        "extensions": {"http://example.com/e": {}}}}, BOTH),
    ("score scaled 1, raw alone", {"result.score": {"scaled": 1, "raw": -400}}, BOTH),
    ("duration weeks", {"result.duration": "P4W"}, BOTH),
    ("duration fraction precision", {"result.duration": "P1DT12H36M0.12567S"}, BOTH),
    ("duration seconds only", {"result.duration": "PT16559.14S"}, BOTH),
    ("duration comma decimal", {"result.duration": "PT0,5S"}, BOTH),
    ("context", {"context": {
        "registration": UUID, "instructor": AGENT, "team": ANON_GROUP,
        "contextActivities": {"parent": ACTIVITY, "grouping": [ACTIVITY], "category": [],
                              "other": [ACTIVITY, {"id": "http://example.com/b"}]},
        "revision": "r1", "platform": "web", "language": "cmn", "statement": STATEMENT_REF,
        "extensions": {"http://example.com/c": None}}}, BOTH),
    ("context instructor group", {"context.instructor": ID_GROUP}, BOTH),
    ("context agents and groups", {"context": {"contextAgents": CONTEXT_AGENTS,
                                               "contextGroups": CONTEXT_GROUPS}}, V2),
    ("context agents without relevantTypes", {"context.contextAgents": [
        {"objectType": "contextAgent", "agent": AGENT}]}, V2),
    ("timestamp Z", {"timestamp": "2015-11-18T12:17:00Z"}, BOTH),
    ("timestamp offset, nanoseconds", {"timestamp": "2015-11-18T12:17:00.123456789+05:30"},
     BOTH),
    ("timestamp +00:00", {"timestamp": "2008-09-15T15:53:00.601+00:00"}, BOTH),
    ("timestamp basic format", {"timestamp": "20151118T121700.5-0500"}, BOTH),
    ("timestamp without seconds", {"timestamp": "2015-11-18T12:17Z"}, BOTH),
    ("timestamp without offset", {"timestamp": "2015-11-18T12:17:00.123"}, V1),
    ("future timestamp", {"timestamp": "2999-01-01T00:00:00Z"}, BOTH),
    ("stored and authority", {"stored": "2015-11-18T12:17:00Z", "authority": AGENT}, BOTH),
    ("oauth authority", {"authority": {"objectType": "Group", "member": [
        {"account": {"homePage": "http://example.com/xAPI/OAuth/Token", "name": "consumer"}},
        AGENT2]}}, BOTH),
    ("version 1.0", {"version": "1.0"}, BOTH),
    ("version 1.0.9", {"version": "1.0.9"}, BOTH),
    ("version 2.0.0", {"version": "2.0.0"}, V2),
    ("attachments", {"attachments": [ATTACHMENT, {k: v for k, v in ATTACHMENT.items()
                                                  if k not in ("fileUrl", "description")}]},
     BOTH),
    ("attachment sha512, integral float length", {"attachments": [
        dict(ATTACHMENT, sha2="ab" * 64, length=27.0, contentType='multipart/x; a="b;c"')]}, BOTH),
    ("language tags", {"verb.display": {
        "de": "x", "es-419": "x", "zh-Hans-CN": "x", "sl-rozaj-biske": "x", "i-klingon": "x",
        "x-private": "x", "en-a-bbb-x-a-ccc": "x", "de-CH-1901": "x", "EN-us": "x"}}, BOTH),
    ("extension values free", {"context.extensions": {
        "http://example.com/a": None, "http://example.com/b": "", "urn:x:c": [1, {"k": None}]}},
     BOTH),
]


@pytest.mark.parametrize(
    ("version", "changes"),
    [pytest.param(v, changes, id=f"{name}-{v}") for name, changes, versions in VALID
     for v in versions],
)
def test_accepts_valid_statement(version, changes):
    stmt = patched(changes)
    before = copy.deepcopy(stmt)
    validate_statement(stmt, version)
    assert stmt == before, "validation must not modify the statement"


# ---------------------------------------------------------------------------------------------
# statements the LRS must refuse: (name, changes, versions, expected path, message fragment)
# ---------------------------------------------------------------------------------------------
S = "statement"
INVALID = [
    # statement level
    ("unknown property", {"dummy": 1}, BOTH, "statement.dummy", "not a property"),
    ("key case", {"Verb": {"id": "http://x.com/v"}}, BOTH, "statement.Verb", "case-sensitive"),
    ("objectType on statement", {"objectType": "Statement"}, BOTH, "statement.objectType", ""),
    ("missing actor", {"actor": DELETE}, BOTH, "statement.actor", "requires 'actor'"),
    ("missing verb", {"verb": DELETE}, BOTH, "statement.verb", "requires 'verb'"),
    ("missing object", {"object": DELETE}, BOTH, "statement.object", "requires 'object'"),
    ("id not uuid", {"id": "AA97B177-9383-4934-8543-0F91A7A028368"}, BOTH, "statement.id",
     "UUID"),
    ("id non-hex", {"id": "MA97B177-9383-4934-8543-0F91A7A02836"}, BOTH, "statement.id", "UUID"),
    ("id number", {"id": 12345}, BOTH, "statement.id", "must be a string, not a number"),
    ("id trailing newline", {"id": UUID + "\n"}, BOTH, "statement.id", "UUID"),
    ("version 1.1.0", {"version": "1.1.0"}, BOTH, "statement.version", "1.0"),
    ("version 0.9.9", {"version": "0.9.9"}, BOTH, "statement.version", ""),
    ("version 2.0.0 under 1.0.3", {"version": "2.0.0"}, V1, "statement.version", ""),
    ("version number", {"version": 1.0}, BOTH, "statement.version", "string"),
    # actor / agent / group
    ("actor null", {"actor": None}, BOTH, "statement.actor", "must not be null"),
    ("agent without ifi", {"actor": {"name": "x"}}, BOTH, "statement.actor", "exactly one"),
    ("agent two ifis", {"actor.openid": "http://openid.example.org/1"}, BOTH, "statement.actor",
     "found 2"),
    ("agent name number", {"actor.name": 123}, BOTH, "statement.actor.name", "string"),
    ("agent name null", {"actor.name": None}, BOTH, "statement.actor.name", "null"),
    ("agent objectType lowercase", {"actor.objectType": "agent"}, BOTH,
     "statement.actor.objectType", "case-sensitive"),
    ("agent objectType number", {"actor.objectType": 123}, BOTH, "statement.actor.objectType",
     "string"),
    ("agent with member", {"actor.member": []}, BOTH, "statement.actor.member", "Group"),
    ("mbox not mailto", {"actor.mbox": "http://should.fail.com"}, BOTH, "statement.actor.mbox",
     "mailto"),
    ("mbox without address", {"actor.mbox": "mailto:should.fail.com"}, BOTH,
     "statement.actor.mbox", "mailto"),
    ("mbox_sha1sum short", {"actor": {"mbox_sha1sum": "cd9b00a5"}}, BOTH,
     "statement.actor.mbox_sha1sum", "SHA-1"),
    ("openid without scheme", {"actor": {"openid": "open.id.com/testUser"}}, BOTH,
     "statement.actor.openid", "IRI"),
    ("account no homePage", {"actor": {"account": {"name": "x"}}}, BOTH,
     "statement.actor.account.homePage", "requires 'homePage'"),
    ("account no name", {"actor": {"account": {"homePage": "http://x.com"}}}, BOTH,
     "statement.actor.account.name", "requires 'name'"),
    ("account homePage not IRL", {"actor": {"account": {"homePage": "homePage.com/u",
                                                        "name": "1"}}}, BOTH,
     "statement.actor.account.homePage", "IRL"),
    ("account name object", {"actor": {"account": {"homePage": "http://x.com",
                                                   "name": {"k": "v"}}}}, BOTH,
     "statement.actor.account.name", "string"),
    ("account extra key", {"actor": {"account": {"homePage": "http://x.com", "name": "n",
                                                 "id": 1}}}, BOTH,
     "statement.actor.account.id", "not a property"),
    ("anonymous group without member", {"actor": {"objectType": "Group"}}, BOTH,
     "statement.actor.member", "anonymous Group"),
    ("anonymous group empty member", {"actor": {"objectType": "Group", "member": []}}, BOTH,
     "statement.actor.member", "empty"),
    ("group member object", {"actor": {"objectType": "Group", "member": AGENT}}, BOTH,
     "statement.actor.member", "array"),
    ("group in group", {"actor": {"objectType": "Group", "member": [ANON_GROUP]}}, BOTH,
     "statement.actor.member[0].objectType", "Agents, not Groups"),
    ("group member invalid", {"actor": {"objectType": "Group", "member": [AGENT, {"name": "x"}]}},
     BOTH, "statement.actor.member[1]", "exactly one"),
    ("group two ifis", {"actor": dict(ID_GROUP, openid="http://x.com/g")}, BOTH,
     "statement.actor", "found 2"),
    # verb
    ("verb id without scheme", {"verb.id": "adlnet.gov/expapi/verbs/attended"}, BOTH,
     "statement.verb.id", "IRI"),
    ("verb without id", {"verb.id": DELETE}, BOTH, "statement.verb.id", "requires 'id'"),
    ("verb display string", {"verb.display": "attended"}, BOTH, "statement.verb.display",
     "language map"),
    ("verb display bad tag", {"verb.display": {"a12345": "attended"}}, BOTH,
     'statement.verb.display["a12345"]', "RFC 5646"),
    ("verb display null value", {"verb.display": {"en-US": None}}, BOTH,
     'statement.verb.display["en-US"]', "null"),
    ("verb extra key", {"verb.name": "x"}, BOTH, "statement.verb.name", "not a property"),
    ("voiding needs StatementRef", {"verb.id": "http://adlnet.gov/expapi/verbs/voided"}, BOTH,
     "statement.object", "StatementRef"),
    # object
    ("object objectType wrong case", {"object.objectType": "activity"}, BOTH,
     "statement.object.objectType", "case-sensitive"),
    ("agent object without objectType", {"object": AGENT2}, BOTH, "statement.object.objectType",
     "required"),
    ("group object without objectType", {"object": {"member": [AGENT]}}, BOTH,
     "statement.object.objectType", "required"),
    ("activity without id", {"object.id": DELETE}, BOTH, "statement.object.id", "requires 'id'"),
    ("activity id not IRI", {"object.id": "ab=c://should.fail.com"}, BOTH, "statement.object.id",
     "IRI"),
    ("activity id with space", {"object.id": "http://example.com/a b"}, BOTH,
     "statement.object.id", "IRI"),
    ("definition name string", {"object.definition": {"name": "x"}}, BOTH,
     "statement.object.definition.name", "language map"),
    ("definition description bad tag", {"object.definition": {"description": {"something": "x"}}},
     BOTH, 'statement.object.definition.description["something"]', "RFC 5646"),
    ("definition type not IRI", {"object.definition": {"type": "should error"}}, BOTH,
     "statement.object.definition.type", "IRI"),
    ("definition moreInfo not IRL", {"object.definition": {"moreInfo": "example.com/more"}},
     BOTH, "statement.object.definition.moreInfo", "IRL"),
    ("definition extension key", {"object.definition": {"extensions": {"not.valid/x": 1}}}, BOTH,
     'statement.object.definition.extensions["not.valid/x"]', "IRI"),
    ("definition unknown key", {"object.definition": {"title": "x"}}, BOTH,
     "statement.object.definition.title", "not a property"),
    ("interactionType wrong case", {"object": definition(interactionType="true-faLse")}, BOTH,
     "statement.object.definition.interactionType", "case-sensitive"),
    ("interactionType IRI", {"object": definition(interactionType="http://x.com/choice")}, BOTH,
     "statement.object.definition.interactionType", "one of"),
    ("correctResponsesPattern without interactionType",
     {"object": definition(correctResponsesPattern=["a"])}, BOTH,
     "statement.object.definition.interactionType", "correctResponsesPattern"),
    ("choices without interactionType", {"object": definition(choices=[{"id": "a"}])}, BOTH,
     "statement.object.definition.interactionType", "choices"),
    ("correctResponsesPattern string", {"object": definition(
        interactionType="fill-in", correctResponsesPattern="a")}, BOTH,
     "statement.object.definition.correctResponsesPattern", "array"),
    ("correctResponsesPattern number item", {"object": definition(
        interactionType="numeric", correctResponsesPattern=["1", 2])}, BOTH,
     "statement.object.definition.correctResponsesPattern[1]", "string"),
    ("scale on choice", {"object": definition(interactionType="choice", scale=[{"id": "a"}])},
     BOTH, "statement.object.definition.scale", "not allowed for interactionType 'choice'"),
    ("choices on true-false", {"object": definition(interactionType="true-false",
                                                    choices=[{"id": "a"}])}, BOTH,
     "statement.object.definition.choices", "not allowed"),
    ("duplicate component ids", {"object": definition(
        interactionType="choice", choices=[{"id": "a"}, {"id": "b"}, {"id": "a"}])}, BOTH,
     "statement.object.definition.choices[2].id", "distinct"),
    ("component without id", {"object": definition(interactionType="likert",
                                                    scale=[{"description": {"en": "x"}}])},
     BOTH, "statement.object.definition.scale[0].id", "requires 'id'"),
    ("component bad description", {"object": definition(
        interactionType="matching", source=[{"id": "a", "description": {"a12345678": "x"}}])},
     BOTH, 'statement.object.definition.source[0].description["a12345678"]', "RFC 5646"),
    ("component unknown key", {"object": definition(interactionType="performance",
                                                    steps=[{"id": "a", "name": "x"}])}, BOTH,
     "statement.object.definition.steps[0].name", "not a property"),
    ("statement ref without objectType", {"object": {"id": UUID}}, BOTH, "statement.object.id",
     "IRI"),
    ("statement ref without id", {"object": {"objectType": "StatementRef"}}, BOTH,
     "statement.object.id", "requires 'id'"),
    ("statement ref bad id", {"object": {"objectType": "StatementRef", "id": 12345}}, BOTH,
     "statement.object.id", "string"),
    ("statement ref extra key", {"object": dict(STATEMENT_REF, definition={})}, BOTH,
     "statement.object.definition", "not a property"),
    # substatement
    ("substatement with id", {"object": dict(SUBSTATEMENT, id=UUID)}, BOTH,
     "statement.object.id", "must not have 'id'"),
    ("substatement with stored", {"object": dict(SUBSTATEMENT, stored="2015-11-18T12:17:00Z")},
     BOTH, "statement.object.stored", "must not"),
    ("substatement with version", {"object": dict(SUBSTATEMENT, version="1.0.0")}, BOTH,
     "statement.object.version", "must not"),
    ("substatement with authority", {"object": dict(SUBSTATEMENT, authority=AGENT)}, BOTH,
     "statement.object.authority", "must not"),
    ("nested substatement", {"object": dict(SUBSTATEMENT, object=SUBSTATEMENT)}, BOTH,
     "statement.object.object.objectType", "another SubStatement"),
    ("substatement without verb", {"object": {k: v for k, v in SUBSTATEMENT.items()
                                              if k != "verb"}}, BOTH,
     "statement.object.verb", "requires 'verb'"),
    ("substatement bad timestamp", {"object": dict(SUBSTATEMENT, timestamp="01/011/2015")}, BOTH,
     "statement.object.timestamp", "ISO 8601"),
    ("substatement actor", {"object": dict(SUBSTATEMENT, actor={"objectType": "group"})}, BOTH,
     "statement.object.actor.objectType", "case-sensitive"),
    # result
    ("result extra key", {"result": {"scores": {}}}, BOTH, "statement.result.scores",
     "not a property"),
    ("success string", {"result": {"success": "true"}}, BOTH, "statement.result.success",
     "boolean"),
    ("completion number", {"result": {"completion": 1}}, BOTH, "statement.result.completion",
     "boolean"),
    ("response number", {"result": {"response": 1}}, BOTH, "statement.result.response",
     "string"),
    ("duration bad", {"result": {"duration": "PA1H0M0S"}}, BOTH, "statement.result.duration",
     "ISO 8601 duration"),
    ("duration weeks and days", {"result": {"duration": "P4W1D"}}, BOTH,
     "statement.result.duration", "duration"),
    ("duration empty time", {"result": {"duration": "P1DT"}}, BOTH, "statement.result.duration",
     "duration"),
    ("duration fraction not last", {"result": {"duration": "PT1.5H3M"}}, BOTH,
     "statement.result.duration", "duration"),
    ("duration alternative format", {"result": {"duration": "P0003-06-04T12:30:05"}}, BOTH,
     "statement.result.duration", "duration"),
    ("duration object", {"result": {"duration": {"key": "invalid"}}}, BOTH,
     "statement.result.duration", "string"),
    ("score scaled > 1", {"result": {"score": {"scaled": 1.01}}}, BOTH,
     "statement.result.score.scaled", "between -1 and 1"),
    ("score scaled < -1", {"result": {"score": {"scaled": -2}}}, BOTH,
     "statement.result.score.scaled", "between -1 and 1"),
    ("score raw string", {"result": {"score": {"raw": "5"}}}, BOTH, "statement.result.score.raw",
     "number"),
    ("score raw boolean", {"result": {"score": {"raw": True}}}, BOTH,
     "statement.result.score.raw", "number"),
    ("score min = max", {"result": {"score": {"min": 5, "max": 5}}}, BOTH,
     "statement.result.score.min", "less than max"),
    ("score raw < min", {"result": {"score": {"raw": 1, "min": 2}}}, BOTH,
     "statement.result.score.raw", "less than min"),
    ("score raw > max", {"result": {"score": {"raw": 11, "min": 0, "max": 10}}}, BOTH,
     "statement.result.score.raw", "greater than max"),
    ("score extra key", {"result": {"score": {"percent": 1}}}, BOTH,
     "statement.result.score.percent", "not a property"),
    ("score NaN", {"result": {"score": {"raw": float("nan")}}}, BOTH,
     "statement.result.score.raw", "finite"),
    ("result extensions key", {"result": {"extensions": {"example.com/extension/wrong": 1}}},
     BOTH, 'statement.result.extensions["example.com/extension/wrong"]', "IRI"),
    # context
    ("context null", {"context": None}, BOTH, "statement.context", "null"),
    ("registration not uuid", {"context": {"registration": "should fail"}}, BOTH,
     "statement.context.registration", "UUID"),
    ("registration null", {"context": {"registration": None}}, BOTH,
     "statement.context.registration", "null"),
    ("instructor invalid", {"context": {"instructor": {"key": "value"}}}, BOTH,
     "statement.context.instructor.key", "not a property"),
    ("team agent", {"context": {"team": AGENT}}, BOTH, "statement.context.team.objectType",
     "'Group'"),
    ("team without objectType", {"context": {"team": {"member": [AGENT]}}}, BOTH,
     "statement.context.team.objectType", "required"),
    ("revision number", {"context": {"revision": 1}}, BOTH, "statement.context.revision",
     "string"),
    ("revision with StatementRef", {"object": STATEMENT_REF, "context": {"revision": "1"}}, BOTH,
     "statement.context.revision", "Activity"),
    ("platform with Agent", {"object": AGENT, "context": {"platform": "web"}}, BOTH,
     "statement.context.platform", "Activity"),
    ("platform with SubStatement", {"object": SUBSTATEMENT, "context": {"platform": "web"}},
     BOTH, "statement.context.platform", "SubStatement"),
    ("substatement context platform", {"object": dict(SUBSTATEMENT, object=STATEMENT_REF,
                                                      context={"platform": "x"})}, BOTH,
     "statement.object.context.platform", "Activity"),
    ("language invalid", {"context": {"language": "something"}}, BOTH,
     "statement.context.language", "RFC 5646"),
    ("language duplicate singleton", {"context": {"language": "zh-z-aaa-z-bbb-c-ccc"}}, BOTH,
     "statement.context.language", "RFC 5646"),
    ("language duplicate variant", {"context": {"language": "de-1901-1901"}}, BOTH,
     "statement.context.language", "RFC 5646"),
    ("context statement wrong case", {"context": {"statement": {"objectType": "statementref",
                                                                "id": UUID}}}, BOTH,
     "statement.context.statement.objectType", "StatementRef"),
    ("context statement without objectType", {"context": {"statement": {"id": UUID}}}, BOTH,
     "statement.context.statement.objectType", "required"),
    ("context extension key", {"context": {"extensions": {"example.com/x": 1}}}, BOTH,
     'statement.context.extensions["example.com/x"]', "IRI"),
    ("context unknown key", {"context": {"contextActivity": {}}}, BOTH,
     "statement.context.contextActivity", "not a property"),
    ("contextActivities unknown key", {"context": {"contextActivities": {"consequences": []}}},
     BOTH, "statement.context.contextActivities.consequences", "not a property"),
    ("contextActivities string", {"context": {"contextActivities": {"parent": "http://x.com"}}},
     BOTH, "statement.context.contextActivities.parent", "Activity object or an array"),
    ("contextActivities bad item", {"context": {"contextActivities": {
        "parent": [ACTIVITY, {"id": "nope"}]}}}, BOTH,
     "statement.context.contextActivities.parent[1].id", "IRI"),
    ("contextActivities single bad", {"context": {"contextActivities": {"other": {"key": 1}}}},
     BOTH, "statement.context.contextActivities.other.key", "not a property"),
    ("contextAgents under 1.0.3", {"context": {"contextAgents": CONTEXT_AGENTS}}, V1,
     "statement.context.contextAgents", "1.0.3"),
    ("contextGroups under 1.0.3", {"context": {"contextGroups": CONTEXT_GROUPS}}, V1,
     "statement.context.contextGroups", "1.0.3"),
    ("contextAgent objectType", {"context": {"contextAgents": [
        dict(CONTEXT_AGENTS[0], objectType="Should fail")]}}, V2,
     "statement.context.contextAgents[0].objectType", "contextAgent"),
    ("contextAgent without objectType", {"context": {"contextAgents": [
        {"agent": AGENT}]}}, V2, "statement.context.contextAgents[0].objectType", "required"),
    ("contextAgent agent invalid", {"context": {"contextAgents": [
        {"objectType": "contextAgent", "agent": {"key": "x"}}]}}, V2,
     "statement.context.contextAgents[0].agent.key", "not a property"),
    ("contextAgent group as agent", {"context": {"contextAgents": [
        {"objectType": "contextAgent", "agent": ID_GROUP}]}}, V2,
     "statement.context.contextAgents[0].agent.member", "Group"),
    ("contextAgent empty relevantTypes", {"context": {"contextAgents": [
        dict(CONTEXT_AGENTS[0], relevantTypes=[])]}}, V2,
     "statement.context.contextAgents[0].relevantTypes", "empty"),
    ("contextAgent relevantTypes not IRI", {"context": {"contextAgents": [
        dict(CONTEXT_AGENTS[0], relevantTypes=["abc"])]}}, V2,
     "statement.context.contextAgents[0].relevantTypes[0]", "IRI"),
    ("contextAgents object", {"context": {"contextAgents": CONTEXT_AGENTS[0]}}, V2,
     "statement.context.contextAgents", "array"),
    ("contextGroup extra key", {"context": {"contextGroups": [
        dict(CONTEXT_GROUPS[0], member=[AGENT])]}}, V2,
     "statement.context.contextGroups[0].member", "not a property"),
    ("contextGroup group invalid", {"context": {"contextGroups": [
        {"objectType": "contextGroup", "group": {"key": "x"}}]}}, V2,
     "statement.context.contextGroups[0].group.objectType", "required"),
    ("contextGroup agent", {"context": {"contextGroups": [
        {"objectType": "contextGroup", "group": AGENT}]}}, V2,
     "statement.context.contextGroups[0].group.objectType", "'Group'"),
    ("contextGroup relevantTypes", {"context": {"contextGroups": [
        dict(CONTEXT_GROUPS[0], relevantTypes=["abc"])]}}, V2,
     "statement.context.contextGroups[0].relevantTypes[0]", "IRI"),
    # timestamp / stored
    ("timestamp string", {"timestamp": "should fail"}, BOTH, "statement.timestamp", "ISO 8601"),
    ("timestamp date only", {"timestamp": "2015-11-18"}, BOTH, "statement.timestamp", ""),
    ("timestamp -00", {"timestamp": "2008-09-15T15:53:00.601-00"}, BOTH, "statement.timestamp",
     "negative zero"),
    ("timestamp -0000", {"timestamp": "2008-09-15T15:53:00.601-0000"}, BOTH,
     "statement.timestamp", "negative zero"),
    ("timestamp -00:00", {"timestamp": "2008-09-15T15:53:00.601-00:00"}, BOTH,
     "statement.timestamp", "negative zero"),
    ("timestamp no offset in 2.0", {"timestamp": "2015-11-18T12:17:00.123"}, V2,
     "statement.timestamp", "time zone"),
    ("timestamp February 30", {"timestamp": "2015-02-30T12:17:00Z"}, BOTH, "statement.timestamp",
     "valid date"),
    ("timestamp hour 25", {"timestamp": "2015-02-03T25:17:00Z"}, BOTH, "statement.timestamp",
     "valid date"),
    ("timestamp null", {"timestamp": None}, BOTH, "statement.timestamp", "null"),
    ("timestamp space", {"timestamp": "2015-11-18 12:17:00Z"}, BOTH, "statement.timestamp", ""),
    ("stored invalid", {"stored": "yesterday"}, BOTH, "statement.stored", "ISO 8601"),
    # authority
    ("authority not object", {"authority": "me"}, BOTH, "statement.authority", "object"),
    ("authority identified group", {"authority": dict(ID_GROUP, member=[AGENT, AGENT2])}, BOTH,
     "statement.authority", "anonymous"),
    ("authority one member", {"authority": {"objectType": "Group", "member": [AGENT]}}, BOTH,
     "statement.authority.member", "exactly two"),
    ("authority three members", {"authority": {"objectType": "Group",
                                               "member": [AGENT, AGENT2, AGENT]}}, BOTH,
     "statement.authority.member", "exactly two"),
    ("authority invalid agent", {"authority": {"objectType": "Agent"}}, BOTH,
     "statement.authority", "exactly one"),
    # attachments
    ("attachments object", {"attachments": ATTACHMENT}, BOTH, "statement.attachments", "array"),
    ("attachment string", {"attachments": ["x"]}, BOTH, "statement.attachments[0]", "object"),
    ("attachment usageType", {"attachments": [dict(ATTACHMENT, usageType="should fail")]}, BOTH,
     "statement.attachments[0].usageType", "IRI"),
    ("attachment no display", {"attachments": [{k: v for k, v in ATTACHMENT.items()
                                                if k != "display"}]}, BOTH,
     "statement.attachments[0].display", "requires 'display'"),
    ("attachment display bad tag", {"attachments": [
        dict(ATTACHMENT, display={"en-US": "a", "something": "b"})]}, BOTH,
     'statement.attachments[0].display["something"]', "RFC 5646"),
    ("attachment contentType number", {"attachments": [dict(ATTACHMENT, contentType=999)]},
     BOTH, "statement.attachments[0].contentType", "string"),
    ("attachment contentType not media type", {"attachments": [
        dict(ATTACHMENT, contentType="text")]}, BOTH, "statement.attachments[0].contentType",
     "media type"),
    ("attachment length string", {"attachments": [dict(ATTACHMENT, length="27")]}, BOTH,
     "statement.attachments[0].length", "number"),
    ("attachment length fraction", {"attachments": [dict(ATTACHMENT, length=2.5)]}, BOTH,
     "statement.attachments[0].length", "integer"),
    ("attachment length negative", {"attachments": [dict(ATTACHMENT, length=-1)]}, BOTH,
     "statement.attachments[0].length", "negative"),
    ("attachment sha2 number", {"attachments": [dict(ATTACHMENT, sha2=12345)]}, BOTH,
     "statement.attachments[0].sha2", "string"),
    ("attachment sha2 not hex", {"attachments": [dict(ATTACHMENT, sha2="should fail")]}, BOTH,
     "statement.attachments[0].sha2", "SHA-2"),
    ("attachment fileUrl", {"attachments": [dict(ATTACHMENT, fileUrl="over.there.com/f.txt")]},
     BOTH, "statement.attachments[0].fileUrl", "IRL"),
    ("attachment extra key", {"attachments": [ATTACHMENT, dict(ATTACHMENT, data="x")]}, BOTH,
     "statement.attachments[1].data", "not a property"),
]


@pytest.mark.parametrize(
    ("version", "changes", "path", "fragment"),
    [pytest.param(v, changes, path, fragment, id=f"{name}-{v}")
     for name, changes, versions, path, fragment in INVALID for v in versions],
)
def test_refuses_invalid_statement(version, changes, path, fragment):
    stmt = patched(changes)
    with pytest.raises(ValidationError) as caught:
        validate_statement(stmt, version)
    assert caught.value.path == path, str(caught.value)
    assert fragment in caught.value.message, str(caught.value)
    assert caught.value.status == 400


@pytest.mark.parametrize("value", [None, [], "statement", 42])
def test_statement_must_be_an_object(value):
    with pytest.raises(ValidationError) as caught:
        validate_statement(value, "2.0.0", path="statements[7]")
    assert caught.value.path == "statements[7]"


def test_custom_path_prefix():
    with pytest.raises(ValidationError) as caught:
        validate_statement(patched({"actor.mbox": "x"}), "1.0.3", path="statements[3]")
    assert caught.value.path == "statements[3].actor.mbox"


def test_unsupported_version_is_a_programming_error():
    with pytest.raises(ValueError, match="unsupported"):
        validate_statement(statement(), "0.95")


# ---------------------------------------------------------------------------------------------
# validate_statements (POST body)
# ---------------------------------------------------------------------------------------------
def test_statements_single_object_becomes_list():
    stmt = statement()
    assert validate_statements(stmt, "2.0.0") == [stmt]


def test_statements_list_is_returned_unchanged():
    body = [statement(), patched({"object": STATEMENT_REF})]
    snapshot = copy.deepcopy(body)
    assert validate_statements(body, "1.0.3") is body
    assert body == snapshot


@pytest.mark.parametrize(
    ("body", "path", "fragment"),
    [
        ([], "statements", "empty"),
        ("text", "statements", "array"),
        (None, "statements", "array"),
        ([statement(), statement(), patched({"actor.mbox": "bad"})], "statements[2].actor.mbox",
         "mailto"),
        ([statement(), 5], "statements[1]", "object"),
        (patched({"verb.id": "nope"}), "statement.verb.id", "IRI"),
        ([patched({"id": UUID}), patched({"id": UUID.upper()})], "statements[1].id", "twice"),
    ],
)
def test_statements_refused(body, path, fragment):
    with pytest.raises(ValidationError) as caught:
        validate_statements(body, "2.0.0")
    assert caught.value.path == path
    assert fragment in caught.value.message


# ---------------------------------------------------------------------------------------------
# validate_agent (agent parameter)
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("agent", [AGENT, AGENT2, ID_GROUP, {"objectType": "Group",
                                                              "mbox": "mailto:g@example.com"}])
def test_agent_parameter_accepts_agent_or_identified_group(agent):
    validate_agent(agent, "1.0.3")


@pytest.mark.parametrize(
    ("agent", "path", "fragment"),
    [
        (ANON_GROUP, "agent", "anonymous"),
        ("wrong", "agent", "object"),
        ({"mbox": "xapi@adlnet.gov"}, "agent.mbox", "mailto"),
        ({"name": "nobody"}, "agent", "exactly one"),
        ({"objectType": "Activity", "id": "http://x.com"}, "agent.objectType", "'Agent' or"),
    ],
)
def test_agent_parameter_refused(agent, path, fragment):
    with pytest.raises(ValidationError) as caught:
        validate_agent(agent, "2.0.0")
    assert caught.value.path == path
    assert fragment in caught.value.message


# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------
def test_language_map_helper():
    assert validate_language_map({"en-US": "x"}) == {"en-US": "x"}
    with pytest.raises(ValidationError) as caught:
        validate_language_map({"en-US": 1}, "display")
    assert caught.value.path == 'display["en-US"]'


@pytest.mark.parametrize(
    ("value", "valid"),
    [("P1Y2M3DT4H5M6.7S", True), ("PT0S", True), ("P0.5D", True), ("P", False), ("PT", False),
     ("1H", False), ("P1H", False), ("PT1D", False), ("P1.5Y2M", False), ("-P1D", False),
     ("P1W\n", False), (3, False)],
)
def test_durations(value, valid):
    assert is_duration(value) is valid
    if valid:
        assert validate_duration(value) == value
    else:
        with pytest.raises(ValidationError):
            validate_duration(value, "result.duration")


@pytest.mark.parametrize(
    ("value", "valid"),
    [(UUID, True), (UUID.upper(), True), ("00000000-0000-0000-0000-000000000000", True),
     ("6690e6c93ef04ed38b377f3964730bee", False), ("{" + UUID + "}", False), ("", False),
     (None, False)],
)
def test_uuids(value, valid):
    assert is_uuid(value) is valid


@pytest.mark.parametrize(
    ("tag", "valid"),
    [("en", True), ("en-US", True), ("zh-Hant", True), ("sr-Latn-RS", True), ("cmn", True),
     ("es-419", True), ("zh-yue-HK", True), ("x-whatever", True), ("en-GB-oed", True),
     ("de-CH-x-phonebk", True), ("", False), ("e", False), ("something", False),
     ("a12345", False), ("en_US", False), ("en-", False), ("zh-z-aaa-z-bbb-c-ccc", False),
     ("en-US-x", False), ("123", False)],
)
def test_language_tags(tag, valid):
    assert is_language_tag(tag) is valid


def test_parse_timestamp_values():
    assert parse_timestamp("2023-05-04T12:00:00-05:00") == datetime(2023, 5, 4, 17, tzinfo=UTC)
    parsed = parse_timestamp("2015-11-18T12:17:00.1234567+05:30", "1.0.3")
    assert parsed.microsecond == 123456
    assert parsed.utcoffset() == timedelta(hours=5, minutes=30)
    assert parse_timestamp("2015-11-18T12:17:00", "1.0.3").tzinfo == UTC
    assert parse_timestamp("20151118T1217Z").tzinfo == UTC
    with pytest.raises(ValidationError) as caught:
        parse_timestamp("2015-11-18T12:17:00", "2.0.0", path="since")
    assert caught.value.path == "since"
    assert "time zone" in caught.value.message


# ---------------------------------------------------------------------------------------------
# The ADL conformance suite's data-driven cases (test/<version>/configs/*.js), when available.
# ---------------------------------------------------------------------------------------------
SUITE = Path(os.environ.get("LRS_CONFORMANCE_SUITE", "/work/conformance/suite"))
_EXTRACT_JS = r"""
const path = require('path'); const fs = require('fs');
const helper = require(path.join(process.cwd(), 'test/helper.js'));
const out = [];
for (const file of fs.readdirSync(path.join('test', process.env.DIRECTORY, 'configs'))) {
  if (!file.endsWith('.js')) continue;
  for (const c of helper.getSingleTestConfiguration(file)) for (const t of c.config) {
    let data = t.json;
    if (t.templates) {
      const mock = helper.createTestObject(helper.convertTemplate(t.templates));
      data = mock[Object.keys(mock)[0]];
    }
    out.push({name: file + ' :: ' + t.name, expect: t.expect[0], data});
  }
}
process.stdout.write(JSON.stringify(out));
"""


def _suite_cases(directory: str, tmp_dir: Path) -> list[dict]:
    script = tmp_dir / f"extract_{directory}.js"
    script.write_text(_EXTRACT_JS)
    env = dict(os.environ, DIRECTORY=directory, EB_NODE_COMMAND="1")
    done = subprocess.run(["node", str(script)], cwd=SUITE, env=env, capture_output=True,
                          text=True, timeout=120, check=True)
    return json.loads(done.stdout)


@pytest.mark.skipif(shutil.which("node") is None or not (SUITE / "test" / "helper.js").exists(),
                    reason="ADL conformance suite or node not available")
@pytest.mark.parametrize(("directory", "version"), [("v1_0_3", "1.0.3"), ("v2_0", "2.0.0")])
def test_conformance_suite_statement_cases(directory, version, tmp_path):
    cases = _suite_cases(directory, tmp_path)
    assert len(cases) > 900
    wrong = []
    for case in cases:
        try:
            validate_statements(case["data"], version)
            outcome = 200
        except ValidationError as exc:
            outcome, reason = 400, str(exc)
        if (outcome == 400) != (case["expect"] == 400):
            wrong.append(f"{case['name']}: expected {case['expect']}, got {outcome}"
                         + (f" ({reason})" if outcome == 400 else ""))
    assert not wrong, "\n".join(wrong)
