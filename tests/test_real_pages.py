"""Extraction on detail pages that real government sites served (../shared/pages, read in place, never copied).

Each page goes through `scs extract` as an operator would run it: the bytes alone, no URL,
no Content-Type header; every field a person read off the page (manifest.jsonl) is checked.
Title and 文号 exact, published date exact, the publisher equal to or containing the
expected one, the body starting and ending where the article does (whitespace ignored).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import shared_dir

from scs.commands.extract import extract_record

PAGES_DIR = shared_dir() / "pages"
MANIFEST = PAGES_DIR / "manifest.jsonl"
PAGES: list[dict[str, Any]] = (
    [json.loads(line) for line in MANIFEST.read_text(encoding="utf-8").splitlines() if line.strip()]
    if MANIFEST.is_file()
    else []
)
FIELDS = ("title", "published", "doc_number", "publisher", "body_start", "body_end")
needs_pages = pytest.mark.skipif(not PAGES, reason=f"real pages not available at {MANIFEST}")


def _squeezed(text: str | None) -> str:
    return "".join((text or "").split())


def field_is_right(name: str, expected: Any, record: dict[str, Any]) -> bool:
    if name in ("title", "published", "doc_number"):
        return bool(record[name] == expected)
    if name == "publisher":
        return record["publisher"] is None if expected is None else expected in (record["publisher"] or "")
    if name == "body_start":
        return _squeezed(record["body"]).startswith(_squeezed(expected))
    return _squeezed(record["body"]).endswith(_squeezed(expected))


@pytest.fixture(scope="module")
def records() -> dict[str, dict[str, Any]]:
    found = {}
    for page in PAGES:
        record, problem = extract_record(
            (PAGES_DIR / page["file"]).read_bytes(), "http://scs-extract.invalid/page.html"
        )
        assert not problem, f"{page['file']}: {problem}"
        found[page["file"]] = record
    return found


@needs_pages
@pytest.mark.parametrize("name", FIELDS)
@pytest.mark.parametrize("page", PAGES, ids=[page["file"] for page in PAGES])
def test_every_field_of_every_real_page(page: dict[str, Any], name: str, records: dict[str, dict[str, Any]]) -> None:
    record = records[page["file"]]
    expected = page["expected"][name]
    shown = (
        record["body"][:80] if name == "body_start" else record["body"][-80:] if name == "body_end" else record[name]
    )
    assert field_is_right(name, expected, record), f"{name}: expected {expected!r}, got {shown!r} ({record['rules']})"


@needs_pages
def test_the_pages_are_the_ones_the_manifest_names() -> None:
    import hashlib

    for page in PAGES:
        assert hashlib.sha256((PAGES_DIR / page["file"]).read_bytes()).hexdigest() == page["sha256"], page["file"]


@needs_pages
def test_scs_extract_json_on_a_real_page() -> None:
    page = next(page for page in PAGES if page["expected"]["doc_number"])
    scs = Path(sys.executable).with_name("scs")
    command = [str(scs)] if scs.exists() else [sys.executable, "-m", "scs.cli"]
    result = subprocess.run(
        [*command, "extract", str(PAGES_DIR / page["file"]), "--json"], capture_output=True, text=True, check=True
    )
    record = json.loads(result.stdout)
    assert {"title", "published", "doc_number", "publisher", "body", "rules"} <= record.keys()
    assert (record["title"], record["doc_number"]) == (page["expected"]["title"], page["expected"]["doc_number"])
    assert record["rules"]["doc_number"] and record["rules"]["body"]
