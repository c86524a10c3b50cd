"""The console blueprint: login gate, security headers, error pages, and the
request helpers every console page module shares (period, export format, …).

Page modules (views, institution, admin, …) add their routes to :data:`bp`;
they import this module, never each other.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, Response, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from lrs.console import i18n
from lrs.console import session as sessions
from lrs.domain.archive.runtime import ArchiveRuntime
from lrs.domain.errors import Forbidden, LRSError, ValidationError
from lrs.domain.identity.membership import statement_day
from lrs.http.negotiate import NotAcceptable
from lrs.services import services
from lrs.timeutil import utcnow

bp = Blueprint(
    "console", __name__, url_prefix="/console",
    template_folder="templates", static_folder="static",
)

ROLE_NAMES = {
    "admin": "系统管理员", "department": "管理部门", "unit": "学员所属单位（联络员）",
    "institution": "培训机构", "trainee": "学员",
}
OPEN_ENDPOINTS = {"console.login", "console.static", "console.api_docs"}


@bp.before_request
def _require_login() -> BaseResponse | None:
    if request.method == "POST" and not sessions.csrf_ok():
        raise Forbidden("表单已失效（CSRF 校验失败），请刷新页面后重试", "csrf_token")
    if request.endpoint in OPEN_ENDPOINTS:
        return None
    found = sessions.current_reader()
    if found is None:
        return redirect(url_for("console.login", next=request.full_path))
    g.reader, g.console_credential = found
    return None


@bp.after_request
def _security_headers(response: Response) -> Response:
    # Swagger UI sets style attributes from its script; the other pages need no inline style.
    styles = "'self' 'unsafe-inline'" if request.endpoint == "console.api_docs" else "'self'"
    response.headers["Content-Security-Policy"] = (
        f"default-src 'self'; img-src 'self' data:; style-src {styles}; "
        "frame-ancestors 'none'"
    )
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Cache-Control"] = "no-store"
    return i18n.remember(response)


@bp.errorhandler(LRSError)
def _error(exc: LRSError) -> tuple[str, int]:
    return render_template("console/error.html", error=exc), exc.status


@bp.app_context_processor
def _globals() -> dict[str, Any]:
    return {"csrf_token": sessions.csrf_token, "role_names": ROLE_NAMES}


def archive_runtime() -> ArchiveRuntime:
    return services().archive


def period_param() -> str | None:
    value = request.args.get("period") or None
    if value is not None and len(value) > 64:
        raise ValidationError("period 应为年度，例如 2024", "period")
    return value


def export_format() -> str | None:
    """``csv`` or ``xlsx`` when the page is asked for as a download; None for the page."""
    fmt = request.args.get("format")
    if fmt in (None, "", "html"):
        return None
    if fmt not in ("csv", "xlsx"):
        raise NotAcceptable(f"format 只能是 csv 或 xlsx，而不是 {fmt!r}", "format")
    return fmt


# The credit buckets' Chinese names, as the archive pages show them.
BUCKETS = {"required": "必修", "elective": "选修", "classes": "专题班", "bonus": "加分",
           "total": "总计"}


def today() -> date:
    # Periods are counted in China Standard Time, as the API counts them.
    return statement_day({}, utcnow())
