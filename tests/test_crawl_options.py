"""`scs crawl` options that become Scrapy settings: --full, --since, --http-cache, -s NAME=VALUE."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from scs.cli import build_parser
from scs.commands.crawl import scope_settings
from scs.errors import CommandError


def parse(*argv: str) -> argparse.Namespace:
    return build_parser().parse_args(["crawl", *argv])


def test_defaults_are_an_incremental_crawl() -> None:
    assert scope_settings(parse()) == {"SCS_FULL_CRAWL": False, "SCS_SINCE": ""}


def test_full_since_cache_and_settings(tmp_path: Path) -> None:
    args = parse("--full", "--since", "2025-07-01", "--http-cache", str(tmp_path), "-s", "DOWNLOAD_TIMEOUT=5")
    assert scope_settings(args) == {
        "SCS_FULL_CRAWL": True,
        "SCS_SINCE": "2025-07-01",
        "HTTPCACHE_ENABLED": True,
        "HTTPCACHE_DIR": str(tmp_path),
        "DOWNLOAD_TIMEOUT": "5",
    }


@pytest.mark.parametrize("bad", [["--since", "July 2025"], ["--since", "2025-13-01"]])
def test_a_bad_since_date_is_refused(bad: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        parse(*bad)
    assert "not a date (YYYY-MM-DD)" in capsys.readouterr().err


def test_a_setting_without_a_value_is_refused() -> None:
    with pytest.raises(CommandError, match="NAME=VALUE"):
        scope_settings(parse("-s", "DOWNLOAD_TIMEOUT"))
