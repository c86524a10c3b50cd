"""The institution page's tables (lrs.domain.archive.institution) as spreadsheets."""

from __future__ import annotations

from typing import Any

from lrs.domain.archive.exports import Cell, Table, _num

KINDS = {"course": "课程", "class": "专题班"}

ACTIVITY_HEADERS = ("类别", "课程编号", "学员数", "已计入人数", "总学分", "总学时", "活动标识")
TRAINEE_HEADERS = ("学员编号", "姓名", "课程数", "专题班数", "必修学分", "选修学分",
                   "专题班学分", "总学分", "总学时", "学员密钥")
VIOLATION_HEADERS = ("时间", "语句标识", "规范", "模板或模式", "规则", "说明", "位置", "注册标识")
GATEWAY_HEADERS = ("作业", "类型", "组织", "已暂停", "已追平", "滞后（秒）", "最近运行",
                   "最近成功", "接收", "存储", "重复", "拒收", "错误", "连续失败", "待处理死信",
                   "最近错误")


def activities_table(report: dict[str, Any]) -> Table:
    rows: list[list[Cell]] = [
        [KINDS.get(a["kind"], a["kind"]), a["courseCode"], a["trainees"], a["credited"],
         _num(a["credits"]["total"]), _num(a["creditHours"]["total"]), a["activity"]]
        for a in report["activities"]
    ]
    return Table(f"课程 {report['period']['key']}", ACTIVITY_HEADERS, rows)


def trainees_table(report: dict[str, Any]) -> Table:
    rows: list[list[Cell]] = [
        [t["maskedId"], t["name"], t["courses"], t["classes"], _num(t["credits"]["required"]),
         _num(t["credits"]["elective"]), _num(t["credits"]["classes"]),
         _num(t["credits"]["total"]), _num(t["creditHours"]["total"]), t["key"]]
        for t in report["trainees"]
    ]
    return Table(f"学员 {report['period']['key']}", TRAINEE_HEADERS, rows)


def violations_table(items: list[dict[str, Any]]) -> Table:
    rows: list[list[Cell]] = [
        [v["created"], v["statement"], v["profile"], v["subject"], v["rule"], v["message"],
         v["location"], v["registration"] or ""]
        for v in items
    ]
    return Table("规范违例", VIOLATION_HEADERS, rows)


def gateway_table(items: list[dict[str, Any]]) -> Table:
    rows: list[list[Cell]] = []
    for j in items:
        c = j["counters"]
        rows.append([
            j["name"], j["kind"], j["org"], "是" if j["paused"] else "否",
            "" if j["caughtUp"] is None else ("是" if j["caughtUp"] else "否"),
            "" if j["lagSeconds"] is None else str(j["lagSeconds"]),
            j["lastRunAt"] or "", j["lastSuccessAt"] or "", c["received"], c["stored"],
            c["duplicates"], c["refused"], c["errors"], j["consecutiveFailures"],
            j["deadLetters"].get("open", 0), _error_text(j["lastError"]),
        ])
    return Table("网关作业", GATEWAY_HEADERS, rows)


def _error_text(error: Any) -> str:
    if not error:
        return ""
    if isinstance(error, dict):
        return str(error.get("message") or error)
    return str(error)
