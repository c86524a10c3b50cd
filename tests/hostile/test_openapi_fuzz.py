"""Fuzz every operation of the OpenAPI document against the app, in process (WSGI).

Schemathesis generates valid and invalid requests from ``lrs/http/openapi.json``
(positive and negative modes): bodies, query parameters, headers. Every
response must be documented (status, content type, schema), never a 500, and
an error body must be the JSON error shape without internals.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis import checks as st_checks

from lrs.app import create_app
from lrs.config import Settings
from lrs.storage.sqlite.store import SqliteStore

from .conftest import LEAK, MAX_BODY

# Bounded so the whole fuzz stays well under a minute on 2 cores. Generating
# invalid Statement bodies is the slow part (about a second a case), so those
# two operations get fewer; test_properties mutates statements much more cheaply.
# LRS_FUZZ_SCALE=10 hunts for bugs: ten times the cases, a new random seed each run.
SCALE = int(os.environ.get("LRS_FUZZ_SCALE", "1"))
MAX_EXAMPLES = {GenerationMode.POSITIVE: 20, GenerationMode.NEGATIVE: 8}
FEWER = {
    ("POST /xapi/statements", GenerationMode.NEGATIVE): 3,
    ("PUT /xapi/statements", GenerationMode.NEGATIVE): 3,
    ("POST /xapi/statements", GenerationMode.POSITIVE): 12,
    ("PUT /xapi/statements", GenerationMode.POSITIVE): 12,
}


OPENAPI = Path(__file__).parents[2] / "lrs" / "http" / "openapi.json"
LABELS = [
    f"{method.upper()} {path}"
    for path, item in json.loads(OPENAPI.read_text(encoding="utf-8"))["paths"].items()
    for method in item
    if method in ("get", "head", "put", "post", "delete")
]


@schemathesis.check
def error_bodies_leak_nothing(ctx, response, case):
    if response.status_code < 400 or case.method.upper() == "HEAD":
        return None
    payload = json.loads(response.content)
    error = payload["error"]
    assert error["status"] == response.status_code, payload
    assert isinstance(error["message"], str) and error["message"], payload
    text = response.content.decode("utf-8", "replace")
    assert LEAK.search(text) is None, f"internals leaked: {text[:300]}"
    return None


CHECKS = [
    st_checks.not_a_server_error,
    st_checks.status_code_conformance,
    st_checks.content_type_conformance,
    st_checks.response_schema_conformance,
    error_bodies_leak_nothing,
]


@pytest.fixture(scope="module")
def schema(tmp_path_factory):
    """The document as the app serves it, loaded once per module: loading it and gathering the
    literals of the app's source that seed generation (schemathesis caches those per app)
    cost more than a case. Each test still sends its cases to its own app and empty store."""
    directory = tmp_path_factory.mktemp("openapi")
    store = SqliteStore(directory / "lrs.sqlite3")
    served = create_app(Settings(data_dir=directory, max_body_bytes=MAX_BODY), store=store)
    schema = schemathesis.openapi.from_wsgi("/xapi/openapi.json", served)
    # Credentials come from the fixture, not from generated Authorization headers.
    schema.config.generation.update(with_security_parameters=False)
    yield schema
    store.close()


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
@pytest.mark.parametrize("label", LABELS)
def test_every_operation(schema, app, admin, counts, label, mode):
    operation = schema.find_operation_by_label(label)
    assert operation is not None, label
    if mode is GenerationMode.NEGATIVE and not _has_parameters(operation):
        pytest.skip("nothing to make invalid")
    headers = {"Authorization": admin.auth}
    if mode is GenerationMode.NEGATIVE:
        # Otherwise most negative cases only break the version header (tested on its own in
        # test_properties); with a valid one the broken parameter or body is what gets read.
        headers["X-Experience-API-Version"] = "1.0.3"

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=SCALE * FEWER.get((label, mode), MAX_EXAMPLES[mode]),
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=SCALE == 1,
        database=None,
    )
    def run(case):
        before = counts()
        response = case.call_and_validate(app=app, headers=headers, checks=CHECKS)
        if response.status_code >= 400:
            assert counts() == before, f"a refused {label} changed the store"

    run()


def _has_parameters(operation) -> bool:
    return bool(operation.definition.raw.get("parameters")) or "requestBody" in (
        operation.definition.raw
    )
