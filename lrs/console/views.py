"""Console pages by role: login, department overview, unit report, trainee archive."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import (
    Blueprint,
    Response,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from lrs.console import charts, i18n
from lrs.console import session as sessions
from lrs.domain.archive import exports, reports
from lrs.domain.archive.runtime import ArchiveRuntime
from lrs.domain.errors import Forbidden, LRSError, NotFound, ValidationError
from lrs.domain.identity.keys import is_trainee_key
from lrs.domain.identity.membership import statement_day
from lrs.http.auth import has_scope
from lrs.http.negotiate import NotAcceptable, spreadsheet
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
def _require_login() -> Response | None:
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


def _runtime() -> ArchiveRuntime:
    return services().archive


def _period() -> str | None:
    value = request.args.get("period") or None
    if value is not None and len(value) > 64:
        raise ValidationError("period 应为年度，例如 2024", "period")
    return value


def _export_format() -> str | None:
    """``csv`` or ``xlsx`` when the page is asked for as a download; None for the page."""
    fmt = request.args.get("format")
    if fmt in (None, "", "html"):
        return None
    if fmt not in ("csv", "xlsx"):
        raise NotAcceptable(f"format 只能是 csv 或 xlsx，而不是 {fmt!r}", "format")
    return fmt


def _safe_next(target: str | None) -> str:
    # Only our own pages: never an open redirect to another site.
    if target and target.startswith("/console/") and not target.startswith("//"):
        return target
    return url_for("console.home")


# ---------------------------------------------------------------- login


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response | str | tuple[str, int]:
    expired = session.pop("expired", False)
    if request.method == "GET":
        return render_template("console/login.html", expired=expired, error=None)
    key = request.form.get("key", "").strip()
    secret = request.form.get("secret", "")
    if not key or not secret:
        return render_template("console/login.html", expired=False,
                               error="请填写凭据密钥（key）和口令（secret）"), 400
    if sessions.log_in(key, secret) is None:
        return render_template("console/login.html", expired=False,
                               error="凭据无效、已吊销或无权查看学习档案"), 401
    return redirect(_safe_next(request.args.get("next")))


@bp.post("/logout")
def logout() -> Response:
    sessions.log_out()
    return redirect(url_for("console.login"))


@bp.get("/")
def home() -> Response | str:
    reader = g.reader
    if reader.role in ("admin", "department"):
        return redirect(url_for("console.overview"))
    if reader.role == "unit":
        return redirect(url_for("console.unit", unit=reader.scope))
    if reader.role == "trainee":
        if not reader.trainee_key:
            raise Forbidden("此学员凭据未绑定学员")
        return redirect(url_for("console.trainee", key=reader.trainee_key))
    return redirect(url_for("console.institution"))


@bp.get("/api-docs")
def api_docs() -> str:
    """Swagger UI (vendored in static/swagger-ui) over /xapi/openapi.json; public like it."""
    return render_template("console/api_docs.html", spec_url=url_for("openapi.openapi"))


# ---------------------------------------------------------------- department


@bp.get("/overview")
def overview() -> Response | str:
    fmt = _export_format()
    runtime = _runtime()
    org = request.args.get("org")
    report = reports.summary(runtime.store, runtime.book, g.reader, org, _period(), _today())
    if fmt:
        return spreadsheet(exports.summary_table(report), fmt,
                           f"summary-{(report['org'] or 'all').replace('/', '_')}-"
                           f"{report['period']['key']}")
    children = report["children"]
    credit_chart = charts.bar_chart(
        "各下级单位总学分", [(c["org"] or "（无单位）", Decimal(c["credits"]["total"]))
                      for c in children], " 学分")
    share_chart = charts.bar_chart(
        "各下级单位达标比例",
        [(c["org"] or "（无单位）", _share(c["targetsMet"], c["trainees"])) for c in children],
        "%")
    return render_template("console/overview.html", report=report, credit_chart=credit_chart,
                           share_chart=share_chart, share=_share)


def _share(met: int, trainees: int) -> Decimal:
    if not trainees:
        return Decimal(0)
    return (Decimal(100) * met / trainees).quantize(Decimal("0.1"))


# ---------------------------------------------------------------- unit


@bp.get("/units/<path:unit>")
def unit(unit: str) -> Response | str:
    fmt = _export_format()
    runtime = _runtime()
    report = reports.unit_report(runtime.store, runtime.book, g.reader, unit, _period(),
                                 _today())
    if fmt:
        return spreadsheet(exports.unit_report_table(report), fmt,
                           f"archive-{unit.replace('/', '_')}-{report['period']['key']}")
    can_import = g.reader.writes and has_scope(g.console_credential, "trainees/write")
    return render_template("console/unit.html", report=report, buckets=_BUCKETS,
                           can_import=can_import)


_BUCKETS = {"required": "必修", "elective": "选修", "classes": "专题班", "bonus": "加分",
            "total": "总计"}


# ---------------------------------------------------------------- trainee


@bp.get("/trainees/<key>")
def trainee(key: str) -> Response | str:
    if not is_trainee_key(key):
        raise NotFound("没有这个学员")
    fmt = _export_format()
    runtime = _runtime()
    view = reports.trainee_archive(runtime.store, runtime.book, g.reader, key, _period(),
                                   _today())
    if fmt:
        return spreadsheet(exports.trainee_archive_table(view), fmt,
                           f"archive-{view['trainee']['maskedId'] or key[:12]}-"
                           f"{view['period']['key']}")
    ledger = reports.trainee_ledger(runtime.store, g.reader, key, verify=True)
    chart = None
    if view["targets"]:
        targets, achieved = view["targets"]["targets"], view["targets"]["achieved"]
        chart = charts.progress_chart("年度目标完成情况（学分）", [
            (_BUCKETS.get(name, name), Decimal(achieved.get(name, "0")),
             None if target is None else Decimal(target))
            for name, target in targets.items()])
    return render_template("console/trainee.html", view=view, ledger=ledger, buckets=_BUCKETS,
                           chart=chart)


def _today():
    # Periods are counted in China Standard Time, as the API counts them.
    return statement_day({}, utcnow())
