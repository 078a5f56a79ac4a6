"""Scoring the classifiers against a gold file (JSON lines with relevant, scs_types, industries, locations)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from classifiers import gazetteer
from classifiers.model import Classification, Document

SET_FACETS = ("scs_types", "industries")


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, predicted: set[str], gold: set[str]) -> None:
        self.tp += len(predicted & gold)
        self.fp += len(predicted - gold)
        self.fn += len(gold - predicted)

    def scores(self) -> dict[str, float]:
        precision = self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0
        recall = self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}


@dataclass
class Report:
    n: int = 0
    relevance: Counts = field(default_factory=Counts)
    facets: dict[str, Counts] = field(default_factory=lambda: {f: Counts() for f in SET_FACETS})
    per_label: dict[str, dict[str, Counts]] = field(default_factory=lambda: {f: {} for f in SET_FACETS})
    locations: Counts = field(default_factory=Counts)
    locations_exact: int = 0
    locations_province: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        n = max(self.n, 1)
        return {
            "n": self.n,
            "relevance": self.relevance.scores(),
            "scs_types": self.facets["scs_types"].scores(),
            "industries": self.facets["industries"].scores(),
            "locations": {
                "f1": self.locations.scores()["f1"],
                "exact": round(self.locations_exact / n, 4),
                "province": round(self.locations_province / n, 4),
            },
        }


def document_from_gold(record: dict[str, Any]) -> Document:
    return Document(
        title=str(record.get("title", "")),
        text=str(record.get("text", "")),
        publisher=str(record.get("publisher", "")),
        url=str(record.get("url", "")),
        jurisdiction=str(record.get("jurisdiction", "")),
        site_code=str(record.get("site_code", "")),
    )


def read_gold(path: Path) -> list[dict[str, Any]]:
    records = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError as error:
            raise ValueError(f"{path}:{number}: not JSON: {error}") from error
    return records


def evaluate(records: Iterable[dict[str, Any]], classify: Callable[[Document], Classification] | None = None) -> Report:
    if classify is None:
        from classifiers import classify as default_classify

        classify = default_classify
    report = Report()
    for record in records:
        result = classify(document_from_gold(record))
        report.n += 1
        gold_relevant = bool(record["relevant"])
        report.relevance.add({"relevant"} if result.relevant else set(), {"relevant"} if gold_relevant else set())
        mistakes: dict[str, Any] = {}
        if result.relevant != gold_relevant:
            mistakes["relevant"] = {"predicted": result.relevant, "score": result.relevance_score}
        for facet in SET_FACETS:
            predicted = {tag.value for tag in result.tags[facet]}
            gold = set(record.get(facet, ()))
            report.facets[facet].add(predicted, gold)
            for label in predicted | gold:
                report.per_label[facet].setdefault(label, Counts()).add(predicted & {label}, gold & {label})
            if predicted != gold:
                mistakes[facet] = {"predicted": sorted(predicted), "gold": sorted(gold)}
        predicted_places = {tag.value for tag in result.tags["locations"]}
        gold_places = set(record.get("locations", ()))
        report.locations.add(predicted_places, gold_places)
        report.locations_exact += predicted_places == gold_places
        report.locations_province += {gazetteer.province_of(c) for c in predicted_places} == {
            gazetteer.province_of(c) for c in gold_places
        }
        if predicted_places != gold_places:
            mistakes["locations"] = {"predicted": sorted(predicted_places), "gold": sorted(gold_places)}
        if mistakes:
            report.errors.append({"id": record.get("id", ""), **mistakes})
    return report


def format_report(report: Report) -> str:
    summary = report.summary()
    lines = [f"notices: {report.n}", "", f"{'facet / label':<28}{'P':>8}{'R':>8}{'F1':>8}{'support':>9}"]
    relevance = summary["relevance"]
    lines.append(f"{'relevance':<28}{relevance['precision']:>8.3f}{relevance['recall']:>8.3f}{relevance['f1']:>8.3f}")
    for facet in SET_FACETS:
        scores = summary[facet]
        lines.append(f"{facet + ' (micro)':<28}{scores['precision']:>8.3f}{scores['recall']:>8.3f}{scores['f1']:>8.3f}")
        for label, counts in sorted(report.per_label[facet].items()):
            s = counts.scores()
            support = counts.tp + counts.fn
            lines.append(f"  {label:<26}{s['precision']:>8.3f}{s['recall']:>8.3f}{s['f1']:>8.3f}{support:>9}")
    places = summary["locations"]
    lines.append(
        f"{'locations':<28}f1 {places['f1']:.3f}  exact {places['exact']:.3f}  province {places['province']:.3f}"
    )
    return "\n".join(lines)


def format_side_by_side(shipped: Report, cv: Report, folds: int) -> str:
    """The shipped model's scores on the file beside the K-fold cross-validated ones, per facet and label."""
    a, b = shipped.summary(), cv.summary()
    lines = [
        f"notices: {shipped.n}   shipped = the shipped model on this file; cv = {folds}-fold cross-validation",
        "",
        f"{'facet / label':<28}{'shipped P':>10}{'R':>7}{'F1':>7}{'cv P':>9}{'R':>7}{'F1':>7}{'support':>9}",
    ]

    def row(name: str, x: dict[str, float], y: dict[str, float], support: str = "") -> str:
        return (
            f"{name:<28}{x['precision']:>10.3f}{x['recall']:>7.3f}{x['f1']:>7.3f}"
            f"{y['precision']:>9.3f}{y['recall']:>7.3f}{y['f1']:>7.3f}{support:>9}"
        )

    lines.append(row("relevance", a["relevance"], b["relevance"]))
    for facet in SET_FACETS:
        lines.append(row(facet + " (micro)", a[facet], b[facet]))
        for label in sorted(set(shipped.per_label[facet]) | set(cv.per_label[facet])):
            x = shipped.per_label[facet].get(label, Counts())
            y = cv.per_label[facet].get(label, Counts())
            lines.append(row("  " + label, x.scores(), y.scores(), str(x.tp + x.fn or y.tp + y.fn)))
    places = a["locations"]
    lines.append(
        f"{'locations':<28}f1 {places['f1']:.3f}  exact {places['exact']:.3f}  province {places['province']:.3f}"
        "  (gazetteer: not fitted, the same in cv)"
    )
    return "\n".join(lines)
