"""One export row → one ``course-completed`` statement of the cadre-training profile.

The statement id is UUIDv5 of (platform, agreed identifier, course code, completion
time): the same learning record gets the same id however often, and in whatever
row order, the file is imported, so a re-import never doubles anything (the
statement id is the store's idempotency key).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from typing import Any

from lrs.domain.identity.keys import check_agreed_id

CADRE = "https://w3id.org/xapi/cadre-training"
EXT = CADRE + "/extensions/"
IMPORT_NAMESPACE = uuid.UUID("2f0c8a52-93a4-4b8e-8d0e-6a1f5b7c9d31")
BEIJING = timezone(timedelta(hours=8))
TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M",
                "%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日 %H:%M", "%Y年%m月%d日")
REQUIREMENTS = {"必修": "required", "选修": "elective", "required": "required",
                "elective": "elective", "": "elective"}


class RowError(ValueError):
    """Why a row cannot become a statement; names the column."""


@dataclass(frozen=True)
class Platform:
    code: str  # short code, part of every statement id
    home_page: str  # the platform's accounts' homePage
    name: str = ""  # context.platform, e.g. 福建干部网络学院
    institution_code: str = ""  # the training institution's unified social credit code


def credit_hours(minutes: Decimal) -> Decimal:
    """GB/T 38856 §3.8: ≤ 15 min → 0.25; ≤ 30 min → 0.5; more → 1."""
    if minutes <= 15:
        return Decimal("0.25")
    return Decimal("0.5") if minutes <= 30 else Decimal(1)


def _minutes(value: Any, column: str) -> Decimal:
    try:
        minutes = Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise RowError(f"{column}：不是分钟数 / not a number of minutes: {value!r}") from exc
    if not minutes.is_finite() or minutes <= 0 or minutes > 100_000:
        raise RowError(f"{column}：分钟数须大于 0 / minutes must be positive: {value!r}")
    return minutes


def _time(value: Any, column: str) -> datetime:
    if isinstance(value, datetime):
        moment = value
    else:
        text = str(value).strip()
        moment = None
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            for fmt in TIME_FORMATS:
                try:
                    moment = datetime.strptime(text, fmt)
                    break
                except ValueError:
                    continue
        if moment is None:
            raise RowError(f"{column}：无法识别的时间 / not a date-time: {text!r}")
    # Exports write China Standard Time without saying so.
    return moment if moment.tzinfo else moment.replace(tzinfo=BEIJING)


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral() else float(value)


def _duration(minutes: Decimal) -> str:
    seconds = int(minutes * 60)
    return f"PT{seconds // 60}M{seconds % 60}S" if seconds % 60 else f"PT{seconds // 60}M"


def row_statement(platform: Platform, columns: dict[str, str], row: dict[str, Any]
                  ) -> dict[str, Any]:
    """The statement for ``row``; RowError naming the column when the row cannot be one."""
    def cell(field: str) -> Any:
        header = columns.get(field)
        return row.get(header, "") if header else ""

    def required(field: str) -> str:
        value = cell(field)
        if value in ("", None):
            raise RowError(f"{columns[field]}：必填 / required")
        return value if isinstance(value, datetime) else str(value).strip()

    agreed_id = required("agreed_id")
    problem = check_agreed_id(agreed_id)
    if problem:
        raise RowError(f"{columns['agreed_id']}：{problem}")
    course_code = required("course_code")
    course_name = required("course_name")
    unit_code = required("unit_code")
    course_minutes = _minutes(required("course_duration"), columns["course_duration"])
    learned = cell("learning_duration")
    learned_minutes = (_minutes(learned, columns["learning_duration"]) if learned not in ("", None)
                       else course_minutes)
    completed = _time(required("completed_at"), columns["completed_at"])
    requirement = REQUIREMENTS.get(str(cell("requirement")).strip())
    if requirement is None:
        raise RowError(f"{columns['requirement']}：应为 必修 或 选修 / must be 必修 or 选修")
    account = str(cell("account") or agreed_id)
    hours = credit_hours(course_minutes)
    key = f"{platform.code}\x00{agreed_id}\x00{course_code}\x00{completed.isoformat()}"
    statement_id = str(uuid.uuid5(IMPORT_NAMESPACE, key))
    registration = str(uuid.uuid5(IMPORT_NAMESPACE,
                                  f"{platform.code}\x00{agreed_id}\x00{course_code}"))
    result: dict[str, Any] = {
        "completion": True,
        "duration": _duration(learned_minutes),
        "extensions": {EXT + "learning-duration": _number(learned_minutes),
                       EXT + "credit-hours-earned": _number(hours)},
    }
    score = cell("score")
    if score not in ("", None):
        try:
            raw = Decimal(str(score).strip())
        except InvalidOperation as exc:
            raise RowError(f"{columns['score']}：不是数字 / not a number: {score!r}") from exc
        if not raw.is_finite() or not 0 <= raw <= 100:
            raise RowError(f"{columns['score']}：应在 0–100 / must be 0-100: {score!r}")
        result["score"] = {"raw": _number(raw), "min": 0, "max": 100,
                           "scaled": float(raw / 100)}
    actor: dict[str, Any] = {"objectType": "Agent",
                             "account": {"homePage": platform.home_page, "name": account}}
    if cell("name"):
        actor["name"] = str(cell("name"))
    context_ext: dict[str, Any] = {
        EXT + "agreed-identifier": agreed_id,
        EXT + "institution-code": platform.institution_code or platform.code,
        EXT + "unit-code": unit_code,
        EXT + "course-requirement": requirement,
        EXT + "record-year": completed.astimezone(BEIJING).year,
    }
    for field in ("position", "rank"):
        if cell(field):
            context_ext[EXT + field] = str(cell(field))
    year = completed.astimezone(BEIJING).year
    context: dict[str, Any] = {
        "registration": registration,
        "language": "zh-CN",
        "contextActivities": {
            "parent": [{"objectType": "Activity",
                        "id": f"{platform.home_page.rstrip('/')}/elective/{year}",
                        "definition": {"type": CADRE + "/activity-types/elective-programme",
                                       "name": {"zh-CN": f"{year}年度在线选学"}}}],
            "category": [{"objectType": "Activity", "id": CADRE + "/v1.0",
                          "definition": {"type": "http://adlnet.gov/expapi/activities/profile"}}],
        },
        "extensions": context_ext,
    }
    if platform.name:
        context["platform"] = platform.name
    return {
        "id": statement_id,
        "timestamp": completed.isoformat(),
        "actor": actor,
        "verb": {"id": "http://adlnet.gov/expapi/verbs/completed",
                 "display": {"zh-CN": "完成", "en": "completed"}},
        "object": {"objectType": "Activity",
                   "id": f"{platform.home_page.rstrip('/')}/courses/{course_code}",
                   "definition": {
                       "type": CADRE + "/activity-types/course",
                       "name": {"zh-CN": course_name},
                       "extensions": {EXT + "course-code": course_code,
                                      EXT + "course-duration": _number(course_minutes),
                                      EXT + "course-credit-hours": _number(hours),
                                      EXT + "assessment-required": False}}},
        "result": result,
        "context": context,
    }
