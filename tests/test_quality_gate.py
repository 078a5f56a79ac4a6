"""Quality gate: the classifiers' cross-validated scores on the gold dev set must not drop below the pinned
floors, and the shipped model must not fit the dev set much better than it generalises.

The floors are on K-fold CV (`scs evaluate --cv K`: each fold tagged by a model fitted on the others), not
on the shipped model's score on the notices it was fitted on. Locations come from the gazetteer, not from
the fitted model, so their score is the same either way.
"""

from __future__ import annotations

import json
from pathlib import Path

from classifiers.engine import default_tagger
from classifiers.evaluation import evaluate, read_gold
from classifiers.training import cross_validate

BASELINE = Path(__file__).resolve().parents[1] / "classifiers" / "baseline.json"


def test_cross_validated_scores_stay_above_the_baseline_and_near_the_dev_fit(gold_dir: Path) -> None:
    baseline = json.loads(BASELINE.read_text(encoding="utf-8"))
    records = read_gold(gold_dir / baseline["gold"])
    cv = cross_validate(default_tagger(), records, baseline["folds"]).summary()
    below = [
        f"{facet}.{metric}: CV {cv[facet][metric]:.4f} < floor {floor}"
        for facet, floors in baseline["cv_floors"].items()
        for metric, floor in floors.items()
        if cv[facet][metric] < floor
    ]
    assert not below, "quality dropped below the baseline:\n" + "\n".join(below)
    dev = evaluate(records).summary()
    gaps = [
        f"{facet}: dev F1 {dev[facet]['f1']:.4f} vs CV F1 {cv[facet]['f1']:.4f}"
        for facet in ("relevance", "scs_types", "industries")
        if dev[facet]["f1"] - cv[facet]["f1"] > baseline["max_fit_gap"]
    ]
    assert not gaps, "the shipped model fits the dev set far better than it generalises:\n" + "\n".join(gaps)
