"""The analysts' pages: the review queue and the notice page with its actions."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, session, url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from newsroom.highlight import anchor_id, evidence_spans, highlight, locate
from newsroom.places import PlaceError, picker_choices, place_label, resolve_place
from newsroom.review import (
    COUNT_CAP,
    OPEN,
    STATUSES,
    EditConflict,
    QueueCursor,
    QueueView,
    ReviewError,
    claim_review_version,
    queue_view,
    set_relevance,
    set_tag,
    source_names,
    update_review,
    vocabulary,
)
from store.models import AuditEntry, Notice

bp = Blueprint("review", __name__)
PAGE_SIZES = (25, 50, 100)
PAGE_SIZE = PAGE_SIZES[0]
MAX_ID = 2**31 - 1  # the largest id an INTEGER column holds on every backend
STATUS_FILTERS = (OPEN, *STATUSES, "changed", "all")
RELEVANCE_FILTERS = ("relevant", "not-relevant", "any")
DECISIONS = {"approve": "Approved.", "reject": "Rejected.", "needs-work": "Sent back: needs work."}
EVIDENCE_FIELDS = ("title", "publisher", "text")
COLOURS_PER_FACET = 6  # newsroom.css has classes c-<facet>-0 … c-<facet>-5


def _store() -> Any:
    return current_app.extensions["scs_store"]


def _int_arg(args: Mapping[str, str], name: str, default: int, lowest: int, highest: int) -> int:
    """An integer query argument within [lowest, highest]; anything else is a 400, not a crash."""
    raw = str(args.get(name, "")).strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        abort(400, description=f"{name} must be a whole number")
    if not lowest <= value <= highest:
        abort(400, description=f"{name} must be between {lowest} and {highest}")
    return value


def _notice_or_404(db: Any, notice_id: int, **options: Any) -> Notice:
    if notice_id > MAX_ID:
        abort(400, description="no notice has an id that large")
    notice = db.get(Notice, notice_id, **options)
    if notice is None:
        abort(404)
    return notice


def _queue_filters(args: Mapping[str, str]) -> tuple[dict[str, Any], list[str], dt.date | None, dt.date | None]:
    """The queue's filters as given, notes on ignored filters, and the date range."""
    notes: list[str] = []
    status = args.get("status", OPEN)
    if status not in STATUS_FILTERS:
        status = OPEN
    filters: dict[str, Any] = {
        key: str(args.get(key, "")).strip()
        for key in ("source", "scs_types", "industries", "locations", "q", "from", "to")
    }
    filters["status"] = status
    filters["relevance"] = args.get("relevance", "relevant")
    if filters["relevance"] not in RELEVANCE_FILTERS:
        filters["relevance"] = "relevant"
    dates: dict[str, dt.date | None] = {"from": None, "to": None}
    for name in dates:
        if filters[name]:
            try:
                dates[name] = dt.date.fromisoformat(filters[name])
            except ValueError:
                notes.append(f"Ignored {name}: {filters[name]!r} is not a date (YYYY-MM-DD).")
    return filters, notes, dates["from"], dates["to"]


def _queue_page(db: Any, args: Mapping[str, str], after: QueueCursor | None, per_page: int) -> tuple[QueueView, str]:
    """One keyset page of the queue for `args`, and what is wrong with the place asked for ("" when it is fine):
    a place name that cannot be resolved to one code is bad input."""
    filters, _notes, date_from, date_to = _queue_filters(args)
    if filters["locations"]:
        try:
            filters = {**filters, "locations": resolve_place(filters["locations"])}
        except PlaceError as error:
            return QueueView(0, [], None, source_names(db)), str(error)
    return queue_view(db, filters, after, date_from, date_to, size=per_page), ""


def _per_page(args: Mapping[str, str]) -> int:
    per_page = _int_arg(args, "per_page", PAGE_SIZE, 1, PAGE_SIZES[-1])
    if per_page not in PAGE_SIZES:
        abort(400, description=f"per_page must be one of {', '.join(map(str, PAGE_SIZES))}")
    return per_page


def _remember_queue(args: dict[str, Any], ids: list[int]) -> None:
    """The queue page the analyst last saw: where "next" and "previous" go from a notice."""
    session["queue"] = {"args": args, "ids": ids}


@bp.route("/")
def queue() -> Any:
    filters, notes, _from, _to = _queue_filters(request.args)
    per_page = _per_page(request.args)
    after = QueueCursor.decode(request.args.get("after", ""))
    with _store().session() as db:
        view, place_error = _queue_page(db, request.args, after, per_page)
    from store.repository import effective_tags

    for note in notes:
        flash(note)
    rows = [(notice, effective_tags(notice)) for notice in view.notices]
    page_args = {key: value for key, value in filters.items() if value}
    if per_page != PAGE_SIZE:
        page_args["per_page"] = per_page
    _remember_queue({**page_args, "after": after.encode() if after else ""}, [notice.id for notice in view.notices])
    place_codes = {code for _notice, tags in rows for code in tags.get("locations", [])}
    html = render_template(
        "queue.html",
        rows=rows,
        total=f"{COUNT_CAP}+" if view.total > COUNT_CAP else view.total,
        first_page=after is None,
        next_page=view.next_page.encode() if view.next_page else None,
        per_page=per_page,
        page_sizes=PAGE_SIZES,
        page_args=page_args,
        filters=filters,
        sources=view.sources,
        status_filters=STATUS_FILTERS,
        relevance_filters=RELEVANCE_FILTERS,
        vocab={facet: vocabulary(facet) for facet in ("scs_types", "industries")},
        place_labels={code: place_label(code) for code in place_codes},
        place_choices=picker_choices(),
        place_error=place_error,
    )
    return html, (400 if place_error else 200)


def _neighbours(notice_id: int) -> tuple[int | None, int | None]:
    """The notices before and after this one on the queue page the analyst came from."""
    ids = list((session.get("queue") or {}).get("ids", []))
    if notice_id not in ids:
        return None, None
    at = ids.index(notice_id)
    return (ids[at - 1] if at > 0 else None), (ids[at + 1] if at + 1 < len(ids) else None)


def _next_url(notice_id: int) -> str:
    """Where "next" goes from a notice: the next one on the analyst's queue page; at its end, the first
    notice not yet seen on this pass when the queue is loaded again (same filters), else the queue."""
    _previous, following = _neighbours(notice_id)
    if following is not None:
        return url_for("review.notice_page", notice_id=following)
    state = session.get("queue") or {}
    args = {key: str(value) for key, value in dict(state.get("args", {})).items()}
    seen = set(state.get("ids", [])) | {notice_id}
    per_page = _per_page(args)
    with _store().session() as db:
        after = QueueCursor.decode(args.get("after", ""))
        view, place_error = _queue_page(db, args, after, per_page)
        pages = [(after, view)]
        if not place_error and view.next_page is not None:
            pages.append((view.next_page, _queue_page(db, args, view.next_page, per_page)[0]))
        for cursor, candidate in pages:
            fresh = [notice.id for notice in candidate.notices if notice.id not in seen]
            if fresh:
                _remember_queue(
                    {**args, "after": cursor.encode() if cursor else ""}, [notice.id for notice in candidate.notices]
                )
                return url_for("review.notice_page", notice_id=fresh[0])
    flash("That was the last notice in the queue.")
    return url_for("review.queue", **{key: value for key, value in args.items() if key != "after" and value})


@bp.route("/notice/<int:notice_id>/next")
def next_in_queue(notice_id: int) -> Any:
    return redirect(_next_url(notice_id))


def _safe_link(url: str) -> str:
    """Only http(s) links to the original are rendered as links (never javascript: and the like)."""
    return url if urlsplit(url).scheme in ("http", "https") else ""


def _render_notice(
    notice_id: int, typed: Mapping[str, str] | None = None, problem: str = "", conflict: bool = False
) -> str:
    """The notice page; `typed` keeps what the analyst sent when it could not be saved, shown with `problem`."""
    from store.repository import effective_tags

    with _store().session() as db:
        notice = _notice_or_404(db, notice_id, options=[selectinload(Notice.tags)])
        effective = effective_tags(notice)
        auto = sorted((t for t in notice.tags if t.origin == "auto"), key=lambda t: (t.facet, t.value))
        analyst = sorted((t for t in notice.tags if t.origin == "analyst"), key=lambda t: (t.facet, t.value))
        removed = {(t.facet, t.value) for t in analyst if not t.present}
        evidence_of = [(t.facet, t.value, t.evidence) for t in auto if t.present and (t.facet, t.value) not in removed]
        evidence_of.append(("relevance", "relevant", notice.relevance_evidence or []))
        history = list(
            db.scalars(
                select(AuditEntry)
                .where(AuditEntry.notice_id == notice.id)
                .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
            )
        )

    # Each tag its own colour, from its facet's family; the legend and the evidence links point at the marks.
    texts = {"title": notice.title, "publisher": notice.publisher, "text": notice.body}
    per_facet: Counter[str] = Counter()
    classes: dict[str, str] = {}
    for facet, value, _evidence in evidence_of:
        classes[f"{facet}:{value}"] = f"f-{facet} c-{facet}-{per_facet[facet] % COLOURS_PER_FACET}"
        per_facet[facet] += 1
    spans = {field: evidence_spans(text, field, evidence_of) for field, text in texts.items()}
    marked = {field: highlight(text, spans[field], field, classes) for field, text in texts.items()}
    legend = []
    for facet, value, _evidence in evidence_of:
        label = f"{facet}:{value}"
        found = [(field, s.start) for field in EVIDENCE_FIELDS for s in spans[field] if s.label == label]
        legend.append(
            {
                "label": label,
                "facet": facet,
                "name": place_label(value) if facet == "locations" else value,
                "classes": classes[label],
                "count": len(found),
                "anchor": anchor_id(*found[0]) if found else "",
            }
        )
    evidence_links = {
        (tag.facet, tag.value): [
            (item, anchor_id(str(item.get("field")), position[0]) if position and tag.present else "")
            for item in tag.evidence
            if isinstance(item, dict)
            for position in [locate(texts.get(str(item.get("field")), ""), str(item.get("field")), item)]
        ]
        for tag in auto
    }
    previous_id, next_id = _neighbours(notice_id)
    default_headline = notice.headline_en or notice.draft_headline
    default_summary = notice.summary_en or notice.draft_summary
    return render_template(
        "notice.html",
        notice=notice,
        effective=effective,
        auto=auto,
        analyst=analyst,
        removed=removed,
        body_html=marked["text"],
        title_html=marked["title"],
        publisher_html=marked["publisher"],
        legend=legend,
        evidence_links=evidence_links,
        source_link=_safe_link(notice.url),
        history=history,
        location_labels={code: f"{place_label(code)} ({code})" for code in effective.get("locations", [])},
        vocab={facet: vocabulary(facet) for facet in ("scs_types", "industries")},
        headline=typed.get("headline", "") if typed is not None else default_headline,
        summary=typed.get("summary", "") if typed is not None else default_summary,
        problem=problem,
        conflict=conflict,
        latest=history[0] if history else None,
        previous_url=url_for("review.notice_page", notice_id=previous_id) if previous_id else "",
        next_url=url_for("review.notice_page", notice_id=next_id)
        if next_id
        else url_for("review.next_in_queue", notice_id=notice_id),
        place_choices=picker_choices(),
    )


@bp.route("/notice/<int:notice_id>")
def notice_page(notice_id: int) -> Any:
    return _render_notice(notice_id)


@bp.route("/notice/<int:notice_id>/tags", methods=["POST"])
def change_tag(notice_id: int) -> Any:
    op = request.form.get("op")
    if op not in ("add", "remove"):
        abort(400, description="op must be add or remove")
    facet, value = request.form.get("facet", ""), request.form.get("value", "")
    with _store().session() as db:
        notice = _notice_or_404(db, notice_id)
        try:
            if facet == "locations" and op == "add":
                value = resolve_place(value)
            set_tag(db, notice, facet, value, op == "add", g.user)
        except (ReviewError, PlaceError) as error:
            flash(str(error))
    return redirect(url_for("review.notice_page", notice_id=notice_id) + "#tags")


@bp.route("/notice/<int:notice_id>/review", methods=["POST"])
def review(notice_id: int) -> Any:
    action = request.form.get("action", "save")
    if action != "save" and action not in DECISIONS:
        abort(400, description="action must be save, approve, reject or needs-work")
    version = request.form.get("version", "").strip()
    if version and not version.isdigit():
        abort(400, description="version must be a whole number")
    typed = {"headline": request.form.get("headline", ""), "summary": request.form.get("summary", "")}
    try:
        with _store().session() as db:
            if notice_id > MAX_ID:
                abort(400, description="no notice has an id that large")
            if not claim_review_version(db, notice_id, int(version) if version else None):
                _notice_or_404(db, notice_id)
                raise EditConflict("someone else changed this notice while you were editing it")
            notice = _notice_or_404(db, notice_id)
            update_review(db, notice, g.user, typed["headline"], typed["summary"], None if action == "save" else action)
    except EditConflict as error:  # nothing saved; the analyst's text stays in the form, theirs is shown
        return _render_notice(notice_id, typed, str(error), conflict=True), 409
    except ReviewError as error:  # the session rolled back: nothing half-saved, and the typed text is kept
        return _render_notice(notice_id, typed, str(error)), 422
    if action == "save":
        flash("Saved.")
        return redirect(url_for("review.notice_page", notice_id=notice_id))
    flash(DECISIONS[action])
    return redirect(_next_url(notice_id))


@bp.route("/notice/<int:notice_id>/relevance", methods=["POST"])
def change_relevance(notice_id: int) -> Any:
    choices = {"yes": True, "no": False, "auto": None}
    choice = request.form.get("relevant", "")
    if choice not in choices:
        abort(400, description="relevant must be yes, no or auto")
    with _store().session() as db:
        notice = _notice_or_404(db, notice_id)
        set_relevance(db, notice, choices[choice], g.user)
    return redirect(url_for("review.notice_page", notice_id=notice_id))
