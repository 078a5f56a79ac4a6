"""One error path: every expected failure of a command is one line on stderr and a documented exit code.

Each case runs `scs` as cron would (a subprocess) and checks the exit code, the message and that no
Python traceback was printed. Exit codes: scs/errors.py (and docs/operations.md).
"""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest
from crawl_harness import REPO, run_scs, scs_command, scs_env
from sqlalchemy import exc

from mirror.server import MirrorServer
from scs.errors import explain


def ok_db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'scs.sqlite3'}"
    assert run_scs(url, "notices").returncode == 0  # creates and migrates it
    return url


def corrupt_db(tmp_path: Path) -> str:
    path = tmp_path / "corrupt.sqlite3"
    path.write_bytes(b"this is not a database " * 200)
    return f"sqlite:///{path}"


def read_only_db(tmp_path: Path) -> str:
    ok_db(tmp_path)
    return f"sqlite:///file:{tmp_path / 'scs.sqlite3'}?mode=ro&uri=true"


def file_in_place_of_a_directory(tmp_path: Path) -> str:
    (tmp_path / "afile").write_text("x")
    return str(tmp_path / "afile" / "site")


CASES = [
    # (id, database URL maker, arguments, stdin, exit code, words in the message)
    ("bad URL", lambda t: "not a url", ["notices"], "", 2, "bad database URL"),
    ("unknown dialect", lambda t: "nosuchdb://x/y", ["notices"], "", 2, "bad database URL"),
    ("unreachable", lambda t: "postgresql+psycopg://scs@127.0.0.1:1/x", ["notices"], "", 69, "cannot reach"),
    ("corrupt", corrupt_db, ["notices"], "", 74, "file is not a database"),
    ("no such directory", lambda t: "sqlite:////nonexistent-dir/x.sqlite3", ["runs"], "", 74, "No such file"),
    ("read-only", read_only_db, ["user", "add", "bob", "--password-stdin"], "longpassword1\n", 74, "readonly"),
    ("huge limit", ok_db, ["notices", "--limit", "99999999999999999999"], "", 2, "is not in 0..1000000000"),
    ("negative limit", ok_db, ["notices", "--limit", "-5"], "", 2, "-5 is not in 0.."),
    ("runs limit", ok_db, ["runs", "--limit", "x"], "", 2, "not an integer"),
    ("show id", ok_db, ["show", "0"], "", 2, "0 is not in 1.."),
    ("port -1", ok_db, ["serve", "--port", "-1"], "", 2, "-1 is not in 1..65535"),
    ("port 99999", ok_db, ["serve", "--port", "99999"], "", 2, "99999 is not in 1..65535"),
    ("user add, no terminal", ok_db, ["user", "add", "bob"], "", 1, "no terminal"),
    ("publish unwritable", ok_db, ["publish", "PATH"], "", 74, "Not a directory"),
    ("unknown source", ok_db, ["crawl", "nosuch"], "", 2, "unknown source(s): nosuch"),
    ("bad -s", ok_db, ["crawl", "ndrc", "-s", "NOEQUALS"], "", 2, "NAME=VALUE"),
]


@pytest.mark.parametrize(("name", "db", "args", "stdin", "code", "words"), CASES, ids=[case[0] for case in CASES])
def test_expected_failures_are_one_line_and_an_exit_code(
    tmp_path: Path, name: str, db: object, args: list[str], stdin: str, code: int, words: str
) -> None:
    db_url = db(tmp_path)  # type: ignore[operator]
    args = [file_in_place_of_a_directory(tmp_path) if arg == "PATH" else arg for arg in args]
    result = subprocess.run(
        scs_command(db_url, *args), input=stdin, capture_output=True, text=True, timeout=60, cwd=REPO, env=scs_env()
    )
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert words in result.stderr
    message_lines = [line for line in result.stderr.splitlines() if not line.startswith(("usage:", " "))]
    assert len(message_lines) == 1, result.stderr


def gold(tmp_path: Path, text: str) -> str:
    path = tmp_path / "gold.jsonl"
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "no gold records"),
        ("\n\n", "no gold records"),
        ('{"id": "a", "relevant": true}\nnot json\n', "gold.jsonl:2: not JSON"),
        ("[1, 2]\n", "are not JSON objects"),
        ('{"id": "a"}\n', "without a 'relevant' field"),
    ],
)
def test_evaluate_refuses_empty_or_malformed_gold_files_on_stderr(tmp_path: Path, text: str, words: str) -> None:
    result = run_scs("sqlite://", "evaluate", gold(tmp_path, text))
    assert (result.returncode, result.stdout) == (2, "")
    assert words in result.stderr and "Traceback" not in result.stderr


def test_evaluate_on_an_empty_subset_is_an_error(tmp_path: Path) -> None:
    result = run_scs("sqlite://", "evaluate", gold(tmp_path, '{"id": "a1", "relevant": true}\n'), "--subset", "even")
    assert result.returncode == 2 and "no gold records to score in this subset" in result.stderr


def test_ctrl_c_is_exit_130_without_a_traceback(tmp_path: Path) -> None:
    with subprocess.Popen(
        scs_command(f"sqlite:///{tmp_path / 'scs.sqlite3'}", "parse-date"),
        stdin=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO,
        env=scs_env(),
    ) as process:
        time.sleep(3)  # reading stdin by then
        process.send_signal(signal.SIGINT)
        _out, err = process.communicate(timeout=30)
    assert process.returncode == 130 and "interrupted" in err and "Traceback" not in err


def test_a_full_disk_is_an_io_error() -> None:
    full = exc.OperationalError("INSERT …", {}, sqlite3.OperationalError("database or disk is full"))
    assert explain(full) == (74, "database error: database or disk is full")


@pytest.mark.slow
def test_a_broken_source_file_is_reported_and_the_others_still_crawl(tmp_path: Path) -> None:
    extra = tmp_path / "sources"
    extra.mkdir()
    (extra / "broken.toml").write_text('id = "broken"\nname = [unclosed\n', encoding="utf-8")
    db_url = f"sqlite:///{tmp_path / 'scs.sqlite3'}"
    with MirrorServer() as mirror:
        result = run_scs(db_url, "crawl", "ndrc", "--mirror", mirror.url, SCS_EXTRA_SOURCES=str(extra))
    assert result.returncode == 1, result.stderr
    assert "broken source file skipped: broken.toml: not valid TOML" in result.stderr
    assert "Traceback" not in result.stderr
    assert "ndrc" in result.stdout and "0 notices" not in result.stdout  # ndrc was crawled
