"""The admin's statement browser: the xAPI query filters, newest first, keyset pages."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import g, render_template, request

from lrs.console.blueprint import bp
from lrs.domain.errors import Forbidden, ValidationError
from lrs.domain.statements import service
from lrs.domain.statements.validation import is_iri, is_uuid
from lrs.http.auth import has_scope
from lrs.services import services
from lrs.storage.port import StatementQuery

PAGE = 50


def _when(name: str) -> datetime | None:
    value = request.args.get(name) or None
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise ValidationError(f"{name} 应为带时区的 ISO 8601 时间，如 2024-01-01T00:00:00+08:00",
                              name)
    return parsed.astimezone(UTC)


def _query() -> StatementQuery:
    args = request.args
    for name in ("verb", "activity"):
        if args.get(name) and not is_iri(args[name]):
            raise ValidationError(f"{name} 应为 IRI", name)
    registration = args.get("registration") or None
    if registration and not is_uuid(registration):
        raise ValidationError("registration 应为 UUID", "registration")
    after = args.get("after") or None
    if after is not None and not after.isdigit():
        raise ValidationError("after 应为页码游标（整数）", "after")
    return StatementQuery(
        verb_id=args.get("verb") or None, activity_id=args.get("activity") or None,
        registration=registration.lower() if registration else None,
        since=_when("since"), until=_when("until"), limit=PAGE,
        after_seq=int(after) if after else None,
        org_scope=g.console_credential.org or None,
    )


@bp.get("/statements")
def statements() -> str:
    if g.reader.role != "admin" or not has_scope(g.console_credential, "statements/read"):
        raise Forbidden("只有可读全部语句的系统管理员凭据可以浏览语句")
    page = service.query_statements(services().store, _query())
    return render_template("console/statements.html", page=page, args=request.args)
