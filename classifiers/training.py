"""Fitting the tag model from labelled notices, and cross-validating it honestly.

A labelled notice is a gold record (every label known) or an analyst's decisions in the store (only the
labels an analyst added or removed, and the relevance they set, are known). Each (notice, candidate label)
with a known answer is one row of the facet's logistic regression; each notice with a known relevance is
one row of the relevance model. Thresholds, and whether a relevant notice always gets its likeliest
mechanism, are chosen on out-of-fold probabilities within the training data, so a cross-validated score
(`cross_validate`) never sees its held-out notices, not even to pick a threshold. One model per facet
reads label-independent features (`engine.LABEL_FEATURES`), so a label with three examples borrows what
the others teach about titles, stock sentences and passing mentions.

Deterministic: folds by position, lbfgs with no randomness, numbers rounded in the file, keys in a fixed
order; the same inputs give the same bytes.
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from classifiers.engine import LABEL_FEATURES, RELEVANCE_FEATURES, TAGGED_FACETS, Analysis, Tagger
from classifiers.evaluation import Counts, Report, document_from_gold, evaluate
from classifiers.model import Document
from classifiers.tagmodel import CLIP, MODEL_FORMAT, Logistic, TagModel, model_from_json

FOLDS = 5  # outer CV folds for the scores recorded in the model file
INNER_FOLDS = 5  # folds within the training data for choosing thresholds
C = 1.0  # inverse L2 strength (features are standardised)
THRESHOLDS = tuple(round(0.05 + 0.025 * step, 3) for step in range(37))  # 0.05 .. 0.95
DIGITS = 6


@dataclass
class Example:
    """A notice with what is known about it: relevance (None: unknown) and, per facet, the labels known to
    apply (`positive`) or not (`negative`); `complete` means every other label does not apply (gold)."""

    document: Document
    relevant: bool | None
    positive: dict[str, set[str]] = field(default_factory=dict)
    negative: dict[str, set[str]] = field(default_factory=dict)
    complete: bool = False
    analysis: Analysis | None = None

    def truth(self, facet: str, label: str) -> bool | None:
        if label in self.positive.get(facet, set()):
            return True
        if label in self.negative.get(facet, set()) or self.complete:
            return False
        return None


def gold_examples(records: Sequence[dict[str, Any]]) -> list[Example]:
    return [
        Example(
            document_from_gold(record),
            bool(record["relevant"]),
            {facet: set(record.get(facet, ())) for facet in TAGGED_FACETS},
            {},
            complete=True,
        )
        for record in records
    ]


def analyse(tagger: Tagger, examples: Sequence[Example]) -> None:
    for example in examples:
        if example.analysis is None:
            example.analysis = tagger.analyse(example.document)


def _analysis(example: Example) -> Analysis:
    if example.analysis is None:
        raise ValueError("example not analysed (call training.analyse first)")
    return example.analysis


# -- fitting ---------------------------------------------------------------------------------------------


def _fit_logistic(rows: Sequence[Sequence[float]], targets: Sequence[bool], names: Sequence[str]) -> Logistic:
    """L2-regularised logistic regression on standardised features (scikit-learn, lbfgs: deterministic)."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    x = np.asarray(rows, dtype=float).reshape(len(rows), len(names))
    mean = x.mean(axis=0) if len(rows) else np.zeros(len(names))
    scale = x.std(axis=0) if len(rows) else np.ones(len(names))
    y = np.asarray(targets, dtype=int)
    mean_t = tuple(round(float(v), DIGITS) for v in mean)
    scale_t = tuple(round(float(v), DIGITS) or 1.0 for v in scale)  # a constant feature is left as it is
    if len(set(targets)) < 2:  # one class only (a tiny training set): a constant model
        rate = min(max(float(y.mean()) if len(y) else 0.5, 0.001), 0.999)
        return Logistic(tuple(names), mean_t, scale_t, (0.0,) * len(names), round(math.log(rate / (1 - rate)), DIGITS))
    model = LogisticRegression(C=C, max_iter=5000)
    model.fit(np.clip((x - np.asarray(mean_t)) / np.asarray(scale_t), -CLIP, CLIP), y)
    return Logistic(
        tuple(names),
        mean_t,
        scale_t,
        tuple(round(float(v), DIGITS) for v in model.coef_[0]),
        round(float(model.intercept_[0]), DIGITS),
    )


def _relevance_rows(examples: Sequence[Example]) -> tuple[list[tuple[float, ...]], list[bool]]:
    known = [e for e in examples if e.relevant is not None]
    return [_analysis(e).relevance_features for e in known], [bool(e.relevant) for e in known]


def _facet_rows(examples: Sequence[Example], facet: str) -> tuple[list[tuple[float, ...]], list[bool]]:
    rows, targets = [], []
    for example in examples:
        if example.relevant is False:
            continue  # tags of an irrelevant notice are never shown
        for candidate in _analysis(example).candidates[facet]:
            truth = example.truth(facet, candidate.label)
            if truth is not None:
                rows.append(candidate.features)
                targets.append(truth)
    return rows, targets


def _inner_folds(count: int) -> list[list[int]]:
    folds = min(INNER_FOLDS, count)
    return [[i for i in range(count) if i % folds == fold] for fold in range(folds)]


def _best(scores: dict[Any, float], preference: Callable[[Any], Any]) -> Any:
    """The setting with the best score; ties go to the most preferred (a threshold nearest 0.5)."""
    return max(scores, key=lambda setting: (round(scores[setting], 9), preference(setting)))


def _fit_relevance(examples: Sequence[Example]) -> dict[str, Any]:
    known = [e for e in examples if e.relevant is not None]
    out_of_fold: list[tuple[float, bool]] = []
    for fold in _inner_folds(len(known)):
        held = set(fold)
        rows, targets = _relevance_rows([e for i, e in enumerate(known) if i not in held])
        logistic = _fit_logistic(rows, targets, RELEVANCE_FEATURES)
        out_of_fold += [
            (logistic.probability(_analysis(known[i]).relevance_features), bool(known[i].relevant)) for i in fold
        ]
    f1: dict[Any, float] = {}
    for threshold in THRESHOLDS:
        counts = Counts()
        for probability, truth in out_of_fold:
            counts.add({"r"} if probability >= threshold else set(), {"r"} if truth else set())
        f1[threshold] = counts.scores()["f1"]
    threshold = _best(f1, lambda t: -abs(t - 0.5))
    rows, targets = _relevance_rows(known)
    logistic = _fit_logistic(rows, targets, RELEVANCE_FEATURES)
    return {**logistic.to_json(), "threshold": threshold, "calibration": _calibration(out_of_fold)}


def _facet_counts(
    examples: Sequence[Example], facet: str, probabilities: Sequence[list[float]], threshold: float, at_least_one: bool
) -> Counts:
    counts = Counts()
    for example, probs in zip(examples, probabilities, strict=True):
        candidates = _analysis(example).candidates[facet]
        chosen = [p >= threshold for p in probs]
        if at_least_one and probs and not any(chosen):
            chosen[max(range(len(probs)), key=probs.__getitem__)] = True
        predicted = {c.label for c, keep in zip(candidates, chosen, strict=True) if keep}
        known = {c.label for c in candidates if example.truth(facet, c.label) is not None}
        if example.complete:
            known |= example.positive.get(facet, set())  # gold labels with no evidence are misses too
        counts.add(predicted & known, {label for label in known if example.truth(facet, label)})
    return counts


def _fit_facet(examples: Sequence[Example], facet: str) -> dict[str, Any]:
    tagged = [e for e in examples if e.relevant is not False]
    out_of_fold: list[list[float]] = [[] for _ in tagged]
    for fold in _inner_folds(len(tagged)):
        held = set(fold)
        rows, targets = _facet_rows([e for i, e in enumerate(tagged) if i not in held], facet)
        logistic = _fit_logistic(rows, targets, LABEL_FEATURES)
        for i in fold:
            out_of_fold[i] = [logistic.probability(c.features) for c in _analysis(tagged[i]).candidates[facet]]
    f1 = {
        (threshold, at_least_one): _facet_counts(tagged, facet, out_of_fold, threshold, at_least_one).scores()["f1"]
        for threshold in THRESHOLDS
        for at_least_one in (False, True)
    }
    threshold, at_least_one = _best(f1, lambda s: (-abs(s[0] - 0.5), not s[1]))
    rows, targets = _facet_rows(tagged, facet)
    logistic = _fit_logistic(rows, targets, LABEL_FEATURES)
    pairs = [
        (p, bool(e.truth(facet, c.label)))
        for e, probs in zip(tagged, out_of_fold, strict=True)
        for c, p in zip(_analysis(e).candidates[facet], probs, strict=True)
        if e.truth(facet, c.label) is not None
    ]
    return {
        **logistic.to_json(),
        "threshold": threshold,
        "at_least_one": at_least_one,
        "suggest": round(threshold / 2, 4),
        "calibration": _calibration(pairs),
    }


def _calibration(pairs: Sequence[tuple[float, bool]]) -> dict[str, Any]:
    """Out-of-fold Brier score and expected calibration error (5 equal-width bins) of the probabilities."""
    if not pairs:
        return {"n": 0}
    brier = sum((p - t) ** 2 for p, t in pairs) / len(pairs)
    bins: dict[int, list[tuple[float, bool]]] = {}
    for p, t in pairs:
        bins.setdefault(min(int(p * 5), 4), []).append((p, t))
    ece = sum(
        len(items) / len(pairs) * abs(sum(p for p, _ in items) / len(items) - sum(t for _, t in items) / len(items))
        for items in bins.values()
    )
    return {"n": len(pairs), "brier": round(brier, 4), "ece": round(ece, 4)}


def fit(examples: Sequence[Example]) -> dict[str, Any]:
    """The model's weights and thresholds (the JSON parts of `relevance` and `facets`)."""
    return {
        "relevance": _fit_relevance(examples),
        "facets": {facet: _fit_facet(examples, facet) for facet in TAGGED_FACETS},
    }


def as_model(fitted: dict[str, Any]) -> TagModel:
    return model_from_json({"format": MODEL_FORMAT, **fitted})


# -- cross-validation ------------------------------------------------------------------------------------


def cross_validate(
    tagger: Tagger,
    records: Sequence[dict[str, Any]],
    folds: int,
    extra: Sequence[Example] = (),
) -> Report:
    """K-fold CV on gold records (fold = position % K): fit on the other folds (and `extra`, the analysts'
    decisions), classify the held-out fold with that model; the pooled report of every held-out notice."""
    examples = gold_examples(records)
    analyse(tagger, [*examples, *extra])
    held_out_order: list[dict[str, Any]] = []
    predictions: list[Any] = []
    for fold in range(folds):
        train = [e for i, e in enumerate(examples) if i % folds != fold]
        fold_tagger = tagger.with_model(as_model(fit([*train, *extra])))
        for i, record in enumerate(records):
            if i % folds == fold:
                held_out_order.append(record)
                predictions.append(fold_tagger.classify(document_from_gold(record)))
    results = iter(predictions)
    return evaluate(held_out_order, lambda _document: next(results))


# -- the model file --------------------------------------------------------------------------------------


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def build_model_file(
    tagger: Tagger,
    gold: Sequence[tuple[Path, Sequence[dict[str, Any]]]],
    store_examples: Sequence[Example] = (),
    store_digest: str = "",
    folds: int = FOLDS,
) -> dict[str, Any]:
    """The whole model file: format, provenance, CV scores on the gold, then the weights fitted on everything."""
    records = [record for _, file_records in gold for record in file_records]
    examples = [*gold_examples(records), *store_examples]
    analyse(tagger, examples)
    cv = cross_validate(tagger, records, folds, store_examples).summary() if len(records) >= folds else {}
    tag_decisions = sum(
        len(e.positive.get(f, ())) + len(e.negative.get(f, ())) for e in store_examples for f in TAGGED_FACETS
    )
    return {
        "format": MODEL_FORMAT,
        "about": "Fitted by `scs train` (classifiers/training.py). Weights apply to standardised features "
        "((x - mean) / scale, clipped to ±3). Do not edit: retrain.",
        "trained_on": {
            "gold": [
                {"file": path.name, "sha256": sha256_file(path), "notices": len(file_records)}
                for path, file_records in gold
            ],
            "store": {
                "notices": len(store_examples),
                "relevance_decisions": sum(e.relevant is not None for e in store_examples),
                "tag_decisions": tag_decisions,
                "sha256": store_digest,
            },
        },
        "settings": {"C": C, "inner_folds": INNER_FOLDS, "thresholds": [THRESHOLDS[0], THRESHOLDS[-1]]},
        "cv": {"folds": folds, "scores": cv},
        **fit(examples),
    }


def dumps(model: dict[str, Any]) -> str:
    """The file's text: fixed key order, one entry a line for reviewing diffs."""
    return json.dumps(copy.deepcopy(model), ensure_ascii=False, indent=1) + "\n"
