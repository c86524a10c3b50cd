"""Console pages by role: login, department overview, unit report, trainee archive."""

from __future__ import annotations

from decimal import Decimal

from flask import (
    Response,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from werkzeug.wrappers import Response as BaseResponse

from lrs.console import charts
from lrs.console import session as sessions
from lrs.console.blueprint import BUCKETS, archive_runtime, bp, export_format, period_param, today
from lrs.domain.archive import exports, reports
from lrs.domain.errors import Forbidden, NotFound
from lrs.domain.identity.keys import is_trainee_key
from lrs.http.auth import has_scope
from lrs.http.negotiate import spreadsheet


def _safe_next(target: str | None) -> str:
    # Only our own pages: never an open redirect to another site.
    if target and target.startswith("/console/") and not target.startswith("//"):
        return target
    return url_for("console.home")


# ---------------------------------------------------------------- login


@bp.route("/login", methods=["GET", "POST"])
def login() -> BaseResponse | str | tuple[str, int]:
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
def logout() -> BaseResponse:
    sessions.log_out()
    return redirect(url_for("console.login"))


@bp.get("/")
def home() -> BaseResponse | str:
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
    fmt = export_format()
    runtime = archive_runtime()
    org = request.args.get("org")
    report = reports.summary(runtime.store, runtime.book, g.reader, org, period_param(), today())
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
    fmt = export_format()
    runtime = archive_runtime()
    report = reports.unit_report(runtime.store, runtime.book, g.reader, unit, period_param(),
                                 today())
    if fmt:
        return spreadsheet(exports.unit_report_table(report), fmt,
                           f"archive-{unit.replace('/', '_')}-{report['period']['key']}")
    can_import = g.reader.writes and has_scope(g.console_credential, "trainees/write")
    return render_template("console/unit.html", report=report, buckets=BUCKETS,
                           can_import=can_import)


# ---------------------------------------------------------------- trainee


@bp.get("/trainees/<key>")
def trainee(key: str) -> Response | str:
    if not is_trainee_key(key):
        raise NotFound("没有这个学员")
    fmt = export_format()
    runtime = archive_runtime()
    view = reports.trainee_archive(runtime.store, runtime.book, g.reader, key, period_param(),
                                   today())
    if fmt:
        return spreadsheet(exports.trainee_archive_table(view), fmt,
                           f"archive-{view['trainee']['maskedId'] or key[:12]}-"
                           f"{view['period']['key']}")
    ledger = reports.trainee_ledger(runtime.store, g.reader, key, verify=True)
    chart = None
    if view["targets"]:
        targets, achieved = view["targets"]["targets"], view["targets"]["achieved"]
        chart = charts.progress_chart("年度目标完成情况（学分）", [
            (BUCKETS.get(name, name), Decimal(achieved.get(name, "0")),
             None if target is None else Decimal(target))
            for name, target in targets.items()])
    return render_template("console/trainee.html", view=view, ledger=ledger, buckets=BUCKETS,
                           chart=chart)
