"""Quality gate: the classifiers' scores on the gold dev set must not drop below the pinned floors."""

from __future__ import annotations

import json
from pathlib import Path

from classifiers.evaluation import evaluate, read_gold

BASELINE = Path(__file__).resolve().parents[1] / "classifiers" / "baseline.json"


def test_scores_on_the_dev_set_stay_above_the_baseline(gold_dir: Path) -> None:
    baseline = json.loads(BASELINE.read_text(encoding="utf-8"))
    summary = evaluate(read_gold(gold_dir / baseline["gold"])).summary()
    below = [
        f"{facet}.{metric}: {summary[facet][metric]:.4f} < floor {floor}"
        for facet, floors in baseline["floors"].items()
        for metric, floor in floors.items()
        if summary[facet][metric] < floor
    ]
    assert not below, "quality dropped below the baseline:\n" + "\n".join(below)
