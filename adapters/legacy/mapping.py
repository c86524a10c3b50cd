"""Which column holds what: a declarative mapping from a field to the headers that may
name it (Chinese first, as platforms export them). A platform whose headers differ
passes its own mapping ``{"field": "its header", …}`` (JSON), which takes precedence."""

from __future__ import annotations

from typing import Any

from lrs.domain.errors import ValidationError

# field → accepted headers. Required fields must be found in the header row.
COLUMNS: dict[str, tuple[str, ...]] = {
    "agreed_id": ("身份标识", "约定标识", "约定的标识符", "agreed_id"),
    "account": ("平台账号", "账号", "用户名", "account"),
    "name": ("姓名", "学员姓名", "name"),
    "unit_code": ("单位代码", "统一社会信用代码", "unit_code"),
    "course_code": ("课程编号", "课程代码", "course_code"),
    "course_name": ("课程名称", "course_name"),
    "course_duration": ("课程时长", "课程时长（分钟）", "course_duration"),
    "learning_duration": ("学习时长", "学习时长（分钟）", "learning_duration"),
    "completed_at": ("完成时间", "completed_at"),
    "score": ("考核成绩", "成绩", "score"),
    "requirement": ("课程类型", "必修/选修", "requirement"),
    "position": ("职务", "position"),
    "rank": ("职级", "rank"),
}
REQUIRED = ("agreed_id", "unit_code", "course_code", "course_name", "course_duration",
            "completed_at")


def resolve(headers: list[str], custom: dict[str, Any] | None = None) -> dict[str, str]:
    """field → the header that holds it in this file; ValidationError naming what is missing."""
    custom = custom or {}
    unknown = sorted(set(custom) - set(COLUMNS))
    if unknown:
        raise ValidationError(f"mapping names unknown field {unknown[0]!r}; fields: "
                              f"{', '.join(COLUMNS)}", f"mapping.{unknown[0]}")
    present = set(headers)
    found: dict[str, str] = {}
    for field, names in COLUMNS.items():
        wanted = custom.get(field)
        candidates = (str(wanted),) if wanted else names
        header = next((h for h in candidates if h in present), None)
        if header is not None:
            found[field] = header
        elif field in REQUIRED or wanted:
            raise ValidationError(
                f"缺少列 / missing column for {field}: expected one of "
                f"{' / '.join(candidates)}", f"columns.{field}",
            )
    return found
