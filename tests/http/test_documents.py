"""The State, Activity Profile and Agent Profile resources through HTTP, in 1.0.3 and 2.0."""

from __future__ import annotations

import hashlib
import json
import threading
import time
import uuid
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from lrs.storage.port import ANY, ConcurrentUpdate
from lrs.storage.sqlite.documents import SqliteDocuments
from lrs.timeutil import utcnow

STATE = "/xapi/activities/state"
ACTIVITY_PROFILE = "/xapi/activities/profile"
AGENT_PROFILE = "/xapi/agents/profile"

ACTIVITY = "http://example.com/activities/hashset"
AGENT = {
    "objectType": "Agent",
    "account": {"homePage": "http://example.com/agents", "name": "rick"},
}
OTHER_AGENT = {"mbox": "mailto:other@example.com"}


def state_params(**extra):
    params = {"activityId": ACTIVITY, "agent": json.dumps(AGENT), "stateId": str(uuid.uuid4())}
    params.update(extra)
    return {k: v for k, v in params.items() if v is not None}


def activity_profile_params(**extra):
    params = {"activityId": ACTIVITY, "profileId": str(uuid.uuid4())}
    params.update(extra)
    return {k: v for k, v in params.items() if v is not None}


def agent_profile_params(**extra):
    params = {"agent": json.dumps(AGENT), "profileId": str(uuid.uuid4())}
    params.update(extra)
    return {k: v for k, v in params.items() if v is not None}


PROFILES = [
    pytest.param(ACTIVITY_PROFILE, activity_profile_params, id="activity-profile"),
    pytest.param(AGENT_PROFILE, agent_profile_params, id="agent-profile"),
]
ALL = [pytest.param(STATE, state_params, id="state"), *PROFILES]


def fresh_context(make):
    """The parameters of ``make`` minus the id, with an activity and agent no other test uses."""
    params = make()
    if "activityId" in params:
        params["activityId"] = f"{ACTIVITY}/{uuid.uuid4().hex}"
    if "agent" in params:
        params["agent"] = json.dumps({"mbox": f"mailto:{uuid.uuid4().hex}@example.com"})
    params.pop("stateId", None)
    params.pop("profileId", None)
    return params


def without(params, name):
    return {k: v for k, v in params.items() if k != name}


def sha1(data: bytes) -> str:
    return hashlib.sha1(data).hexdigest()  # noqa: S324


def create(client, path, params, body, **kw):
    """Store a new document the way every version accepts (If-None-Match: *)."""
    headers = {"If-None-Match": "*", **kw.pop("headers", {})}
    res = client.put(path, query_string=params, json=body, headers=headers, **kw)
    assert res.status_code == 204, res.get_json()
    return res


def fetch(client, path, params):
    res = client.get(path, query_string=params)
    assert res.status_code == 200, res.get_data(as_text=True)
    return res


def error_path(res):
    return res.get_json()["error"].get("path")


# ---------------------------------------------------------------- single documents


class TestSingleDocument:
    @pytest.mark.parametrize(("path", "make"), ALL)
    def test_put_then_get_returns_the_document_with_etag_and_last_modified(
        self, client, path, make
    ):
        params = make()
        create(client, path, params, {"car": "MKX"})
        res = fetch(client, path, params)
        assert res.get_json() == {"car": "MKX"}
        assert res.mimetype == "application/json"
        assert res.headers["ETag"] == f'"{sha1(res.get_data())}"'
        assert len(res.headers["ETag"]) == 42
        assert res.headers["X-Experience-API-Version"] == client.version
        modified = datetime.strptime(res.headers["Last-Modified"], "%a, %d %b %Y %H:%M:%S GMT")
        assert abs(modified.replace(tzinfo=UTC) - datetime.now(UTC)).total_seconds() < 5

    @pytest.mark.parametrize(("path", "make"), ALL)
    def test_head_has_the_headers_and_no_body(self, client, path, make):
        params = make()
        create(client, path, params, {"a": 1})
        get = fetch(client, path, params)
        head = client.request("HEAD", path, query_string=params)
        assert head.status_code == 200
        assert head.get_data() == b""
        assert head.headers["ETag"] == get.headers["ETag"]
        assert head.headers["Last-Modified"] == get.headers["Last-Modified"]

    @pytest.mark.parametrize(("path", "make"), ALL)
    def test_missing_document_is_404_and_deleting_it_is_204(self, client, path, make):
        params = make()
        res = client.get(path, query_string=params)
        assert res.status_code == 404
        assert client.delete(path, query_string=params).status_code == 204

    @pytest.mark.parametrize(("path", "make"), ALL)
    def test_delete_removes_the_document(self, client, path, make):
        params = make()
        create(client, path, params, {"a": 1})
        assert client.delete(path, query_string=params).status_code == 204
        assert client.get(path, query_string=params).status_code == 404

    @pytest.mark.parametrize(("path", "make"), ALL)
    def test_binary_document_round_trips_byte_for_byte(self, client, path, make):
        params = make()
        data = bytes(range(256)) * 3 + b"\x00\xff\xfe"
        res = client.put(
            path,
            query_string=params,
            data=data,
            content_type="image/png",
            headers={"If-None-Match": "*"},
        )
        assert res.status_code == 204
        got = fetch(client, path, params)
        assert got.get_data() == data
        assert got.headers["Content-Type"] == "image/png"
        assert got.headers["ETag"] == f'"{sha1(data)}"'

    @pytest.mark.parametrize(("path", "make"), ALL)
    def test_put_without_content_type_is_stored_as_octet_stream(self, client, path, make):
        params = make()
        res = client.put(path, query_string=params, data=b"plain", headers={"If-None-Match": "*"})
        assert res.status_code == 204
        got = fetch(client, path, params)
        assert got.get_data() == b"plain"
        assert got.mimetype == "application/octet-stream"

    def test_text_document_keeps_its_content_type_parameters(self, client):
        params = state_params()
        text = "état: ½".encode()
        client.put(STATE, query_string=params, data=text, content_type="text/plain; charset=utf-8")
        got = fetch(client, STATE, params)
        assert got.get_data() == text
        assert got.headers["Content-Type"] == "text/plain; charset=utf-8"

    def test_agent_is_matched_by_its_identifier_not_its_name(self, client):
        params = state_params(agent=json.dumps({"mbox": "mailto:a@example.com", "name": "A"}))
        create(client, STATE, params, {"x": 1})
        same = {
            **params,
            "agent": json.dumps({"objectType": "Agent", "mbox": "mailto:a@example.com"}),
        }
        assert fetch(client, STATE, same).get_json() == {"x": 1}

    def test_identified_group_may_own_an_agent_profile(self, client):
        group = {"objectType": "Group", "mbox": "mailto:team@example.com", "member": []}
        params = agent_profile_params(agent=json.dumps(group))
        create(client, AGENT_PROFILE, params, {"x": 1})
        assert fetch(client, AGENT_PROFILE, params).get_json() == {"x": 1}

    def test_the_three_resources_are_separate_namespaces(self, client):
        doc_id = str(uuid.uuid4())
        create(client, STATE, state_params(stateId=doc_id), {"r": "state"})
        create(client, ACTIVITY_PROFILE, activity_profile_params(profileId=doc_id), {"r": "ap"})
        create(client, AGENT_PROFILE, agent_profile_params(profileId=doc_id), {"r": "agp"})
        assert fetch(client, STATE, state_params(stateId=doc_id)).get_json() == {"r": "state"}
        assert fetch(
            client, ACTIVITY_PROFILE, activity_profile_params(profileId=doc_id)
        ).get_json() == {"r": "ap"}
        assert fetch(client, AGENT_PROFILE, agent_profile_params(profileId=doc_id)).get_json() == {
            "r": "agp"
        }


# ---------------------------------------------------------------- POST: merging


class TestMerge:
    @pytest.mark.parametrize(("path", "make"), ALL)
    def test_post_creates_a_missing_document(self, client, path, make):
        params = make()
        assert client.post(path, query_string=params, json={"car": "Honda"}).status_code == 204
        assert fetch(client, path, params).get_json() == {"car": "Honda"}

    @pytest.mark.parametrize(("path", "make"), ALL)
    def test_post_merges_top_level_properties_and_new_values_win(self, client, path, make):
        params = make()
        first = {
            "car": {"make": "Ford", "model": "Escape"},
            "driver": "Dale",
            "series": {"nascar": {"series": "sprint"}},
            "kept": [1, 2],
        }
        second = {"car": {"make": "Dodge"}, "driver": "Jeff", "added": None}
        assert client.post(path, query_string=params, json=first).status_code == 204
        assert client.post(path, query_string=params, json=second).status_code == 204
        res = fetch(client, path, params)
        assert res.get_json() == {
            "car": {"make": "Dodge"},  # replaced whole, not merged deeply
            "driver": "Jeff",
            "series": {"nascar": {"series": "sprint"}},
            "kept": [1, 2],
            "added": None,
        }
        assert res.mimetype == "application/json"
        assert res.headers["ETag"] == f'"{sha1(res.get_data())}"'

    def test_merge_into_a_put_json_document_with_charset(self, client):
        params = state_params()
        client.put(
            STATE,
            query_string=params,
            data='{"ä": 1}'.encode(),
            content_type="application/json; charset=utf-8",
        )
        assert client.post(STATE, query_string=params, json={"ö": 2}).status_code == 204
        got = fetch(client, STATE, params)
        assert got.get_json() == {"ä": 1, "ö": 2}
        assert got.mimetype == "application/json"

    @pytest.mark.parametrize(("path", "make"), ALL)
    @pytest.mark.parametrize(
        ("data", "content_type"),
        [
            (b"abcdefg", "not/json"),
            (b"abc", "application/x-www-form-urlencoded"),
            (b'{"x": 1}', "application/octet-stream"),
            (b'{"x": 1}', None),
            (b'{"x": 1}{', "application/json"),
            (b"[1, 2]", "application/json"),
            (b'"text"', "application/json"),
            (b'{"x": NaN}', "application/json"),
            (b"\xff\xfe", "application/json"),
            (b"", "application/json"),
        ],
    )
    def test_post_of_anything_but_a_json_object_is_400_and_changes_nothing(
        self, client, path, make, data, content_type
    ):
        params = make()
        create(client, path, params, {"keep": True})
        before = fetch(client, path, params)
        kw = {"content_type": content_type} if content_type else {}
        res = client.post(path, query_string=params, data=data, **kw)
        assert res.status_code == 400
        assert error_path(res) in ("Content-Type", "body")
        after = fetch(client, path, params)
        assert after.get_data() == before.get_data()
        assert after.headers["ETag"] == before.headers["ETag"]

    @pytest.mark.parametrize(("path", "make"), ALL)
    def test_post_of_json_onto_a_non_json_document_is_400(self, client, path, make):
        params = make()
        res = client.put(
            path,
            query_string=params,
            data=b"/ asdf / undefined",
            content_type="application/octet-stream",
            headers={"If-None-Match": "*"},
        )
        assert res.status_code == 204
        res = client.post(path, query_string=params, json={"a": 1})
        assert res.status_code == 400
        got = fetch(client, path, params)
        assert got.get_data() == b"/ asdf / undefined"

    def test_post_onto_a_json_document_that_is_not_an_object_is_400(self, client):
        params = state_params()
        client.put(STATE, query_string=params, json=[1, 2, 3])
        assert client.post(STATE, query_string=params, json={"a": 1}).status_code == 400
        assert fetch(client, STATE, params).get_json() == [1, 2, 3]

    def test_post_with_a_broken_agent_parameter_is_400(self, client):
        params = state_params()
        params["agent"] = params["agent"].replace(":", '"', 1)
        res = client.post(STATE, query_string=params, json={"a": 1})
        assert res.status_code == 400
        assert error_path(res) == "agent"


# ---------------------------------------------------------------- concurrency


class TestPreconditions:
    @pytest.mark.parametrize(("path", "make"), ALL)
    def test_if_none_match_star_creates_once_then_412(self, client, path, make):
        params = make()
        create(client, path, params, {"v": 1})
        res = client.put(path, query_string=params, json={"v": 2}, headers={"If-None-Match": "*"})
        assert res.status_code == 412
        assert error_path(res) == "If-None-Match"
        assert fetch(client, path, params).get_json() == {"v": 1}

    @pytest.mark.parametrize(("path", "make"), ALL)
    @pytest.mark.parametrize("method", ["PUT", "POST"])
    def test_if_match_with_current_etag_writes(self, client, path, make, method):
        params = make()
        create(client, path, params, {"name": "old", "x": 1})
        etag = fetch(client, path, params).headers["ETag"]
        res = client.request(
            method,
            path,
            query_string=params,
            json={"name": "new", "x": 1},
            headers={"If-Match": etag},
        )
        assert res.status_code == 204
        got = fetch(client, path, params)
        assert got.get_json() == {"name": "new", "x": 1}
        assert got.headers["ETag"] != etag
        assert res.headers["ETag"] == got.headers["ETag"]

    @pytest.mark.parametrize(("path", "make"), ALL)
    @pytest.mark.parametrize("method", ["PUT", "POST", "DELETE"])
    @pytest.mark.parametrize(
        "bad", ['"1234"', '"1111111111111111111111111111111111111111"', "1234"]
    )
    def test_if_match_with_stale_etag_is_412_and_changes_nothing(
        self, client, path, make, method, bad
    ):
        params = make()
        create(client, path, params, {"name": "original"})
        kw = {} if method == "DELETE" else {"json": {"name": "changed"}}
        res = client.request(method, path, query_string=params, headers={"If-Match": bad}, **kw)
        assert res.status_code == 412
        assert error_path(res) == "If-Match"
        assert fetch(client, path, params).get_json() == {"name": "original"}

    @pytest.mark.parametrize(("path", "make"), ALL)
    def test_delete_with_current_etag_deletes(self, client, path, make):
        params = make()
        create(client, path, params, {"a": 1})
        etag = fetch(client, path, params).headers["ETag"]
        assert (
            client.delete(path, query_string=params, headers={"If-Match": etag}).status_code == 204
        )
        assert client.get(path, query_string=params).status_code == 404

    @pytest.mark.parametrize(("path", "make"), ALL)
    def test_etag_forms_clients_send(self, client, path, make):
        params = make()
        create(client, path, params, {"v": 0})
        for n, form in enumerate(["bare", "upper", "list", "weak-in-list", "star"], start=1):
            etag = fetch(client, path, params).headers["ETag"]
            value = {
                "bare": etag.strip('"'),
                "upper": etag.upper(),
                "list": f'"0000", {etag}',
                "weak-in-list": f'W/"0000", {etag}',
                "star": "*",
            }[form]
            res = client.put(path, query_string=params, json={"v": n}, headers={"If-Match": value})
            assert res.status_code == 204, form
        assert fetch(client, path, params).get_json() == {"v": 5}

    @pytest.mark.parametrize(("path", "make"), ALL)
    def test_weak_etag_never_satisfies_if_match(self, client, path, make):
        params = make()
        create(client, path, params, {"v": 0})
        etag = fetch(client, path, params).headers["ETag"]
        res = client.put(
            path, query_string=params, json={"v": 1}, headers={"If-Match": "W/" + etag}
        )
        assert res.status_code == 412

    @pytest.mark.parametrize(("path", "make"), ALL)
    @pytest.mark.parametrize("method", ["PUT", "POST", "DELETE"])
    def test_if_match_on_a_missing_document_is_412(self, client, path, make, method):
        params = make()
        kw = {} if method == "DELETE" else {"json": {"a": 1}}
        for value in ("*", '"' + "0" * 40 + '"'):
            res = client.request(
                method, path, query_string=params, headers={"If-Match": value}, **kw
            )
            assert res.status_code == 412
        assert client.get(path, query_string=params).status_code == 404

    @pytest.mark.parametrize(("path", "make"), ALL)
    def test_post_with_if_none_match_star_onto_existing_is_412(self, client, path, make):
        params = make()
        create(client, path, params, {"a": 1})
        res = client.post(path, query_string=params, json={"b": 2}, headers={"If-None-Match": "*"})
        assert res.status_code == 412
        assert fetch(client, path, params).get_json() == {"a": 1}

    @pytest.mark.parametrize(("path", "make"), ALL)
    def test_if_none_match_with_the_current_etag_is_412(self, client, path, make):
        params = make()
        create(client, path, params, {"a": 1})
        etag = fetch(client, path, params).headers["ETag"]
        res = client.put(path, query_string=params, json={"b": 2}, headers={"If-None-Match": etag})
        assert res.status_code == 412
        res = client.put(
            path,
            query_string=params,
            json={"b": 2},
            headers={"If-None-Match": '"other"', "If-Match": etag},
        )
        assert res.status_code == 204

    @pytest.mark.parametrize(("path", "make"), ALL)
    def test_get_with_matching_if_none_match_is_304(self, client, path, make):
        params = make()
        create(client, path, params, {"a": 1})
        etag = fetch(client, path, params).headers["ETag"]
        res = client.get(path, query_string=params, headers={"If-None-Match": etag})
        assert res.status_code == 304
        assert res.headers["ETag"] == etag
        assert (
            client.get(path, query_string=params, headers={"If-None-Match": '"x"'}).status_code
            == 200
        )

    @pytest.mark.parametrize("value", ['"unterminated', '"a" "b"', ",", "a b"])
    def test_malformed_if_match_is_400(self, client, value):
        params = state_params()
        res = client.put(STATE, query_string=params, json={"a": 1}, headers={"If-Match": value})
        assert res.status_code == 400
        assert error_path(res) == "If-Match"

    @pytest.mark.parametrize(("path", "make"), PROFILES)
    def test_profile_put_without_headers_onto_existing_is_409_in_both_versions(
        self, client, path, make
    ):
        params = make()
        create(client, path, params, {"original": True})
        res = client.put(path, query_string=params, json={"replacement": True})
        assert res.status_code == 409
        message = res.get_json()["error"]["message"]
        assert "If-Match" in message and "ETag" in message
        assert fetch(client, path, params).get_json() == {"original": True}

    @pytest.mark.parametrize(("path", "make"), PROFILES)
    def test_profile_put_without_headers_for_a_new_document(self, client, path, make):
        params = make()
        res = client.put(path, query_string=params, json={"a": 1})
        if client.version == "1.0.3":
            # 1.0.3 Communication 3.1.s3.b1: the client MUST send one of the headers.
            assert res.status_code == 400
            assert error_path(res) == "If-Match"
            assert client.get(path, query_string=params).status_code == 404
        else:
            assert res.status_code == 204
            assert fetch(client, path, params).get_json() == {"a": 1}

    def test_state_put_without_headers(self, client):
        params = state_params()
        assert client.put(STATE, query_string=params, json={"v": 1}).status_code == 204
        res = client.put(STATE, query_string=params, json={"v": 2})
        if client.version == "1.0.3":
            # 1.0.3 Communication 3.1: the State resource permits PUT without concurrency headers.
            assert res.status_code == 204
            assert fetch(client, STATE, params).get_json() == {"v": 2}
        else:
            # 2.0 §4.1.4 lists State among the resources where a headerless PUT onto an
            # existing document is 409 (and the 2.0 conformance suite tests it).
            assert res.status_code == 409
            assert fetch(client, STATE, params).get_json() == {"v": 1}

    @pytest.mark.parametrize(("path", "make"), ALL)
    def test_post_and_delete_need_no_precondition_headers(self, client, path, make):
        params = make()
        create(client, path, params, {"a": 1})
        assert client.post(path, query_string=params, json={"b": 2}).status_code == 204
        assert fetch(client, path, params).get_json() == {"a": 1, "b": 2}
        assert client.delete(path, query_string=params).status_code == 204


class TestLostUpdates:
    """A write is a compare-and-set; a lost race is re-run once, then reported."""

    @pytest.fixture
    def race(self, store, monkeypatch):
        """``race(winner=b"...")``: the next document save loses a compare-and-set race.

        The losing save raises ``ConcurrentUpdate`` as a store does when the ETag moved;
        before the service's retry begins, a competitor commits ``winner`` as the
        document's content. ``race(always=True)`` loses every save.
        """
        real_save = SqliteDocuments.save
        real_transaction = store.transaction
        state = {"armed": False, "always": False, "winner": None, "lost": None}

        def racing_save(self, document, expected_etag):
            if state["always"] or state["armed"]:
                state["armed"] = False
                state["lost"] = document.key
                raise ConcurrentUpdate(document.key.doc_id)
            return real_save(self, document, expected_etag)

        @contextmanager
        def transaction():
            if state["winner"] is not None and state["lost"] is not None:
                content, state["winner"] = state["winner"], None
                with real_transaction() as uow:
                    current = uow.documents.get(state["lost"])
                    won = replace(current, content=content, etag=sha1(content), updated=utcnow())
                    real_save(uow.documents, won, ANY)
            with real_transaction() as uow:
                yield uow

        monkeypatch.setattr(SqliteDocuments, "save", racing_save)
        monkeypatch.setattr(store, "transaction", transaction)

        def arm(winner: bytes | None = None, always: bool = False) -> None:
            state.update(armed=True, always=always, winner=winner, lost=None)

        return arm

    def test_merge_retries_against_the_winning_version(self, client, race):
        params = state_params()
        create(client, STATE, params, {"a": 1})
        race(winner=b'{"a":1,"b":2}')
        assert client.post(STATE, query_string=params, json={"c": 3}).status_code == 204
        assert fetch(client, STATE, params).get_json() == {"a": 1, "b": 2, "c": 3}

    def test_conditional_write_that_lost_the_race_is_412(self, client, race):
        params = activity_profile_params()
        create(client, ACTIVITY_PROFILE, params, {"a": 1})
        etag = fetch(client, ACTIVITY_PROFILE, params).headers["ETag"]
        race(winner=b'{"winner":true}')
        res = client.put(
            ACTIVITY_PROFILE, query_string=params, json={"loser": True}, headers={"If-Match": etag}
        )
        assert res.status_code == 412
        assert fetch(client, ACTIVITY_PROFILE, params).get_json() == {"winner": True}

    def test_a_single_spurious_conflict_is_absorbed(self, client, race):
        params = agent_profile_params()
        create(client, AGENT_PROFILE, params, {"a": 1})
        etag = fetch(client, AGENT_PROFILE, params).headers["ETag"]
        race()
        res = client.put(
            AGENT_PROFILE, query_string=params, json={"b": 2}, headers={"If-Match": etag}
        )
        assert res.status_code == 204
        assert fetch(client, AGENT_PROFILE, params).get_json() == {"b": 2}

    def test_repeated_conflicts_are_409_without_headers_and_412_with(self, client, race):
        params = state_params()
        create(client, STATE, params, {"a": 1})
        race(always=True)
        assert client.post(STATE, query_string=params, json={"b": 2}).status_code == 409
        res = client.post(STATE, query_string=params, json={"b": 2}, headers={"If-Match": "*"})
        assert res.status_code == 412

    def test_concurrent_merges_lose_nothing(self, app, make_client):
        clients = [make_client(version="2.0.0") for _ in range(6)]
        params = state_params()
        errors: list[object] = []

        def worker(n: int) -> None:
            c = clients[n]
            for i in range(10):
                res = c.post(STATE, query_string=params, json={f"k{n}-{i}": i})
                if res.status_code != 204:
                    errors.append(res.get_json())

        threads = [threading.Thread(target=worker, args=(n,)) for n in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        body = fetch(clients[0], STATE, params).get_json()
        assert len(body) == 60


# ---------------------------------------------------------------- listing and deleting many


class TestMultipleDocuments:
    @pytest.mark.parametrize(("path", "make"), ALL)
    def test_get_without_id_lists_ids(self, client, path, make):
        id_param = "stateId" if path == STATE else "profileId"
        context = fresh_context(make)
        ids = sorted(str(uuid.uuid4()) for _ in range(3))
        for doc_id in ids:
            create(client, path, {**context, id_param: doc_id}, {"id": doc_id})
        res = fetch(client, path, context)
        assert res.mimetype == "application/json"
        assert sorted(res.get_json()) == ids

    @pytest.mark.parametrize(("path", "make"), ALL)
    def test_empty_list(self, client, path, make):
        context = fresh_context(make)
        assert fetch(client, path, context).get_json() == []

    @pytest.mark.parametrize(("path", "make"), ALL)
    def test_since_lists_only_documents_updated_after_it(self, client, path, make):
        id_param = "stateId" if path == STATE else "profileId"
        context = fresh_context(make)
        create(client, path, {**context, id_param: "old"}, {"v": 1})
        time.sleep(0.01)
        since = datetime.now(UTC)
        time.sleep(0.01)
        create(client, path, {**context, id_param: "new"}, {"v": 1})
        assert fetch(client, path, {**context, "since": since.isoformat()}).get_json() == ["new"]
        # An update moves a document past `since` again.
        client.post(path, query_string={**context, id_param: "old"}, json={"w": 2})
        got = fetch(client, path, {**context, "since": since.isoformat()}).get_json()
        assert sorted(got) == ["new", "old"]
        an_hour_ago = datetime.fromtimestamp(time.time() - 3600, UTC).strftime(
            "%Y-%m-%dT%H:%M:%S.%fZ"
        )
        assert sorted(fetch(client, path, {**context, "since": an_hour_ago}).get_json()) == [
            "new",
            "old",
        ]

    @pytest.mark.parametrize(("path", "make"), ALL)
    @pytest.mark.parametrize("since", ["not a timestamp", "true", "2024-13-01T00:00:00Z", ""])
    def test_bad_since_is_400(self, client, path, make, since):
        id_param = "stateId" if path == STATE else "profileId"
        res = client.get(path, query_string={**without(make(), id_param), "since": since})
        assert res.status_code == 400
        assert error_path(res) == "since"

    @pytest.mark.parametrize(("path", "make"), ALL)
    def test_since_with_an_id_is_400(self, client, path, make):
        res = client.get(path, query_string=make(since="2024-01-01T00:00:00Z"))
        assert res.status_code == 400
        assert error_path(res) == "since"

    def test_delete_without_state_id_deletes_every_state_of_the_context(self, client):
        activity = ACTIVITY + "/" + uuid.uuid4().hex
        registration = str(uuid.uuid4())
        create(client, STATE, state_params(activityId=activity, stateId="a"), {"a": 1})
        create(
            client,
            STATE,
            state_params(activityId=activity, stateId="b", registration=registration),
            {"b": 1},
        )
        other_agent = state_params(activityId=activity, stateId="c", agent=json.dumps(OTHER_AGENT))
        create(client, STATE, other_agent, {"c": 1})
        other_activity = state_params(stateId="d")
        create(client, STATE, other_activity, {"d": 1})

        context = without(state_params(activityId=activity), "stateId")
        assert sorted(fetch(client, STATE, context).get_json()) == ["a", "b"]
        assert client.delete(STATE, query_string=context).status_code == 204
        assert fetch(client, STATE, context).get_json() == []
        assert fetch(client, STATE, other_agent).get_json() == {"c": 1}
        assert fetch(client, STATE, other_activity).get_json() == {"d": 1}

    def test_delete_without_state_id_but_with_registration_keeps_other_registrations(self, client):
        activity = ACTIVITY + "/" + uuid.uuid4().hex
        r1, r2 = str(uuid.uuid4()), str(uuid.uuid4())
        for reg, doc_id in ((r1, "one"), (r2, "two"), (None, "none")):
            create(
                client,
                STATE,
                state_params(activityId=activity, stateId=doc_id, registration=reg),
                {"id": doc_id},
            )
        context = without(state_params(activityId=activity), "stateId")
        assert client.delete(STATE, query_string={**context, "registration": r1}).status_code == 204
        assert sorted(fetch(client, STATE, context).get_json()) == ["none", "two"]

    @pytest.mark.parametrize(("path", "make"), PROFILES)
    def test_profiles_cannot_be_deleted_all_at_once(self, client, path, make):
        params = make()
        create(client, path, params, {"a": 1})
        res = client.delete(path, query_string=without(params, "profileId"))
        assert res.status_code == 400
        assert error_path(res) == "profileId"
        assert fetch(client, path, params).get_json() == {"a": 1}


class TestRegistration:
    def test_registration_scopes_single_documents(self, client):
        state_id = str(uuid.uuid4())
        r1, r2 = str(uuid.uuid4()), str(uuid.uuid4())
        create(client, STATE, state_params(stateId=state_id), {"reg": None})
        create(client, STATE, state_params(stateId=state_id, registration=r1), {"reg": 1})
        create(client, STATE, state_params(stateId=state_id, registration=r2), {"reg": 2})
        assert fetch(client, STATE, state_params(stateId=state_id)).get_json() == {"reg": None}
        assert fetch(client, STATE, state_params(stateId=state_id, registration=r1)).get_json() == {
            "reg": 1
        }
        # A registration is a UUID: compared without regard to case.
        upper = state_params(stateId=state_id, registration=r2.upper())
        assert fetch(client, STATE, upper).get_json() == {"reg": 2}
        unknown = state_params(stateId=state_id, registration=str(uuid.uuid4()))
        assert client.get(STATE, query_string=unknown).status_code == 404

        assert (
            client.delete(
                STATE, query_string=state_params(stateId=state_id, registration=r1)
            ).status_code
            == 204
        )
        assert (
            client.get(
                STATE, query_string=state_params(stateId=state_id, registration=r1)
            ).status_code
            == 404
        )
        assert fetch(client, STATE, state_params(stateId=state_id)).get_json() == {"reg": None}

    def test_listing_with_and_without_registration(self, client):
        activity = ACTIVITY + "/" + uuid.uuid4().hex
        r1 = str(uuid.uuid4())
        create(client, STATE, state_params(activityId=activity, stateId="plain"), {})
        create(
            client,
            STATE,
            state_params(activityId=activity, stateId="registered", registration=r1),
            {},
        )
        context = without(state_params(activityId=activity), "stateId")
        assert sorted(fetch(client, STATE, context).get_json()) == ["plain", "registered"]
        assert fetch(client, STATE, {**context, "registration": r1}).get_json() == ["registered"]


# ---------------------------------------------------------------- parameters


class TestParameters:
    @pytest.mark.parametrize(("path", "make"), ALL)
    @pytest.mark.parametrize("method", ["GET", "PUT", "POST", "DELETE"])
    def test_missing_context_parameters_are_400_naming_them(self, client, path, make, method):
        params = make()
        for name in [n for n in params if n in ("activityId", "agent")]:
            kw = {"json": {"a": 1}} if method in ("PUT", "POST") else {}
            res = client.request(
                method,
                path,
                query_string=without(params, name),
                headers={"If-None-Match": "*"} if method == "PUT" else {},
                **kw,
            )
            assert res.status_code == 400, name
            assert error_path(res) == name

    @pytest.mark.parametrize(("path", "make"), ALL)
    @pytest.mark.parametrize("method", ["PUT", "POST"])
    def test_writes_need_the_document_id(self, client, path, make, method):
        id_param = "stateId" if path == STATE else "profileId"
        res = client.request(
            method,
            path,
            query_string=without(make(), id_param),
            json={"a": 1},
            headers={"If-None-Match": "*"},
        )
        assert res.status_code == 400
        assert error_path(res) == id_param

    @pytest.mark.parametrize(("path", "make"), ALL)
    def test_empty_document_id_is_400(self, client, path, make):
        id_param = "stateId" if path == STATE else "profileId"
        res = client.get(path, query_string={**make(), id_param: ""})
        assert res.status_code == 400
        assert error_path(res) == id_param

    @pytest.mark.parametrize(("path", "make"), [ALL[0], ALL[2]])
    @pytest.mark.parametrize(
        "agent",
        [
            "not JSON",
            "true",
            "[]",
            '{"name": "no identifier"}',
            '{"mbox": "not-a-mailto"}',
            '{"objectType": "Group", "member": [{"mbox": "mailto:a@example.com"}]}',
            '{"mbox": "mailto:a@example.com", "openid": "http://example.com/a"}',
        ],
    )
    @pytest.mark.parametrize("method", ["GET", "PUT", "POST", "DELETE"])
    def test_invalid_agent_is_400(self, client, path, make, agent, method):
        kw = {"json": {"a": 1}} if method in ("PUT", "POST") else {}
        res = client.request(
            method,
            path,
            query_string=make(agent=agent),
            headers={"If-None-Match": "*"} if method == "PUT" else {},
            **kw,
        )
        assert res.status_code == 400
        assert (error_path(res) or "").startswith("agent")

    @pytest.mark.parametrize(("path", "make"), [ALL[0], ALL[1]])
    @pytest.mark.parametrize("activity_id", ["not an iri", "", "www.example.com/no-scheme"])
    def test_invalid_activity_id_is_400(self, client, path, make, activity_id):
        res = client.get(path, query_string=make(activityId=activity_id))
        assert res.status_code == 400
        assert error_path(res) == "activityId"

    @pytest.mark.parametrize("method", ["GET", "PUT", "POST", "DELETE"])
    @pytest.mark.parametrize("registration", ["true", "not-a-uuid", ""])
    def test_invalid_registration_is_400(self, client, method, registration):
        kw = {"json": {"a": 1}} if method in ("PUT", "POST") else {}
        res = client.request(
            method, STATE, query_string=state_params(registration=registration), **kw
        )
        assert res.status_code == 400
        assert error_path(res) == "registration"

    @pytest.mark.parametrize(
        ("path", "make", "extra"),
        [
            (STATE, state_params, "profileId"),
            (ACTIVITY_PROFILE, activity_profile_params, "registration"),
            (ACTIVITY_PROFILE, activity_profile_params, "agent"),
            (AGENT_PROFILE, agent_profile_params, "activityId"),
            (AGENT_PROFILE, agent_profile_params, "stateId"),
            (STATE, state_params, "StateId"),
            (STATE, state_params, "foo"),
        ],
    )
    def test_unknown_parameter_is_400_naming_it(self, client, path, make, extra):
        res = client.get(path, query_string={**make(), extra: "x"})
        assert res.status_code == 400
        assert error_path(res) == extra

    def test_repeated_parameter_is_400(self, client):
        params = state_params()
        qs = "&".join(f"{k}={v}" for k, v in [("stateId", "a"), ("stateId", "b")])
        res = client.get(STATE + "?" + qs, query_string=None)
        assert res.status_code == 400
        res = client.get(STATE, query_string=[*params.items(), ("stateId", "again")])
        assert res.status_code == 400
        assert error_path(res) == "stateId"

    def test_since_is_not_a_write_parameter(self, client):
        res = client.put(
            STATE, query_string=state_params(since="2024-01-01T00:00:00Z"), json={"a": 1}
        )
        assert res.status_code == 400
        assert error_path(res) == "since"


# ---------------------------------------------------------------- credentials


class TestCredentials:
    def test_orgs_do_not_see_each_others_documents(self, make_client):
        for version in ("1.0.3", "2.0.0"):
            a = make_client(version=version, org="acme")
            b = make_client(version=version, org="globex")
            params = state_params()
            create(a, STATE, params, {"owner": "acme"})
            assert b.get(STATE, query_string=params).status_code == 404
            context = without(params, "stateId")
            assert b.get(STATE, query_string=context).get_json() == []
            # b may use the same id independently, and deleting all of its state leaves a's.
            create(b, STATE, params, {"owner": "globex"})
            assert b.delete(STATE, query_string=context).status_code == 204
            assert fetch(a, STATE, params).get_json() == {"owner": "acme"}
            assert b.get(STATE, query_string=params).status_code == 404

            profile = agent_profile_params(
                agent=json.dumps({"mbox": f"mailto:{version}@example.com"})
            )
            create(a, AGENT_PROFILE, profile, {"owner": "acme"})
            assert b.get(AGENT_PROFILE, query_string=profile).status_code == 404
            assert b.get(AGENT_PROFILE, query_string=without(profile, "profileId")).get_json() == []
            # Without If-None-Match a 1.0.3 PUT would be refused; `create` sends it.
            create(b, AGENT_PROFILE, profile, {"owner": "globex"})
            assert fetch(a, AGENT_PROFILE, profile).get_json() == {"owner": "acme"}
            assert fetch(b, AGENT_PROFILE, profile).get_json() == {"owner": "globex"}

    def test_scopes(self, make_client):
        state_only = make_client(scopes="state")
        reader = make_client(scopes="all/read")
        profile_only = make_client(scopes="profile")
        writer = make_client()
        params = state_params()
        profile = activity_profile_params()
        create(state_only, STATE, params, {"a": 1})
        create(profile_only, ACTIVITY_PROFILE, profile, {"a": 1})
        assert state_only.get(ACTIVITY_PROFILE, query_string=profile).status_code == 403
        assert profile_only.get(STATE, query_string=params).status_code == 403
        assert profile_only.post(STATE, query_string=params, json={"b": 1}).status_code == 403
        assert fetch(reader, STATE, params).get_json() == {"a": 1}
        assert fetch(reader, ACTIVITY_PROFILE, profile).get_json() == {"a": 1}
        assert reader.post(STATE, query_string=params, json={"b": 1}).status_code == 403
        assert reader.delete(ACTIVITY_PROFILE, query_string=profile).status_code == 403
        assert fetch(writer, STATE, params).get_json() == {"a": 1}

    def test_alternate_request_syntax_in_1_0_3(self, app, make_client):
        old = make_client(version="1.0.3")
        params = state_params()
        form = {
            "X-Experience-API-Version": "1.0.3",
            "Authorization": old.auth,
            "If-None-Match": "*",
            "Content-Type": "application/json",
            "content": json.dumps({"via": "form"}),
            **params,
        }
        http = app.test_client()
        assert http.post(STATE + "?method=PUT", data=form).status_code == 204
        assert fetch(old, STATE, params).get_json() == {"via": "form"}
        assert http.post(STATE + "?method=PUT", data=form).status_code == 412
        get = {k: v for k, v in form.items() if k not in ("content", "If-None-Match")}
        res = http.post(STATE + "?method=GET", data=get)
        assert res.status_code == 200
        assert res.get_json() == {"via": "form"}

    def test_unauthenticated_is_401(self, app):
        res = app.test_client().get(
            STATE, query_string=state_params(), headers={"X-Experience-API-Version": "1.0.3"}
        )
        assert res.status_code == 401

    def test_missing_version_header_is_400(self, client):
        res = client.http.get(
            STATE, query_string=state_params(), headers={"Authorization": client.auth}
        )
        assert res.status_code == 400
