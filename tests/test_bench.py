"""`scs bench` end to end on a tiny generated site: every stage runs and reports positive figures.

No timing is asserted here (speed targets live in the benchmark's report, never in tests).
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from scs.bench.site import COLUMN_URL, HOST, generate_notice, generate_site, list_page_path, write_source
from scs.commands.bench import STAGES, TARGETS


def _positive_numbers(figures: dict[str, object], where: str) -> None:
    for name, value in figures.items():
        if isinstance(value, str):  # e.g. where the date strings came from
            continue
        assert isinstance(value, int | float) and not isinstance(value, bool), f"{where}.{name} = {value!r}"
        assert math.isfinite(value) and value > 0, f"{where}.{name} = {value!r}"


@pytest.mark.slow
def test_bench_json_reports_every_stage_with_positive_figures() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "scs.cli", "bench", "--json", "--notices", "20"],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout)
    assert set(TARGETS) <= set(report), f"missing headline figures: {set(TARGETS) - set(report)}"
    _positive_numbers({key: report[key] for key in TARGETS}, "report")
    assert report["notices"] == 20
    for stage in STAGES:
        assert report[stage], f"stage {stage} reported nothing"
        _positive_numbers(report[stage], stage)
    assert report["crawl"]["pages"] >= 20 + 1  # every notice and its list page
    assert set(report["machine"]) >= {"cpu", "cores", "python", "scrapy"}


def test_generated_site_is_a_trs_static_site(tmp_path: Path) -> None:
    fixtures = generate_site(tmp_path, 45)
    entries = json.loads((fixtures / HOST / "responses.json").read_text(encoding="utf-8"))
    paths = [entry["path"] for entry in entries]
    assert len(paths) == len(set(paths)) == 45 + 3  # 45 notices on 3 lists of up to 20
    assert list_page_path(1) in paths and list_page_path(3) in paths and list_page_path(4) not in paths
    last_list = (fixtures / HOST / "bodies" / "list3.html").read_text(encoding="utf-8")
    assert "createPageHTML(3, 2, 'index', 'html')" in last_list and last_list.count('" title="') == 5
    notice = generate_notice(7)
    assert notice == generate_notice(7)  # the same index always gives the same page
    assert '<meta name="PubDate"' in notice.html and ('class="TRS_Editor"' in notice.html or 'id="zoom"' in notice.html)
    assert 2_000 <= len(notice.text.encode()) <= 20_000
    source = (tmp_path / "sources" / f"{write_source(tmp_path / 'sources', 'bench_x', 45)}.toml").read_text()
    assert COLUMN_URL in source and "max_pages = 3" in source


def test_generated_detail_pages_have_real_weight_and_extract_to_their_text() -> None:
    """30–120 KB like real pages, yet the crawl's extractor reads back exactly the notice written into them."""
    from crawler.extract import extract_detail

    notices = [generate_notice(index) for index in range(60)]
    sizes = [len(notice.html.encode()) for notice in notices]
    assert min(sizes) >= 30_000 and max(sizes) <= 120_000 and max(sizes) - min(sizes) > 30_000
    assert any('id="zoom"><table class="xxgk_table"' in notice.html for notice in notices)  # metadata inside
    assert any("</p>" not in notice.html.split('class="MsoNormal"', 2)[1] for notice in notices)  # unclosed <p>
    for notice in notices:
        page = extract_detail(notice.html, notice.url)
        doc_number = notice.paragraphs[0] if notice.paragraphs[0].startswith("发改办〔") else ""
        assert (page.title, page.publisher, page.doc_number) == (notice.title, "基准测试委员会", doc_number)
        assert page.body == "\n\n".join(notice.paragraphs[1:] if doc_number else notice.paragraphs)


@pytest.mark.slow
def test_bench_scale_json_schema(tmp_path: Path) -> None:
    """`scs bench scale` on a tiny database: every figure at N, `growth` with the same keys, the details."""
    from scs.bench.scale import FIGURES

    done = subprocess.run(
        [sys.executable, "-m", "scs.cli", "bench", "scale", "--json", "--notices", "90", "--base", "40"],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout)
    assert set(FIGURES) == {
        "queue_first_page_s",
        "queue_facet_s",
        "queue_search_s",
        "approve_s",
        "publish_incremental_s",
        "notices_json_peak_mb",
        "recrawl_s",
    }
    assert set(FIGURES) <= set(report) and set(report["growth"]) == set(FIGURES)
    assert report["publish_incremental_s"] is None and report["growth"]["publish_incremental_s"] is None
    assert "not measured" in report["publish_incremental_note"]
    measured = {key: report[key] for key in FIGURES if key != "publish_incremental_s"}
    _positive_numbers(measured, "scale")
    _positive_numbers({key: report["growth"][key] for key in measured}, "growth")
    assert report["notices"] == 90 and report["base_notices"] == 40 and report["database"] == "sqlite"
    for key in measured:  # growth is the figure at N over the one at the base size
        assert report["growth"][key] == pytest.approx(report["at_n"][key] / report["at_base"][key], abs=0.01)
    assert report["recrawl_empty_database_s"] > 0
