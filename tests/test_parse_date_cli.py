"""`scs parse-date` (and `scs bench dates`): through `scs.cli.main`, and once as the installed console script."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from scs.cli import main

SCS = Path(sys.executable).with_name("scs")


def read_gold_dates(gold_dir: Path) -> list[tuple[str, str, str]]:
    rows = []
    for line in (gold_dir / "dates-dev.tsv").read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        text, expected, *rest = line.split("\t")
        rows.append((text, expected, rest[0] if rest else ""))
    return rows


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> list[str]:
    assert main(["parse-date", *argv]) == 0
    return capsys.readouterr().out.split("\n")[:-1]


def test_gold_dev_set(gold_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = read_gold_dates(gold_dir)
    assert len(rows) == 52
    by_reference: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for text, expected, reference in rows:
        by_reference[reference].append((text, expected))
    failures = []
    for reference, cases in by_reference.items():
        options = ["--reference", reference] if reference else []
        got = run_cli(capsys, *options, "--", *(text for text, _ in cases))
        assert len(got) == len(cases)
        failures += [(text, expected, out) for (text, expected), out in zip(cases, got, strict=True) if out != expected]
    assert failures == []


def test_one_line_per_argument_and_empty_lines_for_no_date(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(capsys, "发布日期：2021-03-09", "海关总署令第282号", "二〇二一年三月九日") == [
        "2021-03-09",
        "",
        "2021-03-09",
    ]


def test_reference_resolves_relative_text(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(capsys, "3天前", "4月20日") == ["", ""]
    assert run_cli(capsys, "--reference", "2021-03-15", "3天前", "4月20日") == ["2021-03-12", "2020-04-20"]


def test_reads_stdin_lines_when_no_text_is_given(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("2021年3月9日\r\n\n昨天\n"))
    assert run_cli(capsys, "--reference", "2021-03-15") == ["2021-03-09", "", "2021-03-14"]


def test_bad_reference_is_a_clear_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["parse-date", "--reference", "2021-02-30", "x"])
    assert exit_info.value.code == 2
    assert "not a YYYY-MM-DD date" in capsys.readouterr().err


def test_installed_console_script_reads_stdin() -> None:
    completed = subprocess.run(
        [str(SCS), "parse-date", "--reference", "2019-07-25"],
        input="發布日期:2016-10-27\n新华社北京7月22日电\n国统字〔2019〕33号\n",
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
    )
    assert (completed.returncode, completed.stderr) == (0, "")
    assert completed.stdout == "2016-10-27\n2019-07-22\n\n"


def test_bench_dates_reports_the_speedup_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    # Only the shape is checked: speed targets belong to the benchmark, not to tests.
    assert main(["bench", "dates", "--json", "--rounds", "5"]) == 0
    report = json.loads(capsys.readouterr().out)
    dates = report.get("dates", report)  # the figures of the stage, nested when several stages report together
    assert dates["strings"] > 0
    assert report["dates_speedup"] == dates["dates_speedup"]
    assert dates["dates_speedup"] == pytest.approx(
        dates["dateparser_us_per_string"] / dates["fast_us_per_string"], rel=0.05
    )
    assert dates["first_call_seconds"] > 0


def test_a_704_kb_line_ends_within_its_bound() -> None:
    """Issue 14: a 704 KB line once took 80 s; the date finder is linear and reads the first characters only."""
    line = "发布日期：2019年7月25日 " * 39_000  # ~704 KB in UTF-8
    assert len(line.encode()) > 700_000
    result = subprocess.run(
        [SCS, "parse-date"], input=line + "\n", capture_output=True, text=True, timeout=20, check=False
    )
    assert (result.returncode, result.stdout, result.stderr) == (0, "2019-07-25\n", "")
