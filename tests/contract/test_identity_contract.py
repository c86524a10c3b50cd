"""What every storage adapter must do for the trainee registry (lrs.domain.identity)."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

import pytest

from lrs.storage.port import AccountLink, IdentityConflict, Membership, Trainee

T0 = datetime(2026, 3, 1, tzinfo=UTC)
K1, K2, K3 = "a" * 64, "b" * 64, "c" * 64


@pytest.fixture
def registry(store):
    with store.read() as uow:
        if not hasattr(uow, "trainees"):
            pytest.skip("this adapter has no trainee registry yet")
    return store


def trainee(key=K1, unit="fj/fz/a", **kw):
    fields = dict(
        key=key,
        masked_id="350102********1234",
        name="张三",
        position="科员",
        rank="一级科员",
        unit=unit,
        created=T0,
        updated=T0,
    )
    fields.update(kw)
    return Trainee(**fields)


def link(agent_key="mbox:mailto:zs@a.gov.cn", trainee_key=K1, **kw):
    fields = dict(
        agent_key=agent_key,
        trainee_key=trainee_key,
        ifi={"mbox": agent_key.removeprefix("mbox:")},
        source="api",
        org="fj",
        linked=T0,
        linked_by="key-a",
    )
    fields.update(kw)
    return AccountLink(**fields)


def conflict(dedupe="c1", org="fj", trainee_key=K2, **kw):
    fields = dict(
        kind="account_claim",
        dedupe_key=dedupe,
        org=org,
        trainee_key=trainee_key,
        other_trainee_key=K1,
        agent_key="mbox:mailto:zs@a.gov.cn",
        details={"reason": "linked to another trainee", "statement_id": "s1"},
    )
    fields.update(kw)
    return IdentityConflict(**fields)


class TestTrainees:
    def test_save_get_and_replace(self, registry):
        with registry.transaction() as uow:
            assert uow.trainees.get(K1) is None
            uow.trainees.save(trainee(provisional=True))
        with registry.transaction() as uow:
            got = uow.trainees.get(K1)
            assert got == trainee(provisional=True)
            uow.trainees.save(trainee(name="张三丰", unit="fj/xm/b", updated=T0 + timedelta(1)))
        with registry.read() as uow:
            got = uow.trainees.get(K1)
        assert (got.name, got.unit, got.provisional) == ("张三丰", "fj/xm/b", False)
        assert got.created == T0 and got.updated == T0 + timedelta(1)

    def test_list_by_current_unit_subtree_in_key_order(self, registry):
        with registry.transaction() as uow:
            uow.trainees.save(trainee(K3, "fj/fz/a"))
            uow.trainees.save(trainee(K1, "fj/fz"))
            uow.trainees.save(trainee(K2, "fj/fzx"))
            uow.trainees.save(trainee("d" * 64, "hn/cs"))
        with registry.read() as uow:
            assert [t.key for t in uow.trainees.list_trainees("fj/fz")] == [K1, K3]
            assert [t.key for t in uow.trainees.list_trainees(None)] == [K1, K2, K3, "d" * 64]
            assert [t.key for t in uow.trainees.list_trainees("fj", limit=2)] == [K1, K2]
            assert [t.key for t in uow.trainees.list_trainees("fj", after_key=K2)] == [K3]

    def test_list_escapes_like_wildcards(self, registry):
        with registry.transaction() as uow:
            uow.trainees.save(trainee(K1, "a_b"))
            uow.trainees.save(trainee(K2, "axb/c"))
        with registry.read() as uow:
            assert [t.key for t in uow.trainees.list_trainees("a_b")] == [K1]

    def test_memberships_replace_and_order(self, registry):
        history = [
            Membership("fj/xm/b", date(2026, 7, 1), None, "api"),
            Membership("fj/fz/a", None, date(2026, 7, 1), "statement"),
        ]
        with registry.transaction() as uow:
            uow.trainees.save(trainee())
            assert uow.trainees.memberships(K1) == []
            uow.trainees.set_memberships(K1, [Membership("hn/x", date(2025, 1, 1))])
            uow.trainees.set_memberships(K1, history)
        with registry.read() as uow:
            assert uow.trainees.memberships(K1) == [history[1], history[0]]

    def test_batched_reads(self, registry):
        many = [f"{n:064x}" for n in range(1100)]
        with registry.transaction() as uow:
            for key in many[::2]:
                uow.trainees.save(trainee(key))
            uow.trainees.set_memberships(many[0], [Membership("fj/fz/a", date(2026, 1, 1))])
            uow.trainees.set_memberships(
                many[2],
                [Membership("fj/xm/b", date(2026, 7, 1)), Membership("fj/fz/a", None)],
            )
        with registry.read() as uow:
            found = uow.trainees.get_many(many + many[:3])
            assert sorted(found) == many[::2] and found[many[0]] == trainee(many[0])
            units = uow.trainees.memberships_many(many[:5])
            assert sorted(units) == [many[0], many[2]]
            assert units[many[2]] == uow.trainees.memberships(many[2])
            assert [m.unit for m in units[many[2]]] == ["fj/fz/a", "fj/xm/b"]
            assert uow.trainees.get_many([]) == {} and uow.trainees.memberships_many([]) == {}

    def test_with_memberships_in_finds_past_members(self, registry):
        with registry.transaction() as uow:
            uow.trainees.save(trainee(K1, "fj/xm/b"))
            uow.trainees.set_memberships(
                K1,
                [
                    Membership("fj/fz/a", date(2026, 1, 1), date(2026, 7, 1)),
                    Membership("fj/xm/b", date(2026, 7, 1)),
                ],
            )
            uow.trainees.save(trainee(K2, "fj/fz/a"))
            uow.trainees.set_memberships(K2, [Membership("fj/fz/a", None)])
            uow.trainees.save(trainee(K3, "hn"))
            uow.trainees.set_memberships(K3, [Membership("hn", None)])
        with registry.read() as uow:
            assert [t.key for t in uow.trainees.with_memberships_in("fj/fz")] == [K1, K2]
            assert [t.key for t in uow.trainees.with_memberships_in("fj/xm/b")] == [K1]
            assert [t.key for t in uow.trainees.with_memberships_in("fj", after_key=K1)] == [K2]
            assert uow.trainees.with_memberships_in("gd") == []


class TestAccountLinks:
    def test_link_owner_and_keys(self, registry):
        with registry.transaction() as uow:
            assert uow.account_links.link(link()) is None
            assert uow.account_links.link(link("account:http://b/|zs001")) is None
        with registry.read() as uow:
            owners = uow.account_links.owners(["mbox:mailto:zs@a.gov.cn", "openid:http://x"])
            assert list(owners) == ["mbox:mailto:zs@a.gov.cn"]
            assert owners["mbox:mailto:zs@a.gov.cn"] == link()
            assert uow.account_links.owner_keys(
                ["mbox:mailto:zs@a.gov.cn", "account:http://b/|zs001", "openid:http://x"]
            ) == {"mbox:mailto:zs@a.gov.cn": K1, "account:http://b/|zs001": K1}
            assert sorted(uow.account_links.agent_keys(K1)) == [
                "account:http://b/|zs001",
                "mbox:mailto:zs@a.gov.cn",
            ]
            assert uow.account_links.agent_keys(K2) == []

    def test_second_claim_returns_the_active_link_and_writes_nothing(self, registry):
        with registry.transaction() as uow:
            uow.account_links.link(link())
        with registry.transaction() as uow:
            existing = uow.account_links.link(link(trainee_key=K2))
        assert existing is not None and existing.trainee_key == K1
        with registry.read() as uow:
            assert uow.account_links.agent_keys(K2) == []
            assert [x.trainee_key for x in uow.account_links.for_trainee(K1)] == [K1]

    def test_unlink_keeps_history_and_frees_the_key(self, registry):
        with registry.transaction() as uow:
            uow.account_links.link(link(statement_id="s1"))
        with registry.transaction() as uow:
            ended = uow.account_links.unlink("mbox:mailto:zs@a.gov.cn", T0 + timedelta(1), "k")
            assert ended.unlinked == T0 + timedelta(1) and ended.unlinked_by == "k"
            assert uow.account_links.unlink("mbox:mailto:zs@a.gov.cn", T0, "k") is None
        with registry.transaction() as uow:
            assert uow.account_links.owners(["mbox:mailto:zs@a.gov.cn"]) == {}
            assert uow.account_links.was_unlinked("mbox:mailto:zs@a.gov.cn", K1)
            assert not uow.account_links.was_unlinked("mbox:mailto:zs@a.gov.cn", K2)
            assert uow.account_links.link(link(trainee_key=K2)) is None
        with registry.read() as uow:
            assert uow.account_links.for_trainee(K1) == []
            old = uow.account_links.for_trainee(K1, include_unlinked=True)
            assert len(old) == 1 and old[0].statement_id == "s1" and old[0].unlinked
            assert uow.account_links.agent_keys(K2) == ["mbox:mailto:zs@a.gov.cn"]

    def test_owners_of_many_keys(self, registry):
        keys = [f"mbox:mailto:u{n}@a.gov.cn" for n in range(1200)]
        with registry.transaction() as uow:
            for key in keys[::2]:
                uow.account_links.link(link(key))
        with registry.read() as uow:
            assert sorted(uow.account_links.owners(keys)) == sorted(keys[::2])
            assert uow.account_links.owner_keys(keys) == {k: K1 for k in keys[::2]}

    def test_concurrent_claims_of_one_key_link_it_once(self, registry):
        results = []

        def claim(owner):
            with registry.transaction() as uow:
                results.append(uow.account_links.link(link(trainee_key=owner)))

        threads = [threading.Thread(target=claim, args=(k,)) for k in (K1, K2, K3, K1)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sum(r is None for r in results) == 1
        with registry.read() as uow:
            owner = uow.account_links.owners(["mbox:mailto:zs@a.gov.cn"])
        assert len(owner) == 1

    def test_uncommitted_unit_of_work_leaves_nothing(self, registry):
        with pytest.raises(RuntimeError), registry.transaction() as uow:
            uow.trainees.save(trainee())
            uow.account_links.link(link())
            uow.identity_conflicts.record(conflict())
            raise RuntimeError("boom")
        with registry.read() as uow:
            assert uow.trainees.get(K1) is None
            assert uow.account_links.owners(["mbox:mailto:zs@a.gov.cn"]) == {}
            assert uow.identity_conflicts.list_conflicts(None) == []


class TestConflicts:
    def test_record_dedupes_open_conflicts(self, registry):
        with registry.transaction() as uow:
            first = uow.identity_conflicts.record(conflict())
            again = uow.identity_conflicts.record(conflict(details={"statement_id": "s2"}))
            other = uow.identity_conflicts.record(conflict("c2"))
        assert first.id == again.id != other.id
        assert (first.count, again.count) == (1, 2)
        assert again.details["statement_id"] == "s1"  # the first claim's details stay
        assert first.status == "open" and first.created is not None
        with registry.read() as uow:
            got = uow.identity_conflicts.get(first.id)
            assert got.count == 2 and got.kind == "account_claim" and got.other_trainee_key == K1
            assert uow.identity_conflicts.get(str(first.id)) == got
            assert [c.dedupe_key for c in uow.identity_conflicts.list_conflicts()] == ["c1", "c2"]

    def test_close_once_then_a_new_claim_opens_a_new_conflict(self, registry):
        with registry.transaction() as uow:
            first = uow.identity_conflicts.record(conflict())
        with registry.transaction() as uow:
            assert uow.identity_conflicts.close(first.id, "resolved", {"decision": "owner"})
            assert not uow.identity_conflicts.close(first.id, "dismissed", {})
        with registry.transaction() as uow:
            closed = uow.identity_conflicts.get(first.id)
            assert closed.status == "resolved" and closed.resolution == {"decision": "owner"}
            assert uow.identity_conflicts.list_conflicts() == []
            second = uow.identity_conflicts.record(conflict())
        assert second.id != first.id and second.count == 1
        with registry.read() as uow:
            conflicts = uow.identity_conflicts
            assert [c.id for c in conflicts.list_conflicts(None)] == [first.id, second.id]
            assert [c.id for c in conflicts.list_conflicts("resolved")] == [first.id]

    def test_list_by_org_scope_and_trainee(self, registry):
        with registry.transaction() as uow:
            uow.identity_conflicts.record(conflict("c1", "fj/fz"))
            uow.identity_conflicts.record(conflict("c2", "fj", trainee_key=K3))
            uow.identity_conflicts.record(conflict("c3", "hn", other_trainee_key=None))
        with registry.read() as uow:
            def keys(**filters):
                return [c.dedupe_key for c in uow.identity_conflicts.list_conflicts(**filters)]

            assert keys(org_scope="fj") == ["c1", "c2"]
            assert keys(org_scope="fj/fz") == ["c1"]
            assert keys(trainee_key=K1) == ["c1", "c2"]  # as the other party
            assert keys(trainee_key=K3) == ["c2"]
            assert len(uow.identity_conflicts.list_conflicts(limit=2)) == 2

    def test_unknown_ids(self, registry):
        with registry.transaction() as uow:
            assert uow.identity_conflicts.get("999999") is None
            assert uow.identity_conflicts.get("not-an-id") is None
            assert uow.identity_conflicts.close("999999", "dismissed", {}) is False
            # Past a 64-bit rowid (issue 12.7: an OverflowError became a 500).
            for huge in (str(2**63), 2**63, "9" * 40, "-1"):
                assert uow.identity_conflicts.get(huge) is None
                assert uow.identity_conflicts.close(huge, "dismissed", {}) is False
