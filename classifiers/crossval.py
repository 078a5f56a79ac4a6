"""K-fold check of the scs_types thresholds: tune on k-1 folds, score the held-out fold.

The lexicons' weights and rules are written from the taxonomy, but the facet's
threshold and relative shares are numbers one could fit to the dev set. This
picks them on the training folds only (from a small grid around the shipped
values) and scores each held-out fold with what was picked, so the pooled
held-out score says how the thresholds do on notices they were not chosen on.

    python -m classifiers.crossval GOLD.jsonl [--folds 4]
"""

from __future__ import annotations

import argparse
import copy
import itertools
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from classifiers.engine import Tagger
from classifiers.evaluation import Counts, document_from_gold, read_gold
from classifiers.lexicon import LEXICON_DIR, load_lexicons, parse_facet
from classifiers.locations import default_resolver

GRID: dict[str, tuple[float, ...]] = {
    "threshold": (3.0, 4.0, 5.0),
    "relative": (0.15, 0.2, 0.25, 0.3, 0.35),
    "credit_information_threshold": (4.0, 5.0, 6.0),
}


@dataclass(frozen=True)
class Setting:
    threshold: float
    relative: float
    credit_information_threshold: float

    def apply(self, scs_types: dict[str, Any]) -> dict[str, Any]:
        data = copy.deepcopy(scs_types)
        data["scope"]["threshold"] = self.threshold
        data["scope"]["relative"] = self.relative
        data["x_labels"].setdefault("credit-information", {})["threshold"] = self.credit_information_threshold
        return data


def fold_of(position: int, folds: int) -> int:
    """Folds by position in the file (0-based), so every fold mixes sources and mechanisms."""
    return position % folds


def shipped_setting(scs_types: dict[str, Any]) -> Setting:
    return Setting(
        float(scs_types["scope"]["threshold"]),
        float(scs_types["scope"]["relative"]),
        float(scs_types["x_labels"]["credit-information"]["threshold"]),
    )


def grid() -> Iterator[Setting]:
    for values in itertools.product(*GRID.values()):
        yield Setting(*values)


def predictions(tagger: Tagger, records: Sequence[dict[str, Any]], scs_types: dict[str, Any]) -> list[set[str]]:
    """The scs_types each record gets with these settings (terms are unchanged, so one tagger serves all)."""
    tagger.lexicons.facets["scs_types"] = parse_facet(scs_types)
    return [{tag.value for tag in tagger.classify(document_from_gold(r)).tags["scs_types"]} for r in records]


def counts(records: Sequence[dict[str, Any]], predicted: Sequence[set[str]], positions: Sequence[int]) -> Counts:
    total = Counts()
    for position in positions:
        total.add(predicted[position], set(records[position].get("scs_types", ())))
    return total


def cross_validate(records: Sequence[dict[str, Any]], folds: int) -> dict[str, Any]:
    base = json.loads((LEXICON_DIR / "scs_types.json").read_text(encoding="utf-8"))
    shipped = shipped_setting(base)
    settings = list(dict.fromkeys([shipped, *grid()]))
    tagger = Tagger(load_lexicons(), default_resolver())
    predicted = {setting: predictions(tagger, records, setting.apply(base)) for setting in settings}
    pooled, pooled_shipped = Counts(), Counts()
    report: list[dict[str, Any]] = []
    for fold in range(folds):
        train = [p for p in range(len(records)) if fold_of(p, folds) != fold]
        held_out = [p for p in range(len(records)) if fold_of(p, folds) == fold]
        # best training F1; ties go to the shipped setting, then to the first in the grid
        chosen = max(
            settings,
            key=lambda s: (counts(records, predicted[s], train).scores()["f1"], s == shipped),
        )
        held = counts(records, predicted[chosen], held_out)
        held_shipped = counts(records, predicted[shipped], held_out)
        for total, part in ((pooled, held), (pooled_shipped, held_shipped)):
            total.tp += part.tp
            total.fp += part.fp
            total.fn += part.fn
        report.append(
            {
                "fold": fold + 1,
                "n": len(held_out),
                "chosen": chosen.__dict__,
                "held_out_f1": held.scores()["f1"],
                "shipped_held_out_f1": held_shipped.scores()["f1"],
            }
        )
    return {
        "folds": report,
        "pooled_held_out": pooled.scores(),
        "shipped_pooled": pooled_shipped.scores(),
        "shipped": shipped.__dict__,
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("gold", type=Path)
    parser.add_argument("--folds", type=int, default=4)
    args = parser.parse_args(argv)
    records = read_gold(args.gold)
    print(json.dumps(cross_validate(records, args.folds), ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
