"""The store's side of attachments and entities: a thin adapter from items to `attachments` and `store.entities`.

Run by `StorePipeline` (in the pipeline worker, so reading a PDF never holds up the crawl):
an `AttachmentItem` is read (`attachments.extract.extract_text`) and stored with the entities
in it; a notice stored new or changed has its body's entities read again. Neither can fail
the notice: an error is logged and counted (`scs/attachments/store-error`, `scs/entities/error`).
"""

from __future__ import annotations

import logging
from typing import Any

logger = logging.getLogger(__name__)


def is_attachment(item: Any) -> bool:
    from crawler.items import AttachmentItem

    return isinstance(item, AttachmentItem)


def store_attachment(store: Any, item: Any, stats: Any) -> Any:
    """Read and store one attachment; counts `scs/attachments/<status>`. Returns the item without its bytes."""
    from attachments.extract import extract_text
    from store.entities import save_attachment

    if item.status:  # the download itself failed: recorded with the reason, tried again next crawl
        kind, status, reason, text = "", item.status, item.reason, ""
    else:
        result = extract_text(item.body, item.declared_type)
        kind, status, reason, text = result.kind, result.status, result.reason, result.text
    try:
        with store.session() as session:
            save_attachment(session, item, kind, status, reason, text)
    except Exception:
        logger.exception("storing attachment %s of %s failed", item.url, item.notice_url)
        stats.inc_value("scs/attachments/store-error")
    else:
        stats.inc_value(f"scs/attachments/{status}")
    item.body = b""  # the bytes are read and stored: not sent back to the crawl process
    return item


def refresh_entities(store: Any, notice_url: str, stats: Any) -> None:
    from store.entities import refresh_notice_entities

    try:
        with store.session() as session:
            refresh_notice_entities(session, notice_url)
    except Exception:
        logger.exception("reading the entities of %s failed", notice_url)
        stats.inc_value("scs/entities/error")
