"""A management department's summary (§9.1.1, §9.2): the merged view across platforms,
per child org and institution, from the per-unit aggregates (or, for a store
projected before they existed, from every trainee's rows)."""

from __future__ import annotations

from datetime import date
from typing import Any

from lrs.domain.archive import aggregates
from lrs.domain.archive.policy_book import PolicyBook, resolve_period
from lrs.domain.archive.reports import scope
from lrs.domain.archive.reports.summary_rows import summary_from_rows
from lrs.domain.archive.summary import NOTHING, aggregate_summary
from lrs.domain.identity.roles import Reader, check_org_path
from lrs.storage.port import Store


def summary(
    store: Store, book: PolicyBook, reader: Reader, org: str | None, period_key: str | None,
    today: date,
) -> dict[str, Any]:
    """The merged view across platforms for a management department (§9.1.1, §9.2)."""
    org = reader.scope if org is None else org.strip("/")
    if org:
        check_org_path(org, "org")
    scope.require_manager(reader, org, "summary")
    policy, period = resolve_period(book, org, period_key, today)
    policies = scope.UnitPolicies(book, period.key, today, policy)
    with store.read() as uow:
        if aggregates.ready(uow):
            body = aggregate_summary(uow, org, period.key, policies, nothing_can_meet=any(
                p.evaluate(NOTHING).met is True for p in book.all()))
        else:  # a store projected before aggregates existed, until `lrs archive rebuild`
            body = summary_from_rows(uow, org, period.key, policies)
    return {"org": org, **scope.heading(policy, period), **body,
            "projectedThrough": scope.projected_through(store)}
