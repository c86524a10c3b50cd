"""The institution page (培训机构): what its statements earned, their profile violations
and its gateway jobs, each table also as XLSX/CSV (``?format=…&table=…``)."""

from __future__ import annotations

from flask import Response, current_app, g, render_template, request

from lrs.console.views import _BUCKETS, _export_format, _period, _runtime, _today, bp
from lrs.domain.archive import institution as report
from lrs.domain.archive import institution_exports as tables
from lrs.http.auth import has_scope
from lrs.http.negotiate import spreadsheet


@bp.get("/institution")
def institution() -> Response | str:
    fmt = _export_format()
    table = report.check_table(request.args.get("table"))
    org = report.institution_org(g.reader, request.args.get("org"))
    runtime = _runtime()
    store = current_app.extensions["lrs.store"]
    earned = report.earned(store, runtime.book, org, _period(), _today())
    # Violations and gateway jobs are about statements: the API shows them to
    # credentials that read statements, and so does the console.
    reads_statements = has_scope(g.console_credential, "statements/read")
    violations = report.violations(store, org) if reads_statements else []
    jobs = report.gateway(store, org) if reads_statements else []
    if fmt:
        sheet = {
            "activities": lambda: tables.activities_table(earned),
            "trainees": lambda: tables.trainees_table(earned),
            "violations": lambda: tables.violations_table(violations),
            "gateway": lambda: tables.gateway_table(jobs),
        }[table]()
        stem = (org or "all").replace("/", "_")
        return spreadsheet(sheet, fmt, f"institution-{stem}-{table}-{earned['period']['key']}")
    return render_template("console/institution.html", report=earned, violations=violations,
                           jobs=jobs, reads_statements=reads_statements, buckets=_BUCKETS)
