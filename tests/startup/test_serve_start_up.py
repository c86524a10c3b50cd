"""`lrs serve` with a wrong setting stops before forking: one line naming the variable, exit
code 2, no traceback. And the `lrs` command starts without building the IRI grammar."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

LRS = str(Path(sys.executable).with_name("lrs"))


def serve(tmp_path: Path, **variables: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LRS_DATA_DIR": str(tmp_path), "LRS_DATABASE_URL": "", **variables}
    return subprocess.run(
        [LRS, "serve", "--host", "127.0.0.1", "--port", "1"],  # never bound: it stops before
        env=env, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
    )


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("LRS_WORKERS", "abc"),
        ("LRS_PROFILE_POLICY", "strict"),
        ("LRS_PROFILE_MODE", "loose"),
        ("LRS_CREDIT_POLICIES", "fj=nope"),
        ("LRS_LOG_LEVEL", "bogus"),
        ("LRS_MAX_PAGE_SIZE", "-5"),
        ("LRS_PROFILES_DIR", "/nonexistent"),
        ("LRS_DATA_DIR", "/proc/no/such"),
        ("LRS_IDENTITY_SECRET", "short"),
    ],
)
def test_a_wrong_setting_stops_serve_with_one_line(tmp_path, variable, value):
    result = serve(tmp_path, **{variable: value})
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"Error: {variable} ")
    if variable != "LRS_IDENTITY_SECRET":  # a secret is never echoed
        assert repr(value.split("=")[-1]) in lines[0]
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_other_commands_name_the_variable_too(tmp_path):
    env = {**os.environ, "LRS_DATA_DIR": str(tmp_path), "LRS_MAX_BODY_BYTES": "lots"}
    result = subprocess.run(
        [LRS, "credentials", "list"], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert result.stderr.strip() == "Error: LRS_MAX_BODY_BYTES must be a whole number, got 'lots'"


def test_the_command_line_starts_without_jsonschema_or_the_iri_grammar():
    # Importing jsonschema builds rfc3987_syntax's grammar: ~1.5 s before `lrs --help` printed.
    heavy = "{'jsonschema', 'rfc3987_syntax', 'lark'}"
    code = f"import sys, lrs.cli; print(sorted({heavy} & set(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == "[]"
    help_text = subprocess.run(
        [LRS, "--help"], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    assert "serve" in help_text and "archive" in help_text


def test_the_application_imports_without_the_heavy_libraries():
    # `import lrs.app` is what `lrs serve` does before forking and what each worker and
    # follower pays at a restart: jsonschema comes when profiles are compiled, openpyxl
    # when an XLSX is read or written, the reference IRI grammar never (tests only).
    heavy = "{'jsonschema', 'rfc3987_syntax', 'lark', 'openpyxl'}"
    code = f"import sys, lrs.app; print(sorted({heavy} & set(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == "[]"


def test_ip_literal_iris_are_checked_without_the_reference_grammar():
    # As installed without the test extra: rfc3987_syntax is not there at all.
    code = (
        "import sys; sys.modules['rfc3987_syntax'] = None\n"
        "from lrs.domain.statements.formats import is_iri\n"
        "print(is_iri('http://[1::2:3:4:5:6.7.8.9]/x'), is_iri('http://[v1.fe]/'),"
        " is_iri('http://[1:2:3]/'))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == "True True False"
