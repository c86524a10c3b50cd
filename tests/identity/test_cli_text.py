"""``lrs trainees import`` and ``lrs trainees conflicts`` as a liaison reads them:
Chinese first, masked names instead of key prefixes; ``--json`` unchanged."""

from __future__ import annotations

import json

from click.testing import CliRunner

from lrs.cli import main
from lrs.cli.identity_text import pad, width
from tests.identity.conftest import KEYS
from tests.identity.test_import import CSV, env  # noqa: F401 - the CLI's environment


def _imported(env):  # noqa: F811
    path = env / "trainees.csv"
    path.write_text(CSV, encoding="utf-8")
    return CliRunner().invoke(main, ["trainees", "import", str(path)])


def test_import_report_is_chinese_first_and_names_the_column(env):  # noqa: F811
    result = _imported(env)
    assert result.exit_code == 1  # rows were refused
    lines = result.stdout.splitlines()
    assert lines[0].startswith("导入完成：新增 2 人，更新 2 人，未变 1 人，拒收 5 行，冲突 1 项")
    assert "第 4 行 拒收：调入日期（joined）：joined must be a date YYYY-MM-DD" in lines
    assert any(x.startswith("第 7 行 拒收：约定标识（agreed_id）") for x in lines), lines
    assert any(x.startswith("第 9 行 记录了身份冲突 ") for x in lines)
    assert "FJ-00" not in result.output  # agreed identifiers are never echoed


def test_import_json_is_unchanged(env):  # noqa: F811
    path = env / "trainees.csv"
    path.write_text(CSV, encoding="utf-8")
    result = CliRunner().invoke(main, ["trainees", "import", str(path), "--json"])
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert set(report) == {"accepted", "updated", "unchanged", "refused", "conflicts"}
    assert report["refused"][0] == {"row": 4, "reason": "joined: joined must be a date YYYY-MM-DD"}


def test_conflicts_list_masked_names_not_key_prefixes(env):  # noqa: F811
    _imported(env)
    result = CliRunner().invoke(main, ["trainees", "conflicts"])
    assert result.exit_code == 0, result.output
    header, row = result.stdout.splitlines()
    assert header.split() == ["编号", "状态", "类型", "组织", "次数", "学员", "另一学员", "说明"]
    # Row 9: 孙八 claimed 张三's account.
    assert "待处理" in row and "账号归属冲突（account_claim）" in row and "x1" in row
    assert "孙*（" in row and "张*（" in row
    assert "孙八" not in row and "张三" not in row
    for agreed in ("FJ-001", "FJ-005"):
        assert KEYS.key(agreed)[:12] not in result.output
    # Columns line up although Chinese characters take two terminal columns.
    assert width(header[: header.index("说明")]) == width(row[: row.index("账号 ")])


def test_conflicts_json_is_unchanged(env):  # noqa: F811
    _imported(env)
    result = CliRunner().invoke(main, ["trainees", "conflicts", "--json"])
    (item,) = json.loads(result.stdout)
    assert set(item) == {"id", "kind", "status", "org", "trainee", "other_trainee", "count",
                         "details"}
    assert item["trainee"] == KEYS.key("FJ-005") and item["other_trainee"] == KEYS.key("FJ-001")


def test_no_conflicts_and_padding(env):  # noqa: F811
    result = CliRunner().invoke(main, ["trainees", "conflicts"])
    assert result.stdout.strip() == "没有身份冲突（no conflicts）"
    assert width("张*（A1）") == 9 and pad("张三", 6) == "张三  "
