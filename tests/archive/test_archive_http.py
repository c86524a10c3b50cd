"""Learning-archive scenarios over HTTP: statements from the profile examples go in through
/xapi/statements, the projector is drained, and /xapi/archives/… must show the rules
(GB/T 38856 §8.2.5, §8.3.6, §9.1, §9.2; the Fujian and default credit policies)."""

from __future__ import annotations

import sqlite3
from decimal import Decimal

import pytest

from lrs.services import services
from tests.archive.conftest import (
    FZ,
    HOME_A,
    HOME_B,
    UNIT_CZ,
    UNIT_FGW,
    UNIT_XM,
    archive,
    build,
    class_id,
    course_id,
    course_row,
    key_of,
)
from tests.identity.conftest import account, agent_param

ZS = "FJ-350100-2019-004217"  # 张三
WW = "FJ-350100-2016-001129"  # 王五


def register(admin, agreed_id, unit, *accounts, name="张三", joined=None):
    body = {"agreed_id": agreed_id, "name": name, "unit": unit,
            "accounts": [account(h, n) for h, n in accounts]}
    if joined:
        body["joined"] = joined
    return admin.upsert(**body)


class TestCourseCrediting:
    def test_elective_course_without_assessment_is_credited_on_completion(self, admin, drain):
        register(admin, ZS, UNIT_FGW, (HOME_A, "fz-fgw-0007"))
        admin.send(
            build("course-launched", course="C1", duration=28, assessment=False),
            build("course-progressed", course="C1", duration=28, assessment=False, minutes=12),
            build("course-completed", course="C1", duration=28, assessment=False,
                  requirement="elective", credit=0.5, minutes=29.5),
        )
        drain()
        view = archive(admin, key_of(ZS))
        row = course_row(view, "C1")
        assert row["credited"] is True and row["completed"] is True
        assert row["creditHours"] == "0.5" and row["credits"] == "0.5"
        assert row["learningMinutes"] == "29.5" and row["sessions"] == 1
        assert row["creditMismatch"] is False and row["unit"] == UNIT_FGW
        assert view["totals"]["credits"]["elective"] == "0.5"
        assert view["totals"]["credits"]["total"] == "0.5"
        assert view["policy"]["slug"] == "gbt38856-default"
        assert view["projectedThrough"]["pendingEvents"] == 0

    def test_course_with_assessment_is_credited_only_on_pass(self, admin, drain):
        register(admin, ZS, UNIT_FGW, (HOME_A, "fz-fgw-0007"))
        admin.send(
            build("course-launched", course="C2"),
            build("course-completed", course="C2", duration=45, assessment=True, credit=0,
                  requirement="required"),
        )
        drain()
        row = course_row(archive(admin, key_of(ZS)), "C2")
        assert row["completed"] is True and row["credited"] is False
        admin.send(build("course-assessment-failed", course="C2",
                         when="2024-04-11T09:00:00+08:00"))
        drain()
        assert course_row(archive(admin, key_of(ZS)), "C2")["passed"] is False
        admin.send(build("course-assessment-passed", course="C2", credit=1,
                         when="2024-04-12T09:00:00+08:00"))
        drain()
        view = archive(admin, key_of(ZS))
        row = course_row(view, "C2")
        assert row["passed"] is True and row["credited"] is True and row["attempts"] == 2
        assert row["creditHours"] == "1" and row["bestScore"] == "0.86"
        assert view["totals"]["credits"]["required"] == "1"

    def test_a_second_completion_in_a_later_year_counts_zero(self, admin, drain):
        register(admin, ZS, UNIT_FGW, (HOME_A, "fz-fgw-0007"))
        first = build("course-completed", course="C3", duration=28, assessment=False)
        admin.send(first)
        admin.send(build("course-completed", course="C3", duration=28, assessment=False,
                         when="2025-03-01T10:00:00+08:00"))
        drain()
        assert course_row(archive(admin, key_of(ZS), "2024"), "C3")["credited"] is True
        later = archive(admin, key_of(ZS), "2025")
        row = course_row(later, "C3")
        assert row["credited"] is False
        assert row["notCountedReason"] == f"already credited in 2024 by {first['id']}"
        assert later["totals"]["credits"]["total"] == "0"
        entries = admin.get(f"/xapi/archives/trainees/{key_of(ZS)}/ledger").get_json()["entries"]
        assert [(e["period"], e["creditHours"], bool(e["reason"])) for e in entries] == [
            ("2024", "0.5", False), ("2025", "0", True),
        ]

    def test_a_statement_stored_twice_or_a_projector_run_twice_changes_nothing(
        self, admin, drain, app
    ):
        register(admin, ZS, UNIT_FGW, (HOME_A, "fz-fgw-0007"))
        statement = build("course-completed", course="C4", duration=10, assessment=False)
        admin.send(statement)
        drain()
        before = archive(admin, key_of(ZS))
        admin.send(statement)  # an equivalent statement again: accepted, not stored
        assert drain().events == 0
        # Replaying the same event (as after a crash before its batch committed).
        with services(app).store.transaction() as uow:
            uow.outbox.add("statement.stored", {"id": statement["id"]})
        drain()
        after = archive(admin, key_of(ZS))
        assert _without_lag(after) == _without_lag(before)
        ledger = admin.get(f"/xapi/archives/trainees/{key_of(ZS)}/ledger").get_json()
        assert len(ledger["entries"]) == 1


def _without_lag(view):
    return {k: v for k, v in view.items() if k != "projectedThrough"}


class TestThemeClass:
    def test_class_credited_on_pass_less_courses_exempted_inside(self, admin, drain):
        register(admin, WW, UNIT_CZ, (HOME_A, "fz-cz-0031"), name="王五")
        who = {"agreed_id": WW, "account": (HOME_A, "fz-cz-0031")}
        admin.send(
            build("class-registered", when="2024-05-01T09:00:00+08:00", **who),
            build("class-enrolment-approved", when="2024-05-01T09:00:01+08:00", **who),
            build("class-course-launched", when="2024-05-02T09:00:00+08:00", **who),
            build("class-course-completed", when="2024-05-02T10:00:00+08:00", **who),
            build("class-course-exempted", when="2024-05-03T09:00:00+08:00", **who),
            build("class-assessment-failed", when="2024-05-10T09:00:00+08:00", **who),
            build("class-assessment-passed", when="2024-05-13T09:00:00+08:00", **who),
            build("class-certificate-issued", when="2024-05-13T09:15:00+08:00", **who),
        )
        drain()
        view = archive(admin, key_of(WW))
        (klass,) = view["classes"]
        assert klass["activity"] == class_id("2024-FZ-SZZF-01")
        assert klass["registered"] and klass["approved"] and klass["passed"] is True
        assert klass["classCreditHours"] == "12" and klass["creditHours"] == "11.5"
        assert klass["deducted"][0]["course"] == course_id("FJDX-2024-0203")
        assert klass["creditMismatch"] is False  # the platform stated 11.5 too
        assert klass["certificate"] is True and klass["assessmentAttempts"] == 2
        assert (klass["coursesStudied"], klass["coursesCompleted"], klass["coursesExempted"]) == (
            2, 1, 1)
        inside = course_row(view, "FJDX-2024-0117")
        assert inside["credited"] is True and inside["creditedVia"] == klass["activity"]
        assert view["totals"]["credits"] == {
            "required": "0", "elective": "0", "classes": "11.5", "bonus": "0", "total": "11.5"}

    def test_a_course_credited_by_its_class_is_not_credited_again_electively(
        self, admin, drain
    ):
        register(admin, WW, UNIT_CZ, (HOME_A, "fz-cz-0031"), name="王五")
        who = {"agreed_id": WW, "account": (HOME_A, "fz-cz-0031")}
        admin.send(
            build("class-course-completed", **who),
            build("class-assessment-passed", when="2024-05-13T09:00:00+08:00", credit=12,
                  **who),
        )
        admin.send(build("course-assessment-passed", course="FJDX-2024-0117",
                         when="2024-06-01T09:00:00+08:00", **who))
        drain()
        view = archive(admin, key_of(WW))
        (klass,) = view["classes"]
        assert klass["creditHours"] == "12"
        assert view["totals"]["credits"]["total"] == "12"
        entries = admin.get(f"/xapi/archives/trainees/{key_of(WW)}/ledger").get_json()["entries"]
        assert entries[-1]["reason"].startswith("already credited in 2024")
        assert "through theme class" in entries[-1]["reason"]


class TestMergedAndMoved:
    def test_two_platforms_merge_into_one_archive(self, admin, client, drain):
        register(admin, ZS, UNIT_FGW, (HOME_A, "fz-fgw-0007"))
        admin.send(build("course-completed", course="A1", duration=28, assessment=False))
        # Platform B: another account, the same agreed identifier (linked by the statement).
        admin.send(build("course-completed", course="B1", duration=45, assessment=False,
                         account=(HOME_B, "zs-b"), requirement="required"))
        drain()
        view = archive(admin, key_of(ZS))
        assert {c["activity"] for c in view["courses"]} == {course_id("A1"), course_id("B1")}
        assert view["totals"]["credits"]["total"] == "1.5"
        department = client(org="", role="department", unit=FZ)
        summary = department.get("/xapi/archives/summary?period=2024").get_json()
        assert summary["overall"]["credits"]["total"] == "1.5"
        assert summary["overall"]["traineesWithRecords"] == 1
        (child,) = summary["children"]
        assert child["org"] == UNIT_FGW and child["trainees"] == 1
        assert [i["institution"] for i in child["byInstitution"]] == ["12350000MB0A12345Y"]

    def test_mid_year_transfer_each_unit_sees_its_records(self, admin, client, drain):
        register(admin, ZS, UNIT_FGW, (HOME_A, "fz-fgw-0007"), joined="2020-01-01")
        admin.send(build("course-completed", course="M1", duration=28, assessment=False,
                         when="2024-03-01T10:00:00+08:00"))
        res = admin.post(f"/xapi/trainees/{key_of(ZS)}/transfers",
                         {"unit": UNIT_XM, "date": "2024-07-01"})
        assert res.status_code == 200, res.get_json()
        admin.send(build("course-completed", course="M2", duration=45, assessment=False,
                         when="2024-09-01T10:00:00+08:00"))
        drain()
        old = client(role="unit", unit=UNIT_FGW).get(
            f"/xapi/archives/units/{UNIT_FGW}/report?period=2024").get_json()
        (item,) = old["trainees"]
        assert item["status"] == "former" and item["credits"]["total"] == "0.5"
        assert item["name"] == "张*"  # masked: no longer the unit's trainee
        new = client(role="unit", unit=UNIT_XM).get(
            f"/xapi/archives/units/{UNIT_XM}/report?period=2024").get_json()
        (item,) = new["trainees"]
        assert item["status"] == "current" and item["name"] == "张三"
        assert item["credits"]["total"] == "1.5"  # the whole history follows the person
        rows = archive(admin, key_of(ZS))["byUnit"]
        assert [(r["unit"], r["credits"]["total"]) for r in rows] == [
            (UNIT_FGW, "0.5"), (UNIT_XM, "1")]

    def test_after_a_transfer_the_old_unit_reads_only_what_was_earned_under_it(
        self, admin, client, drain
    ):
        register(admin, ZS, UNIT_FGW, (HOME_A, "fz-fgw-0007"), joined="2020-01-01")
        admin.send(build("course-completed", course="M1", duration=28, assessment=False,
                         when="2024-03-01T10:00:00+08:00"))
        res = admin.post(f"/xapi/trainees/{key_of(ZS)}/transfers",
                         {"unit": UNIT_XM, "date": "2024-07-01"})
        assert res.status_code == 200, res.get_json()
        admin.send(build("course-completed", course="M2", duration=45, assessment=False,
                         when="2024-09-01T10:00:00+08:00"))
        drain()
        old = client(role="unit", unit=UNIT_FGW)
        view = old.get(f"/xapi/archives/trainees/{key_of(ZS)}?period=2024").get_json()
        assert view["trainee"]["access"] == "former" and view["trainee"]["name"] == "张*"
        assert [(r["unit"], r["credits"]) for r in view["courses"]] == [(UNIT_FGW, "0.5")]
        assert view["targets"] is None  # a partial view is not judged against targets
        ledger = old.get(f"/xapi/archives/trainees/{key_of(ZS)}/ledger").get_json()
        assert [(e["unit"], e["credits"]) for e in ledger["entries"]] == [(UNIT_FGW, "0.5")]
        everything = admin.get(f"/xapi/archives/trainees/{key_of(ZS)}/ledger").get_json()
        assert [e["unit"] for e in everything["entries"]] == [UNIT_FGW, UNIT_XM]

    def test_a_former_unit_pages_past_ledger_entries_earned_elsewhere(
        self, admin, client, drain
    ):
        register(admin, ZS, UNIT_CZ, (HOME_A, "fz-fgw-0007"), joined="2020-01-01")
        admin.send(build("course-completed", course="M1", duration=28, assessment=False,
                         when="2024-03-01T10:00:00+08:00"))
        for unit, day in ((UNIT_FGW, "2024-05-01"), (UNIT_XM, "2024-07-01")):
            res = admin.post(f"/xapi/trainees/{key_of(ZS)}/transfers", {"unit": unit, "date": day})
            assert res.status_code == 200, res.get_json()
            drain()
            admin.send(build("course-completed", course=f"M-{unit[-4:]}", duration=45,
                             assessment=False, when=f"{day}T10:00:00+08:00"))
        drain()
        reader = client(role="unit", unit=UNIT_FGW)
        seen, after, pages = [], 0, 0
        while after is not None and pages < 10:
            page = reader.get(f"/xapi/archives/trainees/{key_of(ZS)}/ledger"
                              f"?limit=1&after={after}").get_json()
            seen += [(e["seq"], e["unit"]) for e in page["entries"]]
            after, pages = page["next"], pages + 1
        # The first entry (earned at UNIT_CZ) is hidden, yet the paging goes on past it.
        assert seen == [(2, UNIT_FGW)]

    def test_statements_before_the_link_are_projected_after_it(self, admin, drain):
        # No agreed identifier: the platform's account is not linked to anyone yet.
        statement = build("course-completed", course="L1", duration=28, assessment=False,
                          account=(HOME_B, "unlinked-0001"))
        del statement["context"]["extensions"][
            "https://w3id.org/xapi/cadre-training/extensions/agreed-identifier"]
        admin.send(statement)
        drain()
        register(admin, ZS, UNIT_FGW, (HOME_B, "unlinked-0001"))  # the liaison links it
        drain()
        row = course_row(archive(admin, key_of(ZS)), "L1")
        assert row["credited"] is True and row["creditingStatement"] == statement["id"]


class TestFujianWindow:
    @pytest.mark.parametrize("policies", ["fj=fujian-2017"])
    def test_21_december_is_not_counted(self, admin, drain, policies):
        register(admin, ZS, UNIT_FGW, (HOME_A, "fz-fgw-0007"))
        admin.send(
            build("course-completed", course="W1", duration=28, assessment=False,
                  when="2024-12-20T23:59:00+08:00"),
            build("course-completed", course="W2", duration=28, assessment=False,
                  when="2024-12-21T10:00:00+08:00"),
        )
        drain()
        view = archive(admin, key_of(ZS))
        assert view["policy"]["slug"] == "fujian-2017"
        assert course_row(view, "W1")["credited"] is True
        late = course_row(view, "W2")
        assert late["credited"] is False and "study window" in late["notCountedReason"]
        assert view["totals"]["credits"]["total"] == "0.5"


class TestLedger:
    def test_voiding_a_crediting_statement_appends_a_reversal(self, admin, drain):
        register(admin, ZS, UNIT_FGW, (HOME_A, "fz-fgw-0007"))
        proxy = build("course-completed", course="V1", duration=45, assessment=False)
        admin.send(proxy, build("course-completed", course="V2", duration=28, assessment=False))
        drain()
        assert archive(admin, key_of(ZS))["totals"]["credits"]["total"] == "1.5"
        admin.send({
            "actor": {"objectType": "Agent", "account": {"homePage": HOME_A, "name": "admin"}},
            "verb": {"id": "http://adlnet.gov/expapi/verbs/voided"},
            "object": {"objectType": "StatementRef", "id": proxy["id"]},
        })
        drain()
        view = archive(admin, key_of(ZS))
        assert view["totals"]["credits"]["total"] == "0.5"
        assert course_row(view, "V1")["credited"] is False
        ledger = admin.get(
            f"/xapi/archives/trainees/{key_of(ZS)}/ledger?verify=true").get_json()
        assert [e["creditHours"] for e in ledger["entries"]] == ["1", "0.5", "-1"]
        assert ledger["entries"][-1]["reverses"] == 1
        assert ledger["verification"]["ok"] is True
        # Creditable again: a later genuine completion counts.
        admin.send(build("course-completed", course="V1", duration=45, assessment=False,
                         when="2024-06-01T10:00:00+08:00"))
        drain()
        assert archive(admin, key_of(ZS))["totals"]["credits"]["total"] == "1.5"

    def test_tampering_with_a_ledger_row_is_detected(self, admin, drain, store):
        if not hasattr(store, "path"):
            pytest.skip("edits the SQLite file directly")
        register(admin, ZS, UNIT_FGW, (HOME_A, "fz-fgw-0007"))
        for n in range(3):
            admin.send(build("course-completed", course=f"T{n}", duration=28, assessment=False))
        drain()
        conn = sqlite3.connect(store.path)
        with conn:
            with pytest.raises(sqlite3.DatabaseError, match="append-only"):
                conn.execute("UPDATE archive_ledger SET credit_hours = '5' WHERE seq = 2")
            # Someone with the database file can drop the guard, but not fix the chain.
            conn.execute("DROP TRIGGER archive_ledger_no_update")
            conn.execute("UPDATE archive_ledger SET credit_hours = '5' WHERE seq = 2")
        conn.close()
        res = admin.get(f"/xapi/archives/trainees/{key_of(ZS)}/ledger?verify=true")
        verification = res.get_json()["verification"]
        assert verification["ok"] is False and verification["firstBrokenSeq"] == 2


class TestScoping:
    def test_roles(self, admin, client, drain):
        register(admin, ZS, UNIT_FGW, (HOME_A, "fz-fgw-0007"))
        register(admin, WW, UNIT_CZ, (HOME_A, "fz-cz-0031"), name="王五")
        admin.send(build("course-completed", course="S1", duration=28, assessment=False))
        drain()
        me = client(role="trainee", trainee=key_of(ZS))
        assert me.get(f"/xapi/archives/trainees/{key_of(ZS)}").status_code == 200
        res = me.get(f"/xapi/archives/trainees/{key_of(WW)}")
        # Another trainee's archive looks like an unknown key (issue 12.7).
        assert res.status_code == 404 and res.get_json()["error"]
        assert me.get(f"/xapi/archives/units/{UNIT_FGW}/report").status_code == 403
        assert me.get("/xapi/archives/summary").status_code == 403
        unit = client(role="unit", unit=UNIT_CZ)
        assert unit.get(f"/xapi/archives/units/{UNIT_FGW}/report").status_code == 403
        assert unit.get(f"/xapi/archives/trainees/{key_of(ZS)}").status_code == 404
        assert unit.get(f"/xapi/archives/trainees/{key_of(WW)}").status_code == 200
        assert unit.get("/xapi/archives/summary?org=fj").status_code == 403
        department = client(role="department", unit=FZ)
        summary = department.get("/xapi/archives/summary")
        assert summary.status_code == 200
        assert summary.get_json()["overall"]["trainees"] == 2
        assert department.get("/xapi/archives/status").get_json()["pendingEvents"] == 0
        bad = department.get("/xapi/archives/summary?period=twenty")
        assert bad.status_code == 400 and bad.get_json()["error"]["path"] == "period"

    def test_unit_report_as_csv_for_excel(self, admin, client, drain):
        register(admin, ZS, UNIT_FGW, (HOME_A, "fz-fgw-0007"))
        admin.send(build("course-completed", course="X1", duration=28, assessment=False))
        drain()
        unit = client(role="unit", unit=UNIT_FGW)
        res = unit.get(f"/xapi/archives/units/{UNIT_FGW}/report?period=2024",
                       headers={"Accept": "text/csv"})
        assert res.status_code == 200 and res.content_type.startswith("text/csv")
        text = res.get_data().decode("utf-8")
        assert text.startswith("\ufeff学员编号,姓名,状态")
        assert "张三" in text and ",0.5," in text


class TestReleasedAccounts:
    """An account that stops belonging to a trainee takes its statements out of the
    trainee's archive: reversal entries (the ledger is never edited), rows refolded."""

    ACCOUNT = (HOME_A, "fz-fgw-0007")

    @staticmethod
    def ledger(admin, key):
        res = admin.get(f"/xapi/archives/trainees/{key}/ledger?verify=true")
        assert res.status_code == 200, res.get_json()
        return res.get_json()

    @staticmethod
    def pending(store):
        with store.read() as uow:
            return [(e.topic, e.payload) for e in uow.outbox.pending(limit=1000)]

    @staticmethod
    def replay(store, events):
        with store.transaction() as uow:
            for topic, payload in events:
                uow.outbox.add(topic, payload)

    def test_an_unlinked_account_takes_its_credit_out(self, admin, drain, store):
        register(admin, ZS, UNIT_FGW, self.ACCOUNT, (HOME_B, "zs-b"))
        admin.send(
            build("course-launched", course="R1", duration=45, assessment=False),
            build("course-completed", course="R1", duration=45, assessment=False),
            build("course-completed", course="R2", duration=28, assessment=False,
                  account=(HOME_B, "zs-b")),
        )
        drain()
        assert archive(admin, key_of(ZS))["totals"]["credits"]["total"] == "1.5"

        agent = agent_param(account(*self.ACCOUNT))
        res = admin.delete(f"/xapi/trainees/{key_of(ZS)}/accounts?agent={agent}")
        assert res.status_code == 204
        released = self.pending(store)
        assert [t for t, _ in released] == ["account.released"]
        assert released[0][1]["trainee_key"] == key_of(ZS)
        drain()

        view = archive(admin, key_of(ZS))
        assert view["totals"]["credits"]["total"] == "0.5"
        assert [c["activity"] for c in view["courses"]] == [course_id("R2")]
        ledger = self.ledger(admin, key_of(ZS))
        assert [e["creditHours"] for e in ledger["entries"]] == ["1", "0.5", "-1"]
        assert ledger["entries"][-1]["reverses"] == 1
        assert ledger["verification"]["ok"] is True

        # Replaying the projector changes nothing: nothing pending, then the same event again.
        assert drain().events == 0
        self.replay(store, released)
        drain()
        assert _without_lag(archive(admin, key_of(ZS))) == _without_lag(view)
        assert self.ledger(admin, key_of(ZS))["entries"] == ledger["entries"]

    def test_a_conflict_resolved_for_another_trainee_moves_the_credit(
        self, admin, drain, store
    ):
        register(admin, ZS, UNIT_FGW, self.ACCOUNT)
        register(admin, WW, UNIT_CZ, name="王五")
        admin.send(build("course-completed", course="R3", duration=45, assessment=False))
        drain()
        assert archive(admin, key_of(ZS))["totals"]["credits"]["total"] == "1"
        # The platform now says the account belongs to 王五's agreed identifier.
        admin.send(build("course-launched", course="R3", duration=45, assessment=False,
                         agreed_id=WW))
        drain()
        (conflict,) = [c for c in admin.get("/xapi/identity/conflicts").get_json()["conflicts"]
                       if c["kind"] == "account_claim"]
        assert (conflict["trainee"], conflict["other_trainee"]) == (key_of(WW), key_of(ZS))
        res = admin.post(f"/xapi/identity/conflicts/{conflict['id']}/resolve",
                         {"decision": "owner", "owner": key_of(WW)})
        assert res.status_code == 200, res.get_json()
        moved = self.pending(store)
        # Released from the old owner first, then linked to the new one.
        assert [(t, p["trainee_key"]) for t, p in moved] == [
            ("account.released", key_of(ZS)), ("trainee.linked", key_of(WW)),
        ]
        drain()

        zs = archive(admin, key_of(ZS))
        assert zs["totals"]["credits"]["total"] == "0" and zs["courses"] == []
        zs_ledger = self.ledger(admin, key_of(ZS))
        assert [e["creditHours"] for e in zs_ledger["entries"]] == ["1", "-1"]
        assert zs_ledger["entries"][-1]["reverses"] == 1
        assert zs_ledger["verification"]["ok"] is True
        ww = archive(admin, key_of(WW))
        assert ww["totals"]["credits"]["total"] == "1"
        row = course_row(ww, "R3")
        assert row["credited"] is True and row["sessions"] == 1 and row["unit"] == UNIT_CZ
        ww_ledger = self.ledger(admin, key_of(WW))
        assert [e["creditHours"] for e in ww_ledger["entries"]] == ["1"]
        assert ww_ledger["verification"]["ok"] is True

        # Replaying both events changes nothing in either archive.
        self.replay(store, moved)
        drain()
        assert _without_lag(archive(admin, key_of(ZS))) == _without_lag(zs)
        assert _without_lag(archive(admin, key_of(WW))) == _without_lag(ww)
        assert self.ledger(admin, key_of(ZS))["entries"] == zs_ledger["entries"]
        assert self.ledger(admin, key_of(WW))["entries"] == ww_ledger["entries"]

    def test_an_account_linked_back_records_a_new_decision_generation(
        self, admin, drain, store
    ):
        register(admin, ZS, UNIT_FGW, self.ACCOUNT)
        crediting = build("course-completed", course="R4", duration=45, assessment=False)
        admin.send(crediting)
        drain()
        assert archive(admin, key_of(ZS))["totals"]["credits"]["total"] == "1"

        agent = agent_param(account(*self.ACCOUNT))
        res = admin.delete(f"/xapi/trainees/{key_of(ZS)}/accounts?agent={agent}")
        assert res.status_code == 204
        drain()
        assert archive(admin, key_of(ZS))["totals"]["credits"]["total"] == "0"

        # Linked back to the same trainee: a fresh decision, not the reversed one.
        res = admin.post(f"/xapi/trainees/{key_of(ZS)}/accounts", account(*self.ACCOUNT))
        assert res.status_code == 201, res.get_json()
        linked = self.pending(store)
        assert [(t, p["trainee_key"]) for t, p in linked] == [
            ("trainee.linked", key_of(ZS))]
        drain()
        view = archive(admin, key_of(ZS))
        assert view["totals"]["credits"]["total"] == "1"
        assert course_row(view, "R4")["credited"] is True
        ledger = self.ledger(admin, key_of(ZS))
        assert [e["creditHours"] for e in ledger["entries"]] == ["1", "-1", "1"]
        assert [e["reverses"] for e in ledger["entries"]] == [None, 1, None]
        assert ledger["verification"]["ok"] is True
        # The ledger nets to what the archive shows.
        assert sum(Decimal(e["credits"]) for e in ledger["entries"]) == Decimal(
            view["totals"]["credits"]["total"])

        # Replaying the link changes nothing.
        self.replay(store, linked)
        drain()
        assert _without_lag(archive(admin, key_of(ZS))) == _without_lag(view)
        assert self.ledger(admin, key_of(ZS))["entries"] == ledger["entries"]

        # Voiding the crediting statement reverses the live generation only.
        void = {
            "actor": {"objectType": "Agent", "account": {"homePage": HOME_A, "name": "admin"}},
            "verb": {"id": "http://adlnet.gov/expapi/verbs/voided"},
            "object": {"objectType": "StatementRef", "id": crediting["id"]},
        }
        admin.send(void)
        drain()
        view = archive(admin, key_of(ZS))
        assert view["totals"]["credits"]["total"] == "0"
        assert course_row(view, "R4")["credited"] is False
        ledger = self.ledger(admin, key_of(ZS))
        assert [e["creditHours"] for e in ledger["entries"]] == ["1", "-1", "1", "-1"]
        assert ledger["entries"][-1]["reverses"] == 3
        assert ledger["verification"]["ok"] is True
        assert sum(Decimal(e["credits"]) for e in ledger["entries"]) == 0

        # Replaying changes nothing: a second void of it, the link replayed.
        admin.send(void)
        self.replay(store, linked)
        drain()
        assert _without_lag(archive(admin, key_of(ZS))) == _without_lag(view)
        assert self.ledger(admin, key_of(ZS))["entries"] == ledger["entries"]
