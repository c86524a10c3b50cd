"""The Chinese-first text a liaison (联络员) reads from ``lrs trainees import`` and
``lrs trainees conflicts``; ``--json`` output stays as it was (machines read that).

Lists name trainees as the console does: masked name and masked identifier
(张*（FJ****01）), never key prefixes, which mean nothing to a liaison and are
a stable handle on a person in a log.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable, Mapping

from lrs.domain.identity.csv_import import ImportReport
from lrs.domain.identity.keys import mask_name
from lrs.storage.port import IdentityConflict, Trainee

# The import file's columns, as the liaison's spreadsheet would title them.
COLUMN_NAMES = {
    "agreed_id": "约定标识", "name": "姓名", "unit": "单位", "position": "职务",
    "rank": "职级", "joined": "调入日期", "platform_home_page": "平台地址",
    "account_name": "平台账号", "mbox": "邮箱", "openid": "OpenID",
}
KINDS = {"account_claim": "账号归属冲突", "unit_mismatch": "所属单位不一致",
         "transfer_request": "调入申请"}
STATUSES = {"open": "待处理", "resolved": "已解决", "dismissed": "已忽略"}


def width(text: str) -> int:
    """Terminal columns ``text`` takes: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def pad(text: str, columns: int) -> str:
    return text + " " * max(0, columns - width(text))


def reason_text(reason: str) -> str:
    """``joined: joined must be …`` → ``调入日期（joined）：joined must be …``."""
    field, sep, rest = reason.partition(": ")
    if sep and field in COLUMN_NAMES:
        return f"{COLUMN_NAMES[field]}（{field}）：{rest}"
    return reason


def import_report_lines(report: ImportReport) -> list[str]:
    lines = [
        f"导入完成：新增 {report.accepted} 人，更新 {report.updated} 人，"
        f"未变 {report.unchanged} 人，拒收 {len(report.refused)} 行，"
        f"冲突 {len(report.conflicts)} 项"
        f"（accepted {report.accepted}, updated {report.updated}, "
        f"unchanged {report.unchanged}, refused {len(report.refused)}, "
        f"conflicts {len(report.conflicts)}）"
    ]
    lines += [f"第 {row} 行 拒收：{reason_text(reason)}" for row, reason in report.refused]
    lines += [f"第 {row} 行 记录了身份冲突 {conflict}（用 lrs trainees conflicts 查看）"
              for row, conflict in report.conflicts]
    return lines


def person(key: str | None, trainees: Mapping[str, Trainee]) -> str:
    if not key:
        return "—"
    trainee = trainees.get(key)
    if trainee is None:
        return "（未登记）"
    name = mask_name(trainee.name) or "（无姓名）"
    return f"{name}（{trainee.masked_id}）" if trainee.masked_id else name


def _what(conflict: IdentityConflict) -> str:
    d = conflict.details
    if conflict.kind == "unit_mismatch":
        return (f"平台报送单位代码 {d.get('claimed_unit_code')}，登记单位 "
                f"{d.get('registry_unit')}（{d.get('day')}）")
    if conflict.kind == "account_claim":
        ifi = json.dumps(d.get("ifi"), ensure_ascii=False)
        return f"账号 {ifi}：{d.get('reason')}"
    return json.dumps(d, ensure_ascii=False)


HEADERS = ("编号", "状态", "类型", "组织", "次数", "学员", "另一学员", "说明")


def conflict_lines(
    conflicts: Iterable[IdentityConflict], trainees: Mapping[str, Trainee]
) -> list[str]:
    """A table: one line per conflict, columns aligned for CJK text, masked names."""
    rows: list[list[str]] = [
        [str(c.id), STATUSES.get(c.status, c.status),
         f"{KINDS.get(c.kind, c.kind)}（{c.kind}）", c.org or "/", f"x{c.count}",
         person(c.trainee_key, trainees), person(c.other_trainee_key, trainees), _what(c)]
        for c in conflicts
    ]
    if not rows:
        return ["没有身份冲突（no conflicts）"]
    table = [list(HEADERS), *rows]
    widths = [max(width(r[i]) for r in table) for i in range(len(HEADERS) - 1)]
    return ["  ".join([*(pad(cell, w) for cell, w in zip(r, widths, strict=False)), r[-1]])
            .rstrip() for r in table]

