"""CSV import of the trainee registry for units' liaisons and institutions.

One row per (trainee, account): a trainee with several accounts takes several
rows with the same ``agreed_id``. Columns (header row required, any order):

| column | meaning |
|---|---|
| agreed_id | the agreed identifier (required) |
| name, position, rank | basic information (姓名, 职务, 职级); empty = unchanged |
| unit | the unit's org path, e.g. ``fj/fz/fzswzzb``; required for a new trainee |
| joined | ``YYYY-MM-DD``, the day the trainee joined the unit (see below) |
| platform_home_page, account_name | an ``account`` identifier on a platform (both or neither) |
| mbox | an e-mail identifier (``mailto:`` optional) |
| openid | an OpenID identifier |

With a unit other than the trainee's current one, ``joined`` is required and
records a transfer on that day. Rows are applied in order; a refused row
(reported with its row number, the header being row 1, and the reason) leaves
no trace, and the good rows are kept. A claim on an identifier another trainee
owns is kept as a conflict. The agreed identifier is never echoed in the report.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from lrs.domain.errors import LRSError, ValidationError
from lrs.domain.identity.keys import IdentityKeys
from lrs.domain.identity.membership import parse_day
from lrs.domain.identity.registry import TraineeInput, upsert_trainee
from lrs.domain.identity.roles import Reader
from lrs.domain.statements.validation import validate_agent
from lrs.storage.port import Store

COLUMNS = (
    "agreed_id",
    "name",
    "unit",
    "position",
    "rank",
    "joined",
    "platform_home_page",
    "account_name",
    "mbox",
    "openid",
)
# Rows applied per transaction: a crash loses at most this many, and a long
# import never holds the write lock for long.
CHUNK = 200


@dataclass
class ImportReport:
    accepted: int = 0  # new trainees
    updated: int = 0  # rows that changed a known trainee or linked an account
    unchanged: int = 0
    refused: list[tuple[int, str]] = field(default_factory=list)
    conflicts: list[tuple[int, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "accepted": self.accepted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "refused": [{"row": r, "reason": why} for r, why in self.refused],
            "conflicts": [{"row": r, "conflict": cid} for r, cid in self.conflicts],
        }


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), else GB 18030 (what spreadsheets in China save)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return data.decode("gb18030")
        except UnicodeDecodeError as exc:
            raise ValidationError("the CSV file is neither UTF-8 nor GB 18030", "file") from exc


def read_rows(text: str) -> list[tuple[int, dict[str, str]]]:
    """(row number, cells) for each data row; the header must name known columns only."""
    try:
        return _read_rows(text)
    except csv.Error as exc:  # e.g. a field over the size limit: a 400, not a 500
        raise ValidationError(f"the CSV file cannot be read: {exc}", "file") from exc


def _read_rows(text: str) -> list[tuple[int, dict[str, str]]]:
    # newline="": the csv module reads \r, \n and \r\n itself (a bare \r used to be a 500).
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip() for h in reader.fieldnames or []]
    if "agreed_id" not in header:
        raise ValidationError("the CSV header must include agreed_id", "header")
    unknown = [h for h in header if h not in COLUMNS]
    if unknown:
        raise ValidationError(
            f"unknown column {unknown[0]!r}; known: {', '.join(COLUMNS)}", "header"
        )
    reader.fieldnames = header
    rows = []
    for cells in reader:
        if not any((v or "").strip() for k, v in cells.items() if k is not None):
            continue
        rows.append((reader.line_num, {k: (v or "").strip() for k, v in cells.items() if k}))
    return rows


def row_input(cells: dict[str, str]) -> TraineeInput:
    """The row as a TraineeInput; ValidationError names the column at fault."""
    accounts: list[tuple[str, dict[str, Any]]] = []
    home, name = cells.get("platform_home_page", ""), cells.get("account_name", "")
    if home or name:
        if not (home and name):
            raise ValidationError(
                "platform_home_page and account_name go together", "account_name"
            )
        accounts.append(("platform_home_page", {"account": {"homePage": home, "name": name}}))
    mbox = cells.get("mbox", "")
    if mbox:
        mbox = mbox if mbox.startswith("mailto:") else "mailto:" + mbox
        accounts.append(("mbox", {"mbox": mbox}))
    if cells.get("openid"):
        accounts.append(("openid", {"openid": cells["openid"]}))
    for column, agent in accounts:
        try:
            validate_agent(agent, "2.0.0", path=column)
        except ValidationError as exc:
            raise ValidationError(exc.message, column) from None
    return TraineeInput(
        agreed_id=cells.get("agreed_id", ""),
        name=cells.get("name") or None,
        unit=cells.get("unit") or None,
        position=cells.get("position") or None,
        rank=cells.get("rank") or None,
        joined=parse_day(cells.get("joined"), "joined"),
        accounts=tuple(agent for _, agent in accounts),
    )


def import_rows(
    store: Store,
    keys: IdentityKeys,
    writer: Reader,
    rows: list[tuple[int, dict[str, str]]],
    source: str,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    report = ImportReport()
    for chunk in _chunks(rows, CHUNK):
        with store.transaction() as uow:
            for number, cells in chunk:
                try:
                    outcome = upsert_trainee(uow, keys, writer, row_input(cells), source)
                except LRSError as exc:
                    report.refused.append((number, str(exc)))
                    continue
                for conflict in outcome.conflicts:
                    report.conflicts.append((number, str(conflict.id)))
                if outcome.created:
                    report.accepted += 1
                elif outcome.changed or outcome.linked:
                    report.updated += 1
                elif not outcome.conflicts:
                    report.unchanged += 1
        if progress:
            progress(len(chunk))
    return report


def _chunks(rows: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]
