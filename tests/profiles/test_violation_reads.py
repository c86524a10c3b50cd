"""The reads behind GET /xapi/profiles/violations (lrs.domain.profiles.violations):
pattern statuses once per primary pattern, and never shown outside the reader's org."""

from __future__ import annotations

import copy
import json
import uuid

import pytest

from lrs.domain.profiles.registry import ProfileRegistry
from lrs.domain.profiles.validation import MemoryPatternStates
from lrs.domain.profiles.violations import pattern_statuses, registration_report
from lrs.storage.port import PatternState, Violation

from .conftest import CALIBRATION, FIXTURE_PROFILES, fixture_document
from .test_http_profiles import CAL_V1, CAL_V2, calibration_v2

PATTERN_V1 = CAL_V1 + "/patterns#pattern-1"


def same_patterns_v2() -> dict:
    """Version 2 that only adds a version: its primary pattern is v1's, by id."""
    doc = copy.deepcopy(fixture_document("yet-calibration-v1.jsonld"))
    doc["versions"] = [{"id": CAL_V2, "wasRevisionOf": [CAL_V1],
                        "generatedAtTime": "2021-01-01T00:00:00Z"}, *doc["versions"]]
    return doc


def registry_of(tmp_path, v2: dict) -> ProfileRegistry:
    (tmp_path / "v1.jsonld").write_bytes((FIXTURE_PROFILES / "yet-calibration-v1.jsonld")
                                         .read_bytes())
    (tmp_path / "v2.jsonld").write_text(json.dumps(v2))
    return ProfileRegistry.from_dir(tmp_path)


def states(registration: str, *pattern_ids: str) -> MemoryPatternStates:
    found = MemoryPatternStates()
    for pattern_id in pattern_ids:
        found.save(PatternState(pattern_id, registration, states=("0",)))
    return found


def test_versions_sharing_a_primary_pattern_are_listed_once(tmp_path):
    registry = registry_of(tmp_path, same_patterns_v2())
    registration = str(uuid.uuid4())
    (only,) = pattern_statuses(registry, registration, states(registration, PATTERN_V1))
    profile, status = only
    assert (profile.id, profile.version, status.state.pattern_id) == (
        CALIBRATION, CAL_V1, PATTERN_V1)


def test_versions_with_their_own_patterns_are_listed_each(tmp_path):
    registry = registry_of(tmp_path, calibration_v2())
    registration = str(uuid.uuid4())
    pattern_v2 = PATTERN_V1.replace("/v1/", "/v2/")
    found = pattern_statuses(registry, registration,
                             states(registration, PATTERN_V1, pattern_v2))
    assert [(p.version, s.state.pattern_id) for p, s in found] == [
        (CAL_V1, PATTERN_V1), (CAL_V2, pattern_v2)]
    assert pattern_statuses(registry, str(uuid.uuid4()), states(registration, PATTERN_V1)) == []


@pytest.fixture
def recorded(store, fixture_registry):
    """A registration with a pattern state, and one violation recorded under fj/fz."""
    registration = str(uuid.uuid4())
    with store.transaction() as uow:
        uow.pattern_states.save(PatternState(PATTERN_V1, registration, states=("0",)))
        uow.violations.add([Violation(str(uuid.uuid4()), CALIBRATION, PATTERN_V1, "pattern",
                                      "unexpected", registration=registration, org="fj/fz")])
    return store, registration


def test_the_org_holding_a_violation_sees_the_patterns(recorded, fixture_registry):
    store, registration = recorded
    for scope in ("fj/fz", "fj", None):
        report = registration_report(store, fixture_registry, registration, scope)
        assert len(report.violations) == 1
        assert [s.state.pattern_id for _, s in report.patterns] == [PATTERN_V1]


def test_another_org_sees_neither_violations_nor_patterns(recorded, fixture_registry):
    store, registration = recorded
    report = registration_report(store, fixture_registry, registration, "hn")
    assert (report.violations, report.patterns) == ([], [])
