"""The institution page (培训机构): what its statements earned, their profile violations
and its gateway jobs, each table also as XLSX/CSV (``?format=…&table=…``)."""

from __future__ import annotations

from flask import Response, g, render_template, request

from lrs.console.blueprint import BUCKETS, archive_runtime, bp, export_format, period_param, today
from lrs.domain.archive import institution as report
from lrs.domain.archive import institution_exports as tables
from lrs.http.auth import has_scope
from lrs.http.negotiate import spreadsheet
from lrs.services import services

# A page stays readable and quick; the exports carry every line.
ROWS_SHOWN = 500


@bp.get("/institution")
def institution() -> Response | str:
    fmt = export_format()
    table = report.check_table(request.args.get("table"))
    org = report.institution_org(g.reader, request.args.get("org"))
    store = services().store
    # Violations and gateway jobs are about statements: the API shows them to
    # credentials that read statements, and so does the console.
    reads_statements = has_scope(g.console_credential, "statements/read")
    violations = report.violations(store, org) if reads_statements else []
    jobs = report.gateway(store, org) if reads_statements else []
    stem = f"institution-{(org or 'all').replace('/', '_')}-{table}"
    if fmt:
        if table == "violations":
            return spreadsheet(tables.violations_table(violations), fmt, stem)
        if table == "gateway":
            return spreadsheet(tables.gateway_table(jobs), fmt, stem)
    earned = report.earned(store, archive_runtime().book, org, period_param(), today())
    if fmt:
        sheet = (tables.activities_table(earned) if table == "activities"
                 else tables.trainees_table(earned))
        return spreadsheet(sheet, fmt, f"{stem}-{earned['period']['key']}")
    return render_template("console/institution.html", report=earned, violations=violations,
                           jobs=jobs, reads_statements=reads_statements, buckets=BUCKETS,
                           shown=ROWS_SHOWN)
