"""Read models of the learning archive (GB/T 38856 §9.1, §9.2), scoped by role.

Who may see what (§9.2, lrs.domain.identity.roles):

* a trainee: only their own archive;
* a unit / department: its trainees now (their whole history follows them)
  and, of trainees who left, the records earned under a unit in its scope;
* an institution: records from its own statements (the org of the credential
  that stored them);
* admin: everything.

Totals, targets and certificates come from the credit policy of the trainee's
unit (``PolicyBook.for_org``); amounts are Decimal, shown as text. One module
per report: ``trainee`` (a trainee's archive and ledger), ``unit`` (a unit's
report), ``department`` (a department's summary; ``summary_rows`` adds it up
from rows where the aggregates are not built), over ``scope`` (the reader's
trainees, rows and policies; the heading every report carries).
"""

from lrs.domain.archive.reports.department import summary
from lrs.domain.archive.reports.trainee import trainee_archive, trainee_ledger
from lrs.domain.archive.reports.unit import unit_report

__all__ = ["summary", "trainee_archive", "trainee_ledger", "unit_report"]
