"""A generated offline mirror: many notices for committed sources, in those sites' real page structure.

The committed content files (`mirror/content/<source>.toml`) give each site's list and detail markup;
the notices are generated, so a test can ask for as many as it needs.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path
from typing import Any

from mirror.build_fixtures import CONTENT_DIR, build_content

PER_LIST_PAGE = 15


def generated_notices(source: str, count: int, columns: int) -> list[dict[str, Any]]:
    """`count` distinct notices spread over the source's columns and list pages, newest first."""
    notices = []
    for index in range(count):
        day = dt.date(2026, 10, 31) - dt.timedelta(days=index)
        notices.append(
            {
                "column": index % columns,
                "page": (index // columns) // PER_LIST_PAGE + 1,
                "title": f"关于做好第{index + 1}批市场主体信用承诺公示工作的通知（{source}）",
                "published": f"{day.isoformat()} 09:30",
                "doc_number": f"信用办发〔2026〕{index + 1}号",
                "written": f"{day.year}年{day.month}月{day.day}日",
                "body": (
                    f"各有关单位：\n\n为推进第{index + 1}批市场主体信用承诺公示，现将有关事项通知如下。\n\n"
                    "一、承诺内容在信用门户网站公示，接受社会监督。\n\n"
                    "二、对违反承诺的主体，依法依规记入信用记录并实施相应管理措施。"
                ),
                "signature": "信用建设工作办公室",
            }
        )
    return notices


def build_mirror(fixtures_dir: Path, notices_per_source: dict[str, int]) -> set[str]:
    """Fixtures with the given number of notices per source in `fixtures_dir`; returns the hosts served."""
    from crawler.sourceconfig import load_sources

    sources = load_sources()
    for source, count in notices_per_source.items():
        content = tomllib.loads((CONTENT_DIR / f"{source}.toml").read_text(encoding="utf-8"))
        content.pop("raw", None)
        content["notices"] = generated_notices(source, count, len(sources[source].columns))
        build_content(content, fixtures_dir)
    return {host.name for host in fixtures_dir.iterdir()}
