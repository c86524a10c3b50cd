"""The LRS's loggers: time, level and logger on each line; JSON lines on request."""

from __future__ import annotations

import io
import json
import logging
import re

import pytest

from lrs.logs import configure_logging


@pytest.fixture
def stream():
    out = io.StringIO()
    yield out
    configure_logging("warning", "text")  # leave the lrs logger quiet for the next tests
    logger = logging.getLogger("lrs")
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
    logger.propagate = True
    logger.setLevel(logging.NOTSET)


def test_text_lines_carry_time_level_and_logger(stream):
    configure_logging("info", "text", stream)
    logging.getLogger("lrs.domain.archive.follower").info("projected %d events", 3)
    logging.getLogger("lrs.http.errors").debug("not shown at info")
    lines = stream.getvalue().splitlines()
    assert len(lines) == 1
    assert re.fullmatch(
        r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} \[\d+\] \[INFO\] "
        r"lrs\.domain\.archive\.follower: projected 3 events",
        lines[0],
    )


def test_json_lines_keep_chinese_and_exceptions(stream):
    configure_logging("debug", "json", stream)
    log = logging.getLogger("lrs.http.errors")
    log.debug("学员 %s", "张三")
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        log.exception("unhandled error, incident %s", "abc123")
    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert first["message"] == "学员 张三" and first["level"] == "debug"
    assert first["logger"] == "lrs.http.errors" and isinstance(first["pid"], int)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", first["time"])
    assert second["level"] == "error" and "RuntimeError: boom" in second["exc"]


def test_configuring_twice_does_not_duplicate_lines(stream):
    configure_logging("info", "text", stream)
    configure_logging("info", "json", stream)
    logging.getLogger("lrs").warning("once")
    assert len(stream.getvalue().splitlines()) == 1
    assert json.loads(stream.getvalue())["message"] == "once"
