"""Redirects to internal or non-http(s) addresses are refused and recorded; a page moved within its host is
stored under its final URL and counts as known on the next run. Crawls use the SYNTHETIC ndrc mirror pages."""

from __future__ import annotations

from pathlib import Path

import pytest
from crawl_harness import REPO, run_scs
from sqlalchemy import select

from crawler.redirectpolicy import refusal
from mirror.faults import Fault, FaultyMirror
from store.db import Store
from store.models import ListedUrl, Notice, QuarantinedPage

MIRROR = "127.0.0.1:8765"
ALLOWED = frozenset({"www.ndrc.gov.cn", MIRROR})


@pytest.mark.parametrize(
    ("target", "refused_because"),
    [
        ("http://127.0.0.1:22/", "internal address"),
        ("http://localhost/xxgk/internal.html", "internal address"),
        ("http://localhost:8765/xxgk/internal.html", "internal address"),  # the mirror's port, another host name
        ("http://10.1.2.3/admin", "internal address"),
        ("http://192.168.0.1/", "internal address"),
        ("http://169.254.169.254/latest/meta-data/", "internal address"),  # link-local: cloud metadata
        ("http://0.0.0.0/", "internal address"),
        ("http://[::1]/", "internal address"),
        ("http://[::ffff:127.0.0.1]/", "internal address"),
        ("file:///etc/passwd", "non-http(s)"),
        ("ftp://www.ndrc.gov.cn/a.pdf", "non-http(s)"),
        ("javascript:alert(1)", "non-http(s)"),
        ("http:///nohost", "without a host"),
        ("https://www.ndrc.gov.cn/xxgk/moved.html", None),  # the source's own host
        ("http://127.0.0.1:8765/xxgk/a.html", None),  # the configured mirror, host and port
        ("http://8.8.8.8/a.html", None),  # a public address
    ],
)
def test_refusal(target: str, refused_because: str | None) -> None:
    reason = refusal(target, ALLOWED)
    if refused_because is None:
        assert reason is None
    else:
        assert reason is not None and refused_because in reason and target in reason


NDRC = "www.ndrc.gov.cn"
TZ = "/xxgk/zcfb/tz"
TO_SSH = f"{TZ}/202507/t20250718_1399285.html"
TO_LOCALHOST = f"{TZ}/202507/t20250716_1399207.html"
MOVED = f"{TZ}/202507/t20250711_1399102.html"
MOVED_TO = "/xxgk/moved/t20250711_1399102.html"


@pytest.mark.slow
def test_redirects_to_internal_addresses_are_refused_and_a_moved_page_is_known_next_run(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'scs.sqlite3'}"
    moved_body = (
        REPO / "mirror/fixtures" / NDRC / "bodies/ndrc/xxgk_zcfb_tz_202507_t20250711_1399102.html"
    ).read_bytes()
    internal = b"<html><head><title>internal</title></head><body><div class='article'>secret</div></body></html>"
    mirror = FaultyMirror({})
    port = mirror.url.rsplit(":", 1)[1].strip("/")
    mirror.faults.update(
        {
            (NDRC, TO_SSH): Fault(redirect_to="http://127.0.0.1:22/"),
            (NDRC, TO_LOCALHOST): Fault(redirect_to=f"http://localhost:{port}/internal.html"),
            ("localhost:" + port, "/internal.html"): Fault(body=internal),
            (NDRC, MOVED): Fault(redirect_to=MOVED_TO),
            (NDRC, MOVED_TO): Fault(body=moved_body),
        }
    )
    with mirror:
        first = run_scs(db_url, "crawl", "ndrc", "--mirror", mirror.url)
        second = run_scs(db_url, "crawl", "ndrc", "--mirror", mirror.url)
        paths = [hit.path for hit in mirror.hits]
    assert "Traceback" not in first.stderr + second.stderr
    assert "/internal.html" not in paths and paths.count(TO_SSH) == 1 and paths.count(TO_LOCALHOST) == 1
    assert paths.count(MOVED) == 1  # the second run knows the moved page by the URL it was listed at
    store = Store(db_url, upgrade=False)
    with store.session() as session:
        refused = dict(
            session.execute(
                select(QuarantinedPage.url, QuarantinedPage.reason).where(QuarantinedPage.kind == "redirect-refused")
            ).all()
        )
        assert set(refused) == {f"https://{NDRC}{TO_SSH}", f"https://{NDRC}{TO_LOCALHOST}"}  # under the listed URL
        assert "127.0.0.1:22" in refused[f"https://{NDRC}{TO_SSH}"]
        assert "internal address" in refused[f"https://{NDRC}{TO_LOCALHOST}"]
        assert not session.scalars(select(Notice).where(Notice.title == "internal")).all()
        ledger = session.scalars(select(ListedUrl).where(ListedUrl.url == f"https://{NDRC}{MOVED}")).one()
        assert (ledger.state, ledger.final_url) == ("stored", f"https://{NDRC}{MOVED_TO}")
        assert session.scalar(select(Notice.id).where(Notice.url == f"https://{NDRC}{MOVED_TO}")) is not None
    store.dispose()
