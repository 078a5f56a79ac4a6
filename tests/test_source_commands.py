"""`scs new-source` (scaffold) and `scs check-sources` (live check, here against local mirrors only)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from crawler.sourceconfig import load_source_file
from crawler.spiders.families import FAMILIES
from mirror.server import FIXTURES_DIR, MirrorServer
from scs.cli import main
from scs.commands.check_sources import Fetcher, check_source

REPO = Path(__file__).resolve().parents[1]

NEW_SOURCE = [
    "new-source",
    "credit_anhui",
    "--family",
    "static_list",
    "--jurisdiction",
    "340000",
    "--name",
    "信用安徽 信用动态",
    "--publisher",
    "安徽省发展和改革委员会",
    "--url",
    "https://credit.ah.gov.cn/xydt/index.html",
    "--column",
    "credit-news",
    "--option",
    "item_selector=ul.list li",
    "--option",
    "date_selector=span",
]


def test_new_source_scaffolds_a_valid_source_content_folder_and_failing_test(tmp_path: Path) -> None:
    shutil.copytree(REPO / "tests", tmp_path / "tests", ignore=shutil.ignore_patterns("__pycache__", "fixtures"))
    assert main([*NEW_SOURCE, "--root", str(tmp_path)]) == 0

    source = load_source_file(tmp_path / "crawler" / "sources" / "credit_anhui.toml", FAMILIES)
    assert (source.family, source.jurisdiction, source.columns[0].name) == ("static_list", "340000", "credit-news")
    assert source.options.item_selector == "ul.list li"
    content = tomllib.loads((tmp_path / "mirror" / "content" / "credit_anhui.toml").read_text(encoding="utf-8"))
    assert content["source"] == "credit_anhui" and content["template"] == "coverage" and "notices" not in content
    assert (tmp_path / "mirror" / "fixtures" / "credit.ah.gov.cn").is_dir()

    # The generated test is collected and fails (no notices yet), with a message saying what to do.
    test_file = tmp_path / "tests" / "test_source_credit_anhui.py"
    env_path = f"{tmp_path / 'tests'}"
    result = subprocess.run(
        [sys.executable, "-c", f"import sys; sys.path.insert(0, {env_path!r}); "
         f"import test_source_credit_anhui as t; t.test_credit_anhui_is_crawlable_offline()"],
        capture_output=True, text=True, cwd=REPO, check=False,
    )  # fmt: skip
    assert test_file.is_file()
    assert result.returncode != 0
    assert "no source 'credit_anhui'" in result.stderr or "write at least three notices" in result.stderr


def test_new_source_refuses_an_invalid_configuration_without_writing(tmp_path: Path) -> None:
    bad = [arg if arg != "340000" else "34000" for arg in NEW_SOURCE]
    assert main([*bad, "--root", str(tmp_path)]) == 2
    assert not list(tmp_path.rglob("*.toml"))


def test_new_source_refuses_to_overwrite(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*["new-source", "ndrc"], *NEW_SOURCE[2:]]) == 1
    assert "already exists" in capsys.readouterr().out


def test_check_sources_reports_what_it_found_on_the_first_pages() -> None:
    with MirrorServer() as mirror:
        fetcher = Fetcher(10, mirror.url, "scs-tracker-test")
        checks = {source: check_source(source, fetcher) for source in ("guangdong", "zhejiang", "shenzhen")}
    for check in checks.values():
        assert check.ok, check.problem
        assert check.entries >= 1 and check.notice["title"] and check.notice["body_chars"] > 50
    assert checks["guangdong"].next_page
    assert checks["guangdong"].notice["doc_number"] == "粤办函〔2026〕215号"
    assert any(date.startswith("api=") for date in checks["guangdong"].notice["dates"])


def _mirror_with(tmp_path: Path, host: str, status: int, body: str) -> Path:
    """A copy of the fixtures where `host`'s list page answers `status` with `body`."""
    fixtures = tmp_path / "fixtures"
    shutil.copytree(FIXTURES_DIR / host, fixtures / host)
    responses = json.loads((fixtures / host / "responses.json").read_text(encoding="utf-8"))
    for entry in responses:
        if entry["path"].endswith("/index.html"):
            entry["status"] = status
            (fixtures / host / entry["body"]).write_text(body, encoding="utf-8")
    (fixtures / host / "responses.json").write_text(json.dumps(responses, ensure_ascii=False), encoding="utf-8")
    return fixtures


@pytest.mark.parametrize(
    ("status", "body", "problem"),
    [
        (521, "<script>document.cookie=('_')+('_')+('jsl_clearance_s=1|0|');location.href=location.href</script>",
         "list page blocked: jsl"),
        (200, "<html><body><ul class='other-list'><li><a href='/a.html'>x</a></li></ul></body></html>",
         "list page has no entries"),
        (404, "<html><body>页面不存在</body></html>", "list page: HTTP 404"),
    ],
)  # fmt: skip
def test_check_sources_names_the_problem(tmp_path: Path, status: int, body: str, problem: str) -> None:
    with MirrorServer(fixtures_dir=_mirror_with(tmp_path, "www.mot.gov.cn", status, body)) as mirror:
        check = check_source("mot", Fetcher(10, mirror.url, "scs-tracker-test"))
    assert not check.ok
    assert check.problem.startswith(problem)


def test_check_sources_command_exit_code_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    with MirrorServer() as mirror:
        code = main(["check-sources", "--json", "--mirror", mirror.url, "samr", "beijing"])
    rows = json.loads(capsys.readouterr().out)
    assert code == 0 and [row["source"] for row in rows] == ["samr", "beijing"] and all(row["ok"] for row in rows)
