"""The analysts' pages: the review queue and the notice page with its actions."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from newsroom.highlight import evidence_spans, highlight
from newsroom.review import (
    COUNT_CAP,
    OPEN,
    STATUSES,
    QueueCursor,
    ReviewError,
    queue_view,
    set_relevance,
    set_tag,
    update_review,
    vocabulary,
)
from store.models import AuditEntry, Notice

bp = Blueprint("review", __name__)
STATUS_FILTERS = (OPEN, *STATUSES, "changed", "all")
RELEVANCE_FILTERS = ("relevant", "not-relevant", "any")


def _store() -> Any:
    return current_app.extensions["scs_store"]


def _date_arg(name: str) -> dt.date | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        flash(f"Ignored {name}: {raw!r} is not a date (YYYY-MM-DD).")
        return None


@bp.route("/")
def queue() -> Any:
    status = request.args.get("status", OPEN)
    if status not in STATUS_FILTERS:
        status = OPEN
    filters = {
        "source": request.args.get("source", "").strip(),
        "scs_types": request.args.get("scs_types", "").strip(),
        "industries": request.args.get("industries", "").strip(),
        "locations": request.args.get("locations", "").strip(),
        "q": request.args.get("q", "").strip(),
        "from": request.args.get("from", "").strip(),
        "to": request.args.get("to", "").strip(),
        "status": status,
        "relevance": request.args.get("relevance", "relevant"),
    }
    if filters["relevance"] not in RELEVANCE_FILTERS:
        filters["relevance"] = "relevant"
    after = QueueCursor.decode(request.args.get("after", ""))
    with _store().session() as db:
        view = queue_view(db, filters, after, _date_arg("from"), _date_arg("to"))
    from store.repository import effective_tags

    rows = [(notice, effective_tags(notice)) for notice in view.notices]
    page_args = {key: value for key, value in filters.items() if value}
    return render_template(
        "queue.html",
        rows=rows,
        total=f"{COUNT_CAP}+" if view.total > COUNT_CAP else view.total,
        first_page=after is None,
        next_page=view.next_page.encode() if view.next_page else None,
        page_args=page_args,
        filters=filters,
        sources=view.sources,
        status_filters=STATUS_FILTERS,
        relevance_filters=RELEVANCE_FILTERS,
        vocab={facet: vocabulary(facet) for facet in ("scs_types", "industries")},
    )


def _safe_link(url: str) -> str:
    """Only http(s) links to the original are rendered as links (never javascript: and the like)."""
    return url if urlsplit(url).scheme in ("http", "https") else ""


def _location_label(code: str) -> str:
    from classifiers.gazetteer import chinese_name, english_name

    return f"{english_name(code) or code} {chinese_name(code)} ({code})".strip()


@bp.route("/notice/<int:notice_id>")
def notice_page(notice_id: int) -> Any:
    from store.repository import effective_tags

    with _store().session() as db:
        notice = db.get(Notice, notice_id, options=[selectinload(Notice.tags)])
        if notice is None:
            abort(404)
        effective = effective_tags(notice)
        auto = sorted((t for t in notice.tags if t.origin == "auto"), key=lambda t: (t.facet, t.value))
        analyst = sorted((t for t in notice.tags if t.origin == "analyst"), key=lambda t: (t.facet, t.value))
        removed = {(t.facet, t.value) for t in analyst if not t.present}
        evidence_of = [(t.facet, t.value, t.evidence) for t in auto if (t.facet, t.value) not in removed]
        evidence_of.append(("relevance", "relevant", notice.relevance_evidence or []))
        body_html = highlight(notice.body, evidence_spans(notice.body, "text", evidence_of))
        title_html = highlight(notice.title, evidence_spans(notice.title, "title", evidence_of))
        publisher_html = highlight(notice.publisher, evidence_spans(notice.publisher, "publisher", evidence_of))
        history = list(
            db.scalars(
                select(AuditEntry)
                .where(AuditEntry.notice_id == notice.id)
                .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
            )
        )
    location_labels = {code: _location_label(code) for code in effective.get("locations", [])}
    return render_template(
        "notice.html",
        notice=notice,
        effective=effective,
        auto=auto,
        analyst=analyst,
        removed=removed,
        body_html=body_html,
        title_html=title_html,
        publisher_html=publisher_html,
        source_link=_safe_link(notice.url),
        history=history,
        location_labels=location_labels,
        vocab={facet: vocabulary(facet) for facet in ("scs_types", "industries")},
        headline=notice.headline_en or notice.draft_headline,
        summary=notice.summary_en or notice.draft_summary,
    )


@bp.route("/notice/<int:notice_id>/tags", methods=["POST"])
def change_tag(notice_id: int) -> Any:
    op = request.form.get("op")
    if op not in ("add", "remove"):
        abort(400, description="op must be add or remove")
    with _store().session() as db:
        notice = db.get(Notice, notice_id)
        if notice is None:
            abort(404)
        try:
            set_tag(db, notice, request.form.get("facet", ""), request.form.get("value", ""), op == "add", g.user)
        except ReviewError as error:
            flash(str(error))
    return redirect(url_for("review.notice_page", notice_id=notice_id) + "#tags")


@bp.route("/notice/<int:notice_id>/review", methods=["POST"])
def review(notice_id: int) -> Any:
    action = request.form.get("action", "save")
    try:
        with _store().session() as db:
            notice = db.get(Notice, notice_id)
            if notice is None:
                abort(404)
            update_review(
                db,
                notice,
                g.user,
                request.form.get("headline", ""),
                request.form.get("summary", ""),
                None if action == "save" else action,
            )
    except ReviewError as error:  # the session rolled back: nothing half-saved
        flash(str(error))
        return redirect(url_for("review.notice_page", notice_id=notice_id))
    flash({"save": "Saved.", "approve": "Approved.", "reject": "Rejected."}.get(action, "Marked as needing work."))
    return redirect(url_for("review.notice_page", notice_id=notice_id))


@bp.route("/notice/<int:notice_id>/relevance", methods=["POST"])
def change_relevance(notice_id: int) -> Any:
    choices = {"yes": True, "no": False, "auto": None}
    choice = request.form.get("relevant", "")
    if choice not in choices:
        abort(400, description="relevant must be yes, no or auto")
    with _store().session() as db:
        notice = db.get(Notice, notice_id)
        if notice is None:
            abort(404)
        set_relevance(db, notice, choices[choice], g.user)
    return redirect(url_for("review.notice_page", notice_id=notice_id))
