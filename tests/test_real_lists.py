"""Real list pages and list API answers (shared/pages/lists, saved from the live sites by other projects).

Expected values come from shared/pages/lists/manifest.jsonl, counted by hand; the pages are never
copied into the repo and the tests skip where shared/ is absent. Each HTML file is read by the
generic detector alone; files from a column we have a source for are also read by that source's
configuration, as a crawl reads them.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import shared_dir

from scs.commands.extract import list_record_by_source, list_record_detected

LISTS = shared_dir() / "pages" / "lists"
CONFIGURED = {"01.html": "ndrc", "02.html": "ndrc", "03.json": "govcn", "04.json": "govcn", "05.json": "govcn"}
DETECTOR_MISSES = {"11.html"}  # PBOC's left-menu table of report years: the detector takes the wrong run


def _manifest() -> list[dict[str, Any]]:
    path = LISTS / "manifest.jsonl"
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _summary(record: dict[str, Any]) -> dict[str, Any]:
    entries = record["entries"]
    return {
        "entries": len(entries),
        "first": entries[0] if entries else None,
        "last": entries[-1] if entries else None,
        "next_page": record["next_page"],
        "total_pages": record["total_pages"],
    }


def _expected(row: dict[str, Any]) -> dict[str, Any]:
    return {key: row["expected"][key] for key in ("entries", "first", "last", "next_page", "total_pages")}


def _raw(row: dict[str, Any]) -> bytes:
    return Path(LISTS / row["file"]).read_bytes()


skip_without_lists = pytest.mark.skipif(not (LISTS / "manifest.jsonl").is_file(), reason=f"no real lists at {LISTS}")
HTML_ROWS = [row for row in _manifest() if row["kind"] == "list-html"]
CONFIGURED_ROWS = [row for row in _manifest() if row["file"] in CONFIGURED]


@skip_without_lists
@pytest.mark.parametrize("row", CONFIGURED_ROWS, ids=lambda row: row["file"])
def test_configured_source_reads_the_real_list(row: dict[str, Any]) -> None:
    record = list_record_by_source(_raw(row), row["url"], CONFIGURED[row["file"]])
    assert _summary(record) == _expected(row)


@skip_without_lists
@pytest.mark.parametrize(
    "row", [row for row in HTML_ROWS if row["file"] not in DETECTOR_MISSES], ids=lambda row: row["file"]
)
def test_detector_alone_reads_the_real_list(row: dict[str, Any]) -> None:
    record = list_record_detected(_raw(row), row["url"])
    assert _summary(record) == _expected(row)


@skip_without_lists
def test_detector_gets_at_least_seven_of_the_eight_html_lists() -> None:
    right = [
        row["file"] for row in HTML_ROWS if _summary(list_record_detected(_raw(row), row["url"])) == _expected(row)
    ]
    assert len(HTML_ROWS) == 8
    assert len(right) >= 7, right


@skip_without_lists
def test_old_ndrc_selector_counted_the_nested_items() -> None:
    """The selector the source had (`.u-list li`) over-counts on the real page: the fix is needed."""
    from parsel import Selector

    row = next(row for row in _manifest() if row["file"] == "01.html")
    assert len(Selector(text=_raw(row).decode("utf-8")).css(".u-list li")) > row["expected"]["entries"]


def _scs_extract(*args: str) -> subprocess.CompletedProcess[bytes]:
    scs = Path(sys.executable).with_name("scs")
    command = [str(scs)] if scs.exists() else [sys.executable, "-m", "scs.cli"]
    return subprocess.run([*command, "extract", *args], capture_output=True, check=False)


@skip_without_lists
def test_cli_prints_the_list_as_one_json_object() -> None:
    row = next(row for row in _manifest() if row["file"] == "07.html")
    result = _scs_extract("--list", str(LISTS / row["file"]), "--url", row["url"], "--json")
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert _summary(record) == _expected(row) and "countPage" in record["rules"]["pagination"]


def test_cli_list_needs_the_url_and_a_known_source(tmp_path: Path) -> None:
    page = tmp_path / "list.html"
    page.write_bytes(b"<html><body><ul><li><a href='/a.html'>x</a></li></ul></body></html>")
    no_url = _scs_extract("--list", str(page))
    assert no_url.returncode == 2 and b"--list needs --url" in no_url.stderr
    unknown = _scs_extract("--list", str(page), "--url", "https://example.gov.cn/", "--source", "no_such_source")
    assert unknown.returncode == 1 and b"cannot read the list" in unknown.stderr


@skip_without_lists
@pytest.mark.parametrize(
    "row",
    [row for row in HTML_ROWS if row["file"] not in DETECTOR_MISSES and row["expected"]["entries"]],
    ids=lambda row: row["file"],
)
def test_a_source_proposed_from_the_page_reads_it(row: dict[str, Any], tmp_path: Path) -> None:
    """`scs new-source --from-page`: the proposed static_list selectors read the page's hand-counted entries."""
    from scs.commands.new_source import check_against_page, options_from_page, source_toml

    options, problem = options_from_page(_raw(row), row["url"])
    assert not problem
    args = argparse.Namespace(
        id="proposed", name="x", family="static_list", jurisdiction="000000", publisher="y", column="notices"
    )
    args.url = row["url"]
    read, found = check_against_page(source_toml(args, options, {}), _raw(row), row["url"])
    assert read == found == row["expected"]["entries"]
    assert (options["paging"] == "template") == (row["expected"]["next_page"] is not None)


@skip_without_lists
def test_new_source_from_a_jpaas_shell_says_there_is_no_list(tmp_path: Path) -> None:
    scs = Path(sys.executable).with_name("scs")
    command = [str(scs)] if scs.exists() else [sys.executable, "-m", "scs.cli"]
    args = ["--jurisdiction", "000000", "--name", "x", "--publisher", "y", "--root", str(tmp_path)]
    page = ["--from-page", str(LISTS / "10.html"), "--url", "http://www.mofcom.gov.cn/zcfb/blgg/"]
    result = subprocess.run([*command, "new-source", "shell_only", *page, *args], capture_output=True, check=False)
    assert result.returncode == 1 and "jpaas shell" in result.stdout.decode("utf-8")
    assert not list(tmp_path.rglob("*.toml"))
