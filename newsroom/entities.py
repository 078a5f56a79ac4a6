"""The analysts' entity pages: a notice's entities and attachments, and one entity's history across lists."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, render_template
from sqlalchemy import select

from store.models import AttachmentText, EntityMention, Notice

bp = Blueprint("entities", __name__)


def _store() -> Any:
    return current_app.extensions["scs_store"]


@bp.route("/notice/<int:notice_id>/entities")
def notice_entities(notice_id: int) -> Any:
    """Every organisation and person found in the notice and its attachments, invalid codes marked."""
    with _store().session() as db:
        notice = db.get(Notice, notice_id)
        if notice is None:
            abort(404)
        attachments = list(
            db.scalars(
                select(AttachmentText).where(AttachmentText.notice_url == notice.url).order_by(AttachmentText.id)
            )
        )
        mentions = list(
            db.scalars(select(EntityMention).where(EntityMention.notice_id == notice_id).order_by(EntityMention.id))
        )
        where = {row.id: row.name or row.url for row in attachments}
        db.expunge_all()
    return render_template(
        "entities_of_notice.html", notice=notice, attachments=attachments, mentions=mentions, where=where
    )


@bp.route("/entity/<code>")
def entity_page(code: str) -> Any:
    """One entity's history: every list it is on, when and by whom; or the invalid mentions of a failing code."""
    from store.entities import search_entities

    with _store().session() as db:
        found = search_entities(db, code=code)
    if not found.entities and not found.invalid:
        abort(404)
    return render_template("entity.html", code=code, entities=found.entities, invalid=found.invalid)
