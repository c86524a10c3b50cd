"""Profile document checks: the JSON Schema and the named checks, on real and broken profiles."""

from __future__ import annotations

import json

import pytest

from lrs.domain.profiles.checks import blocking, check_profile, errors_of
from lrs.domain.profiles.registry import ProfileLoadError, ProfileRegistry

from .builders import AT, PID, VERB, VERSION, P, T, pattern, profile, template
from .conftest import fixture_document

GOOD = profile(
    templates=[template("a"), template("b", verb="passed")],
    patterns=[pattern("main", "sequence", [T + "a", T + "b"], primary=True)],
    concepts=[
        {
            "id": AT + "course",
            "type": "ActivityType",
            "inScheme": VERSION,
            "prefLabel": {"en": "course"},
            "definition": {"en": "a course"},
        }
    ],
)


def found(doc, **kw):
    return [(p.path, p.check, p.severity) for p in check_profile(doc, **kw)]


def errors(doc, **kw):
    return {(p.path, p.check) for p in errors_of(check_profile(doc, **kw))}


def messages(doc):
    return " | ".join(p.message for p in check_profile(doc))


def test_a_good_profile_has_no_problems():
    assert check_profile(GOOD) == []


class TestFixtures:
    def test_flashcards(self):
        problems = check_profile(fixture_document("adl-flashcards-v0.1.jsonld"))
        assert [(p.path, p.check, p.severity) for p in problems] == [
            ("$.versions[0].wasRevisionOf[0]", "versions", "error")
        ]
        assert "the profile's own id" in problems[0].message
        assert blocking(problems) == []  # reported, but the profile still loads

    def test_video(self):
        problems = check_profile(fixture_document("adl-video-v1.0.3.jsonld"))
        assert errors_of(problems) == []
        assert {(p.path, p.check) for p in problems} == {
            ("$.versions[0].wasRevisionOf[0]", "versions"),
            ("$.templates[0].rules[4].location", "rule_paths"),
            ("$.templates[6].rules[3].location", "rule_paths"),
            ("$.templates[6]", "determining_overlap"),
        }
        text = " ".join(p.message for p in problems)
        assert "extensions/cc-enabled is not a concept" in text
        assert "closed-captioning, https://w3id.org/xapi/video/templates#volumechange" in text

    def test_calibration(self):
        problems = check_profile(fixture_document("yet-calibration-v1.jsonld"))
        assert [(p.check, p.severity) for p in problems] == [("determining_overlap", "warning")]
        assert "activity-1" in problems[0].message and "activity-3" in problems[0].message

    def test_all_three_load(self, fixture_registry):
        assert {p.id for p in fixture_registry.profiles()} == {
            "https://w3id.org/xapi/flashcards",
            "https://w3id.org/xapi/video",
            "https://xapinet.org/xapi/yet/calibration",
        }


def changed(change) -> dict:
    doc = json.loads(json.dumps(GOOD))
    change(doc)
    return doc


class TestStructure:
    def test_missing_required_properties(self):
        doc = changed(lambda d: (d.pop("author"), d["templates"][0].pop("prefLabel")))
        assert errors(doc) >= {("$", "json_schema"), ("$.templates[0]", "json_schema")}

    def test_unknown_property_must_be_an_iri(self):
        doc = changed(lambda d: d["templates"][0].update(objectActivitytype=AT + "x"))
        problems = check_profile(doc)
        assert ("$.templates[0]", "json_schema") in {(p.path, p.check) for p in problems}
        assert "compact or absolute IRIs" in messages(doc)
        ok = changed(lambda d: d["templates"][0].update({"https://e.org/note": "fine"}))
        assert check_profile(ok) == []

    def test_iris_and_timestamps(self):
        def change(d):
            d["templates"][0]["verb"] = "completed"
            d["versions"][0]["generatedAtTime"] = "yesterday"

        problems = {(p.path, p.message) for p in check_profile(changed(change))}
        assert ("$.templates[0].verb", "'completed' is not an absolute IRI") in problems
        assert ("$.versions[0].generatedAtTime", "'yesterday' does not have the required form") in (
            problems
        )

    def test_rule_needs_presence_any_all_or_none(self):
        doc = changed(lambda d: d["templates"][0].update(rules=[{"location": "$.id"}]))
        assert "at least one of presence, any, all, none" in messages(doc)

    def test_statement_ref_template_and_object_activity_type_exclude_each_other(self):
        doc = changed(
            lambda d: d["templates"][0].update(
                objectActivityType=AT + "course", objectStatementRefTemplate=[T + "b"]
            )
        )
        assert "must not have both" in messages(doc)

    def test_pattern_needs_exactly_one_kind(self):
        doc = changed(lambda d: d["patterns"][0].update(optional=T + "a"))
        assert "exactly one of sequence, alternates" in messages(doc)

    def test_alternates_need_two_members(self):
        doc = changed(lambda d: d["patterns"].append(pattern("alt", "alternates", [T + "a"])))
        assert ("$.patterns[1].alternates", "json_schema") in errors(doc)

    def test_empty_values(self):
        doc = changed(lambda d: d["templates"][0].update({"https://e.org/x": ""}))
        assert ('$.templates[0]["https://e.org/x"]', "no_empty_values") in errors(doc)

    def test_inline_schema_must_be_a_json_schema(self):
        ext = {
            "id": PID + "/extensions/x",
            "type": "ResultExtension",
            "inScheme": VERSION,
            "prefLabel": {"en": "x"},
            "definition": {"en": "x"},
            "inlineSchema": '{"type": "numbr"}',
        }
        doc = changed(lambda d: d["concepts"].append(ext))
        assert ("$.concepts[1].inlineSchema", "inline_schemas") in errors(doc)
        ext["inlineSchema"] = "{nope"
        doc = changed(lambda d: d["concepts"].append(ext))
        assert "not JSON" in messages(doc)

    def test_recommended_verbs_only_on_context_and_result_extensions(self):
        ext = {
            "id": PID + "/extensions/x",
            "type": "ActivityExtension",
            "inScheme": VERSION,
            "prefLabel": {"en": "x"},
            "definition": {"en": "x"},
            "recommendedVerbs": [VERB + "completed"],
        }
        doc = changed(lambda d: d["concepts"].append(ext))
        assert "recommendedVerbs is only for" in messages(doc)


class TestNamedChecks:
    def test_ids_are_unique(self):
        doc = changed(lambda d: d["templates"][1].update(id=T + "a"))
        assert ("$.templates[1].id", "unique_ids") in errors(doc)
        doc = changed(lambda d: d["versions"][0].update(id=PID))
        assert ("$.versions[0].id", "unique_ids") in errors(doc)

    def test_in_scheme_is_a_version(self):
        doc = changed(lambda d: d["templates"][0].update(inScheme=PID + "/v9"))
        assert ("$.templates[0].inScheme", "versions") in errors(doc)

    def test_later_versions_name_what_they_revise(self):
        doc = changed(
            lambda d: d["versions"].insert(
                0, {"id": PID + "/v2", "generatedAtTime": "2026-06-01T00:00:00Z"}
            )
        )
        assert ("$.versions[0]", "versions") in errors(doc)

    def test_broader_must_be_in_profile_and_same_type(self):
        def change(d):
            d["concepts"][0]["broader"] = [VERB + "completed"]

        assert ("$.concepts[0].broader[0]", "concept_relations") in errors(changed(change))

    def test_verbs_from_other_vocabularies_are_fine_but_in_profile_types_must_match(self):
        assert check_profile(GOOD) == []  # ADL verbs used by IRI
        doc = changed(lambda d: d["templates"][0].update(verb=AT + "course"))
        assert ("$.templates[0].verb", "template_references") in errors(doc)

    def test_statement_ref_templates_must_be_in_profile(self):
        doc = changed(
            lambda d: d["templates"][0].update(
                objectStatementRefTemplate=["https://elsewhere.org/t"]
            )
        )
        assert ("$.templates[0].objectStatementRefTemplate[0]", "template_references") in errors(
            doc
        )

    @pytest.mark.parametrize(
        ("location", "reason"),
        [
            ("$..id", "recursive descent"),
            ("$.a[?@.b]", "filter"),
            ("$.a[1:2]", "slices"),
            ("$.a[", ""),
        ],
    )
    def test_rule_locations_keep_to_the_dialect(self, location, reason):
        doc = changed(
            lambda d: d["templates"][0].update(
                rules=[{"location": location, "presence": "included"}]
            )
        )
        problems = [p for p in check_profile(doc) if p.check == "rule_paths"]
        assert [p.path for p in problems] == ["$.templates[0].rules[0].location"]
        assert reason in problems[0].message
        with pytest.raises(ProfileLoadError):
            ProfileRegistry().add(doc)

    def test_selectors_too(self):
        doc = changed(
            lambda d: d["templates"][0].update(
                rules=[
                    {
                        "location": "$.context.contextActivities.grouping[*]",
                        "selector": "..id",
                        "presence": "included",
                    }
                ]
            )
        )
        assert ("$.templates[0].rules[0].selector", "rule_paths") in errors(doc)

    def test_pattern_members_resolve(self):
        doc = changed(lambda d: d["patterns"][0]["sequence"].append("https://elsewhere.org/t"))
        assert ("$.patterns[0].sequence[2]", "patterns") in errors(doc)
        # …unless another loaded profile provides it
        assert errors(doc, external={"https://elsewhere.org/t": "template"}) == set()

    def test_alternates_must_not_contain_optional_or_zero_or_more(self):
        def change(d):
            d["patterns"] += [
                pattern("maybe", "optional", T + "a"),
                pattern("either", "alternates", [P + "maybe", T + "b"]),
                pattern("top", "sequence", [P + "either", T + "a"], primary=True),
            ]

        assert ("$.patterns[2].alternates[0]", "patterns") in errors(changed(change))

    def test_single_member_sequence(self):
        def primary_single(d):
            d["patterns"][0]["sequence"] = [T + "a"]

        assert errors(changed(primary_single)) == set()

        def nested_single(d):
            d["patterns"].append(pattern("one", "sequence", [T + "a"]))
            d["patterns"][0]["sequence"] = [P + "one", T + "b"]

        assert ("$.patterns[1].sequence", "patterns") in errors(changed(nested_single))

    def test_patterns_need_a_primary_one(self):
        doc = changed(lambda d: d["patterns"][0].update(primary=False))
        assert ("$.patterns", "patterns") in errors(doc)

    def test_primary_patterns_need_labels(self):
        doc = changed(lambda d: d["patterns"][0].pop("definition"))
        assert ("$.patterns[0]", "json_schema") in errors(doc)

    def test_cycles(self):
        def change(d):
            d["patterns"] += [
                pattern("loop", "oneOrMore", P + "back"),
                pattern("back", "sequence", [T + "a", P + "loop"]),
            ]
            d["patterns"][0]["sequence"] = [T + "a", P + "loop"]

        doc = changed(change)
        problems = [p for p in check_profile(doc) if p.check == "pattern_automata"]
        assert len(problems) == 1
        assert "contains itself" in problems[0].message
        assert "loop -> " in problems[0].message
        with pytest.raises(ProfileLoadError, match="contains itself"):
            ProfileRegistry().add(doc)

    def test_unused_non_primary_pattern_is_a_warning(self):
        doc = changed(lambda d: d["patterns"].append(pattern("spare", "optional", T + "a")))
        assert ("$.patterns[1]", "patterns", "warning") in found(doc)


def test_patterns_may_reuse_templates_of_another_loaded_profile():
    """Structure 9.0: validated as if the template were present in this profile."""
    from lrs.domain.profiles.validation import MemoryPatternStates, check_statements

    from .builders import statement

    other = profile(templates=[template("a")])
    other.update(
        id="https://example.org/profiles/other",
        versions=[
            {
                "id": "https://example.org/profiles/other/v1",
                "generatedAtTime": "2026-01-01T00:00:00Z",
            }
        ],
    )
    other["templates"][0].update(
        id="https://example.org/profiles/other/t/a",
        inScheme="https://example.org/profiles/other/v1",
    )
    mine = profile(
        templates=[template("b", verb="passed")],
        patterns=[
            pattern(
                "main",
                "sequence",
                ["https://example.org/profiles/other/t/a", T + "b"],
                primary=True,
            )
        ],
    )
    assert errors(mine) == {("$.patterns[0].sequence[0]", "patterns")}  # alone: unresolved
    registry = ProfileRegistry()
    registry.add_many([("other", other), ("mine", mine)])
    loaded = registry.get(PID)
    context = {
        "registration": "4f6c7a8e-2b1d-4c3e-9f0a-1b2c3d4e5f60",
        "contextActivities": {"category": [{"id": VERSION}]},
    }
    first = statement("completed", context=context, timestamp="2026-01-01T00:00:00Z")
    second = statement("passed", context=context, timestamp="2026-01-01T00:01:00Z")
    second["id"] = "7a1b5a3e-0a6c-4a57-9a3f-0d6c1b9b2b1a"
    report = check_statements(
        [first, second],
        registry,
        select=lambda s: [loaded],
        mode_for=lambda _: "any-template",
        states=MemoryPatternStates(),
    )
    assert report.findings == []
    (state,) = report.states.values()
    assert registry.automaton(loaded).is_accepting(state.states)
