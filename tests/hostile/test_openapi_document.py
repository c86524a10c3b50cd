"""GET /xapi/openapi.json: served without credentials, a valid OpenAPI document, and in step
with the routes the app really has (a new endpoint must be documented to pass)."""

from __future__ import annotations

import json
import re

import schemathesis

from lrs.http.openapi import document_bytes

METHODS = {"get", "head", "put", "post", "delete", "patch"}


def test_served_without_credentials_or_version(http):
    res = http.get("/xapi/openapi.json")
    assert res.status_code == 200
    assert res.content_type.startswith("application/json")
    assert res.get_data() == document_bytes()
    doc = res.get_json()
    assert doc["openapi"].startswith("3.")
    assert "X-Experience-API-Version" in res.headers


def test_refuses_parameters_like_every_resource(http):
    res = http.get("/xapi/openapi.json?x=1")
    assert res.status_code == 400
    assert res.get_json()["error"]["path"] == "x"


def test_is_a_valid_openapi_document():
    schema = schemathesis.openapi.from_dict(json.loads(document_bytes()))
    schema.validate()
    assert len(list(schema.get_all_operations())) >= 20


def _documented() -> set[tuple[str, str]]:
    doc = json.loads(document_bytes())
    return {
        (path, method.upper())
        for path, item in doc["paths"].items()
        for method in item
        if method in METHODS
    }


def _routes(app) -> set[tuple[str, str]]:
    routes = set()
    for rule in app.url_map.iter_rules():
        # The console's HTML pages (/console/) are not part of the xAPI API it documents.
        if rule.endpoint == "static" or rule.endpoint.startswith("console."):
            continue
        path = re.sub(r"<(?:[a-z]+:)?([A-Za-z_]+)>", r"{\1}", rule.rule)
        for method in rule.methods - {"OPTIONS"}:
            routes.add((path, method))
    return routes


def test_documents_every_route_and_nothing_else(app):
    documented, routes = _documented(), _routes(app)
    # Flask answers HEAD for every GET; the document lists HEAD where it matters
    # (statements, documents) and may leave it implicit elsewhere.
    undocumented = {r for r in routes - documented if r[1] != "HEAD"}
    assert not undocumented, f"routes missing from lrs/http/openapi.json: {sorted(undocumented)}"
    phantom = documented - routes
    assert not phantom, f"documented but not served: {sorted(phantom)}"


def test_every_operation_documents_its_errors_as_the_error_schema():
    doc = json.loads(document_bytes())
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            if method not in METHODS or method == "head":
                continue
            responses = operation["responses"]
            public = operation.get("security") == []
            if not public:
                assert "401" in responses, (method, path)
                names = {p.get("$ref", "").rsplit("/", 1)[-1] for p in operation["parameters"]}
                assert "Version" in names, f"{method} {path} omits X-Experience-API-Version"
            for code, response in responses.items():
                if code.startswith(("4", "5")):
                    target = response.get("$ref", "")
                    content = (
                        doc["components"]["responses"][target.rsplit("/", 1)[-1]]
                        if target else response
                    )["content"]["application/json"]["schema"]
                    assert content == {"$ref": "#/components/schemas/Error"}, (method, path, code)
