"""Statement Template validation: Determining Properties, rules, StatementRef templates, modes."""

from __future__ import annotations

import pytest

from lrs.domain.profiles.model import parse_profile
from lrs.domain.profiles.templates import (
    ANY_TEMPLATE,
    SPEC,
    follows_rule,
    matches_determining_properties,
    validate,
)

from .builders import AT, VERB, T, profile, statement, template


def rule_of(**raw):
    return parse_profile(profile([template("x", rules=[raw])])).templates[T + "x"].rules[0]


def check(raw_rule: dict, stmt: dict, strict: bool = True):
    return follows_rule(stmt, rule_of(**raw_rule), strict)


class TestPresence:
    def test_included(self):
        assert (
            check(
                {"location": "$.result.score.raw", "presence": "included"},
                statement(result={"score": {"raw": 3}}),
            )
            is None
        )
        problem = check({"location": "$.result.score.raw", "presence": "included"}, statement())
        assert problem == 'no value found, but presence is "included"'

    def test_excluded(self):
        assert check({"location": "$.result", "presence": "excluded"}, statement()) is None
        problem = check(
            {"location": "$.result.success", "presence": "excluded"},
            statement(result={"success": True}),
        )
        assert problem == 'found true, but presence is "excluded"'

    def test_recommended_checks_values_only_when_present(self):
        raw = {"location": "$.result.success", "presence": "recommended", "all": [True]}
        assert check(raw, statement()) is None
        assert check(raw, statement(result={"success": True})) is None
        assert "not in all" in check(raw, statement(result={"success": False}))

    def test_selector_that_finds_nothing_is_unmatchable(self):
        raw = {
            "location": "$.context.contextActivities.grouping[*]",
            "selector": "$.definition.type",
            "presence": "included",
        }
        groups = {
            "contextActivities": {
                "grouping": [
                    {"id": "https://e.org/a", "definition": {"type": AT + "class"}},
                    {"id": "https://e.org/b"},
                ]
            }
        }
        problem = check(raw, statement(context=groups))
        assert problem.startswith("the selector found nothing in 1 of 2 values")
        groups["contextActivities"]["grouping"].pop()
        assert check(raw, statement(context=groups)) is None


class TestValues:
    def test_any(self):
        raw = {"location": "$.verb.id", "any": [VERB + "completed", VERB + "passed"]}
        assert check(raw, statement()) is None
        assert "none of them is in any" in check(raw, statement("failed"))

    def test_all(self):
        raw = {
            "location": "$.context.contextActivities.category[*].id",
            "all": ["https://e.org/p/v1", "https://e.org/p/v2"],
        }
        ok = {"contextActivities": {"category": [{"id": "https://e.org/p/v1"}]}}
        bad = {
            "contextActivities": {
                "category": [{"id": "https://e.org/p/v1"}, {"id": "https://e.org/other"}]
            }
        }
        assert check(raw, statement(context=ok)) is None
        assert '"https://e.org/other", which is not in all' in check(raw, statement(context=bad))

    def test_none(self):
        raw = {"location": "$.result.score.scaled", "none": [0]}
        assert check(raw, statement(result={"score": {"scaled": 0.5}})) is None
        assert "which is in none" in check(raw, statement(result={"score": {"scaled": 0}}))

    def test_json_equality_keeps_booleans_apart_from_numbers(self):
        raw = {"location": "$.result.success", "any": [1]}
        assert check(raw, statement(result={"success": True})) is not None
        assert check({"location": "$.result.x", "any": [1]}, statement(result={"x": 1.0})) is None

    def test_objects_compare_by_content(self):
        raw = {"location": "$.object.definition.name", "any": [{"en": "A", "zh": "甲"}]}
        stmt = statement()
        stmt["object"]["definition"]["name"] = {"zh": "甲", "en": "A"}
        assert check(raw, stmt) is None

    def test_strictness_of_a_rule_without_presence(self):
        raw = {"location": "$.result.response", "any": ["yes"]}
        assert check(raw, statement(), strict=True) is not None  # the spec
        assert check(raw, statement(), strict=False) is None  # any-template: recommended
        assert check(raw, statement(result={"response": "no"}), strict=False) is not None

    def test_all_on_nothing_passes_in_the_spec(self):
        # follows_rule: all only fails on values outside it or on unmatchable values
        assert check({"location": "$.result.response", "all": ["yes"]}, statement()) is None


class TestDeterminingProperties:
    def test_context_activity_types_are_a_superset_check(self):
        tpl = parse_profile(
            profile(
                [
                    template(
                        "x",
                        contextGroupingActivityType=[AT + "class"],
                        contextCategoryActivityType=[AT + "profile"],
                    )
                ]
            )
        ).templates[T + "x"]
        context = {
            "contextActivities": {
                "grouping": [
                    {"id": "https://e.org/c", "definition": {"type": AT + "class"}},
                    {"id": "https://e.org/d", "definition": {"type": AT + "other"}},
                ],
                "category": [{"id": "https://e.org/p", "definition": {"type": AT + "profile"}}],
            }
        }
        assert matches_determining_properties(statement(context=context), tpl)
        del context["contextActivities"]["category"]
        assert not matches_determining_properties(statement(context=context), tpl)

    def test_object_activity_type_and_attachment_usage(self):
        tpl = parse_profile(
            profile(
                [
                    template(
                        "x",
                        objectActivityType=AT + "course",
                        attachmentUsageType=["https://e.org/usage/certificate"],
                    )
                ]
            )
        ).templates[T + "x"]
        attachment = {
            "usageType": "https://e.org/usage/certificate",
            "display": {"en": "c"},
            "contentType": "application/pdf",
            "length": 1,
            "sha2": "ab",
        }
        assert matches_determining_properties(statement(attachments=[attachment]), tpl)
        assert not matches_determining_properties(statement(), tpl)
        other = statement(attachments=[attachment])
        other["object"]["definition"]["type"] = AT + "class"
        assert not matches_determining_properties(other, tpl)


class TestModes:
    DOC = profile(
        [
            template("a", rules=[{"location": "$.result.completion", "presence": "included"}]),
            template("b", rules=[{"location": "$.result.success", "presence": "included"}]),
            template("c", verb="passed"),
        ]
    )

    def test_spec_fails_if_any_matching_template_fails(self):
        doc = parse_profile(self.DOC)
        outcome = validate(statement(result={"completion": True}), doc, SPEC)
        assert not outcome.valid
        assert outcome.matched == [T + "a", T + "b"] and outcome.passed == [T + "a"]
        assert [(f.subject_id, f.rule) for f in outcome.failures] == [(T + "b", "rules[0]")]
        assert outcome.pattern_templates == []

    def test_any_template_passes_if_some_template_passes(self):
        outcome = validate(statement(result={"completion": True}), parse_profile(self.DOC))
        assert outcome.valid and outcome.pattern_templates == [T + "a"]
        failing = validate(statement(), parse_profile(self.DOC), ANY_TEMPLATE)
        assert not failing.valid and len(failing.failures) == 2

    def test_unmatched_is_valid(self):
        outcome = validate(statement("voided"), parse_profile(self.DOC), SPEC)
        assert outcome.valid and outcome.unmatched


class TestStatementRefTemplates:
    DOC = profile(
        [
            template("attempt", verb="attempted"),
            template("comment", verb="commented", objectStatementRefTemplate=[T + "attempt"]),
        ]
    )

    def ref(self, target="0d9b3a8e-1c2f-4f0e-8a1b-2c3d4e5f6a7b"):
        return statement("commented", object={"objectType": "StatementRef", "id": target})

    def test_the_object_must_be_a_statement_ref(self):
        outcome = validate(statement("commented"), parse_profile(self.DOC))
        (failure,) = outcome.failures
        assert failure.rule == "objectStatementRefTemplate" and failure.location == "$.object"

    def test_an_unavailable_target_is_not_judged(self):
        assert validate(self.ref(), parse_profile(self.DOC), lookup=lambda _: None).valid

    @pytest.mark.parametrize(("verb", "valid"), [("attempted", True), ("completed", False)])
    def test_the_target_must_match_a_listed_template(self, verb, valid):
        target = statement(verb)
        outcome = validate(self.ref(), parse_profile(self.DOC), lookup=lambda _: target)
        assert outcome.valid is valid
        if not valid:
            assert "matches no template" in outcome.failures[0].message
