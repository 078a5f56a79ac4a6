"""Attachment texts and entity mentions: writing them after a crawl, and asking which lists an entity is on.

`save_attachment` stores one fetched attachment (text, status, reason) and the entities in it;
`refresh_notice_entities` re-reads a stored notice's body after it changed, links attachments
fetched before their notice was stored, and drops attachments no longer linked. Writes only
touch these two tables: nothing here reads or writes an analyst's columns.

`search_entities` answers "is this company on any list?": every valid code (or masked person)
matching a name or code, with each notice it appears in, the notice's list kind (its
`scs_types` as in force, so analysts' corrections count), date, publisher and jurisdiction.
Invalid codes come back apart, as invalid mentions, never as entities.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session, selectinload

from entities.find import Mention, find_mentions
from entities.uscc import region_name
from store.models import AttachmentText, EntityMention, Notice
from store.repository import effective_tags

# The scs_types that say what kind of list a notice publishes, most specific first.
LIST_KINDS = ("court-defaulters", "blacklist", "credit-repair", "redlist", "credit-rating")
REFETCH_STATUSES = ("failed",)  # a download that failed is tried again; anything else only when its link changes


def _mention_rows(mentions: Iterable[Mention], notice_id: int, field_name: str, attachment_id: int | None) -> list[Any]:
    return [
        EntityMention(
            notice_id=notice_id,
            attachment_id=attachment_id,
            field=field_name,
            kind=m.kind,
            code=m.code,
            name=m.name,
            valid=m.valid,
            reason=m.reason,
            authority=m.authority,
            org_type=m.org_type,
            region_code=m.region_code,
            region=m.region,
            context=m.context,
        )
        for m in mentions
    ]


def save_attachment(session: Session, item: Any, kind: str, status: str, reason: str, text: str) -> AttachmentText:
    """Store one attachment (`crawler.items.AttachmentItem` with its extraction result) and its mentions."""
    notice_id = session.scalar(select(Notice.id).where(Notice.url == item.notice_url))
    row = session.scalar(
        select(AttachmentText).where(AttachmentText.notice_url == item.notice_url, AttachmentText.url == item.url)
    )
    if row is None:
        row = AttachmentText(notice_url=item.notice_url, url=item.url)
    row.notice_id = notice_id
    row.name, row.declared_type, row.kind = item.name, item.declared_type, kind
    row.status, row.reason, row.text = status, reason, text
    row.size = len(item.body)
    row.content_hash = hashlib.sha256(item.body).hexdigest() if item.body else ""
    row.etag = item.etag
    row.fetched_at = item.fetched_at
    session.add(row)
    session.flush()
    session.execute(delete(EntityMention).where(EntityMention.attachment_id == row.id))
    if row.notice_id is not None and text:
        session.add_all(_mention_rows(find_mentions(text), row.notice_id, "attachment", row.id))
    return row


def refresh_notice_entities(session: Session, notice_url: str) -> None:
    """After a notice was stored new or changed: its body's mentions anew, its attachments linked or dropped."""
    notice = session.scalar(select(Notice).where(Notice.url == notice_url))
    if notice is None:
        return
    session.execute(delete(EntityMention).where(EntityMention.notice_id == notice.id, EntityMention.field == "body"))
    session.add_all(_mention_rows(find_mentions(notice.body), notice.id, "body", None))
    linked = {attachment.get("url") for attachment in notice.attachments or []}
    for row in session.scalars(select(AttachmentText).where(AttachmentText.notice_url == notice_url)):
        if row.url not in linked:
            session.delete(row)  # the link changed or went: its text and mentions go with it
        elif row.notice_id is None:
            row.notice_id = notice.id  # fetched before its notice was stored
            session.add_all(_mention_rows(find_mentions(row.text), notice.id, "attachment", row.id))


def fetched_attachments(session: Session, source: str) -> set[tuple[str, str]]:
    """(notice URL, link) of the source's attachments that need no new fetch."""
    rows = session.execute(
        select(AttachmentText.notice_url, AttachmentText.url)
        .join(Notice, Notice.id == AttachmentText.notice_id)
        .where(Notice.source == source, AttachmentText.status.not_in(REFETCH_STATUSES))
    )
    return {(notice_url, url) for notice_url, url in rows}


def stored_attachment_links(session: Session, source: str) -> list[tuple[str, dict[str, Any]]]:
    """(notice URL, attachment as stored on the notice) for every link of the source's stored notices."""
    rows = session.execute(select(Notice.url, Notice.attachments).where(Notice.source == source))
    return [(url, attachment) for url, attachments in rows for attachment in attachments or []]


# -- asking ------------------------------------------------------------------------------------------


@dataclass
class EntitySearch:
    entities: list[dict[str, Any]] = field(default_factory=list)
    invalid: list[dict[str, Any]] = field(default_factory=list)  # mentions whose code fails the check


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def search_entities(session: Session, *, name: str = "", code: str = "") -> EntitySearch:
    """Entities whose name contains `name` or whose code is `code`, each with every list it appears on."""
    criteria = []
    if code:
        criteria.append(EntityMention.code == code.strip().upper())
    if name:
        criteria.append(EntityMention.name.like(_like(name.strip()), escape="\\"))
    if not criteria:
        return EntitySearch()
    matched = list(session.scalars(select(EntityMention).where(or_(*criteria))))
    invalid = [m for m in matched if m.valid is False]
    codes = {m.code for m in matched if m.valid is True}
    persons = {(m.code, m.name) for m in matched if m.valid is None}
    mentions = list(session.scalars(select(EntityMention).where(EntityMention.code.in_(codes)))) if codes else []
    mentions += [m for m in matched if m.valid is None]
    notice_ids = {m.notice_id for m in mentions} | {m.notice_id for m in invalid}
    notices = {
        n.id: n
        for n in session.scalars(select(Notice).where(Notice.id.in_(notice_ids)).options(selectinload(Notice.tags)))
    }
    attachment_ids = {m.attachment_id for m in [*mentions, *invalid] if m.attachment_id is not None}
    attachment_urls: dict[int, str] = {
        attachment_id: url
        for attachment_id, url in session.execute(
            select(AttachmentText.id, AttachmentText.url).where(AttachmentText.id.in_(attachment_ids))
        )
    }
    groups: dict[tuple[str, str], list[EntityMention]] = defaultdict(list)
    for m in mentions:
        key = (m.code, "") if m.valid else (m.code, m.name)
        if m.valid or (m.code, m.name) in persons:
            groups[key].append(m)
    entities = [_entity(group, notices, attachment_urls) for group in groups.values()]
    entities.sort(key=lambda e: (e["name"], e["code"]))
    return EntitySearch(entities, [_invalid(m, notices, attachment_urls) for m in invalid])


def _entity(group: list[EntityMention], notices: dict[int, Notice], attachment_urls: dict[int, str]) -> dict[str, Any]:
    first = group[0]
    names = Counter(m.name for m in group if m.name)
    by_notice: dict[int, list[EntityMention]] = defaultdict(list)
    for m in group:
        by_notice[m.notice_id].append(m)
    lists = [_list_entry(notices[notice_id], found, attachment_urls) for notice_id, found in by_notice.items()]
    lists.sort(key=lambda entry: (entry["date"] or "", entry["notice_id"]))
    return {
        "code": first.code,
        "name": names.most_common(1)[0][0] if names else "",
        "names": sorted(names),
        "kind": first.kind,
        "valid": first.valid,
        "region": first.region,
        "region_code": first.region_code,
        "authority": first.authority,
        "org_type": first.org_type,
        "lists": lists,
    }


def _list_entry(notice: Notice, found: list[EntityMention], attachment_urls: dict[int, str]) -> dict[str, Any]:
    scs_types = effective_tags(notice).get("scs_types", [])
    kinds = [kind for kind in LIST_KINDS if kind in scs_types]
    return {
        "notice_id": notice.id,
        "kind": kinds[0] if kinds else "unclassified",
        "kinds": scs_types,
        "date": notice.published.isoformat() if notice.published else None,
        "jurisdiction": notice.jurisdiction,
        "jurisdiction_name": region_name(notice.jurisdiction),
        "publisher": notice.publisher,
        "title": notice.title,
        "url": notice.url,
        "found_in": [
            {
                "field": m.field,
                "attachment_url": attachment_urls.get(m.attachment_id) if m.attachment_id else None,
                "name_as_listed": m.name,
                "context": m.context,
            }
            for m in found
        ],
    }


def _invalid(m: EntityMention, notices: dict[int, Notice], attachment_urls: dict[int, str]) -> dict[str, Any]:
    notice = notices[m.notice_id]
    return {
        "code": m.code,
        "name": m.name,
        "valid": False,
        "reason": m.reason,
        "notice_id": m.notice_id,
        "url": notice.url,
        "field": m.field,
        "attachment_url": attachment_urls.get(m.attachment_id) if m.attachment_id else None,
        "context": m.context,
    }


def rescan_entities(session: Session) -> tuple[int, int]:
    """Read every stored notice's body and attachment texts for entities again (after a rule change)."""
    session.execute(delete(EntityMention))
    notices = 0
    for notice in session.scalars(select(Notice)):
        notices += 1
        session.add_all(_mention_rows(find_mentions(notice.body), notice.id, "body", None))
    for row in session.scalars(select(AttachmentText).where(AttachmentText.notice_id.is_not(None))):
        assert row.notice_id is not None
        session.add_all(_mention_rows(find_mentions(row.text), row.notice_id, "attachment", row.id))
    session.flush()
    mentions = session.scalar(select(func.count()).select_from(EntityMention)) or 0
    return notices, mentions
