"""What a training institution (培训机构) sees of its own work (§9.2): the archive rows
its statements earned, the profile violations of its statements, its gateway jobs.

"Its statements" are those stored by credentials of its org (``ArchiveRow.org``,
``Violation.org``, ``GatewayJob.org``), as the API scopes an institution; names are
always masked here: an institution is not responsible for the trainees it taught.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from lrs.domain.archive.policy_book import PolicyBook, resolve_period
from lrs.domain.archive.sums import sums
from lrs.domain.errors import Forbidden, ValidationError
from lrs.domain.gateway import jobs
from lrs.domain.identity.keys import mask_name
from lrs.domain.identity.roles import Reader, check_org_path, in_scope
from lrs.storage.port import ArchiveRow, Store
from lrs.timeutil import format_timestamp

PAGE = 1000
VIOLATIONS_SHOWN = 200


def institution_org(reader: Reader, org: str | None) -> str:
    """The institution org the reader asked for: its own by default; admins may name one
    within their scope; other roles are refused (their pages are about trainees)."""
    if reader.role not in ("institution", "admin"):
        raise Forbidden("只有培训机构和系统管理员可以查看培训机构页面")
    if not org:
        return reader.scope
    org = check_org_path(org.strip("/"), "org")
    if not in_scope(org, reader.scope):
        raise Forbidden("org 不在本凭据的范围之内", "org")
    return org


def _rows(store: Store, org: str, period_key: str) -> list[ArchiveRow]:
    rows: list[ArchiveRow] = []
    after: tuple[str, str, str, str] | None = None
    with store.read() as uow:
        while True:
            page = uow.archive.rows_by_org(org, period_key, after, PAGE)
            rows.extend(page)
            if len(page) < PAGE:
                return rows
            last = page[-1]
            after = (last.trainee_key, last.kind, last.period_key, last.activity_id)


def earned(
    store: Store, book: PolicyBook, org: str, period_key: str | None, today: date
) -> dict[str, Any]:
    """Totals, one line per course or class, one per trainee (masked) for the period."""
    _policy, period = resolve_period(book, org, period_key, today)
    rows = _rows(store, org, period.key)
    by_activity: dict[tuple[str, str], list[ArchiveRow]] = {}
    by_trainee: dict[str, list[ArchiveRow]] = {}
    for row in rows:
        by_activity.setdefault((row.kind, row.activity_id), []).append(row)
        by_trainee.setdefault(row.trainee_key, []).append(row)
    with store.read() as uow:
        trainees = uow.trainees.get_many(sorted(by_trainee))
    activities = [
        {
            "kind": kind,
            "activity": activity,
            "courseCode": next((r.data.get("courseCode") for r in items
                                if r.data.get("courseCode")), "") or "",
            "trainees": len({r.trainee_key for r in items}),
            "credited": sum(1 for r in items if r.data.get("credited")),
            **sums(items).view(),
        }
        for (kind, activity), items in sorted(by_activity.items())
    ]
    people = []
    for key, items in sorted(by_trainee.items()):
        trainee = trainees.get(key)
        people.append({
            "key": key,
            "maskedId": trainee.masked_id if trainee else "",
            "name": mask_name(trainee.name) if trainee else "",
            **sums(items).view(),
        })
    return {
        "org": org,
        "period": {"key": period.key, "start": period.start.isoformat(),
                   "end": period.end.isoformat()},
        "totals": {**sums(rows).view(), "trainees": len(by_trainee)},
        "activities": activities,
        "trainees": people,
    }


def violations(store: Store, org: str, limit: int = VIOLATIONS_SHOWN) -> list[dict[str, Any]]:
    """The newest profile violations of the org's statements, newest first."""
    with store.read() as uow:
        found = uow.violations.recent(org or None, limit)
    return [
        {"statement": v.statement_id, "profile": v.profile_id, "subject": v.subject_id,
         "rule": v.rule, "message": v.message, "location": v.location,
         "registration": v.registration, "org": v.org,
         "created": format_timestamp(v.created) if v.created else None}
        for v in found
    ]


def gateway(store: Store, org: str) -> list[dict[str, Any]]:
    """The org's gateway jobs as GET /xapi/gateway/status reports them."""
    return [jobs.job_status(store, job) for job in jobs.list_jobs(store, org or None)]


def check_table(name: str | None) -> str:
    if name in (None, ""):
        return "activities"
    if name not in TABLES:
        raise ValidationError(f"table 只能是 {'、'.join(TABLES)}，而不是 {name!r}", "table")
    return name


TABLES = ("activities", "trainees", "violations", "gateway")
