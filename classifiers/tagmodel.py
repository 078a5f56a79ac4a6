"""The fitted tag model: logistic weights per facet, read from a JSON file written by `scs train`.

Applying it needs no scikit-learn: a probability is a dot product and a sigmoid, so tagging stays as fast
as the lexicon pass. The file is reviewable (feature names beside their weights) and records the data it
was fitted on and its cross-validated scores (`classifiers.training`).
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

MODEL_FORMAT = "scs-tag-model/1"
MODEL_PATH = Path(__file__).with_name("data") / "tag-model.json"
# Standardised features are clipped to this many standard deviations, in fitting and in applying: a very
# long regulation (hundreds of sentences) must not push a probability past anything seen in training.
CLIP = 3.0


class ModelError(ValueError):
    """A model file that cannot be used (wrong format, features the code does not compute)."""


@dataclass(frozen=True)
class Logistic:
    """p = sigmoid(intercept + sum(coef * clip((x - mean) / scale, ±CLIP)))."""

    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float

    def probability(self, values: Sequence[float]) -> float:
        z = self.intercept
        for value, mean, scale, coef in zip(values, self.mean, self.scale, self.coef, strict=True):
            z += coef * max(-CLIP, min(CLIP, (value - mean) / scale))
        if z < -30.0:
            return 0.0
        return 1.0 / (1.0 + math.exp(-z))

    def to_json(self) -> dict[str, Any]:
        return {
            "features": {
                name: {"coef": coef, "mean": mean, "scale": scale}
                for name, coef, mean, scale in zip(self.features, self.coef, self.mean, self.scale, strict=True)
            },
            "intercept": self.intercept,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any], expected: Sequence[str]) -> Logistic:
        features = tuple(data["features"])
        if features != tuple(expected):
            raise ModelError(f"model features {list(features)} differ from the code's {list(expected)}: retrain")
        rows = [data["features"][name] for name in features]
        return cls(
            features,
            tuple(float(row["mean"]) for row in rows),
            tuple(float(row["scale"]) for row in rows),
            tuple(float(row["coef"]) for row in rows),
            float(data["intercept"]),
        )


@dataclass(frozen=True)
class RelevanceModel:
    logistic: Logistic
    threshold: float

    def probability(self, values: Sequence[float]) -> float:
        return self.logistic.probability(values)


@dataclass(frozen=True)
class FacetModel:
    """Tags the candidates at or above `threshold`; with `at_least_one`, the likeliest one at least (a relevant
    notice has a mechanism); candidates from `suggest` up are shown to analysts as suggestions."""

    logistic: Logistic
    threshold: float
    suggest: float
    at_least_one: bool

    def probability(self, values: Sequence[float]) -> float:
        return self.logistic.probability(values)

    def decide(self, probabilities: Sequence[float]) -> list[bool]:
        chosen = [p >= self.threshold for p in probabilities]
        if self.at_least_one and probabilities and not any(chosen):
            chosen[max(range(len(probabilities)), key=probabilities.__getitem__)] = True
        return chosen


@dataclass(frozen=True)
class TagModel:
    relevance: RelevanceModel
    facets: dict[str, FacetModel]
    data: dict[str, Any]  # the whole file: provenance and CV scores included


def model_from_json(data: dict[str, Any]) -> TagModel:
    from classifiers.engine import LABEL_FEATURES, RELEVANCE_FEATURES, TAGGED_FACETS

    if data.get("format") != MODEL_FORMAT:
        raise ModelError(f"not a {MODEL_FORMAT} file: format {data.get('format')!r}")
    relevance = data["relevance"]
    facets = {
        facet: FacetModel(
            Logistic.from_json(data["facets"][facet], LABEL_FEATURES),
            float(data["facets"][facet]["threshold"]),
            float(data["facets"][facet]["suggest"]),
            bool(data["facets"][facet]["at_least_one"]),
        )
        for facet in TAGGED_FACETS
    }
    return TagModel(
        RelevanceModel(Logistic.from_json(relevance, RELEVANCE_FEATURES), float(relevance["threshold"])),
        facets,
        data,
    )


def load_model(path: Path) -> TagModel:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise ModelError(f"{path}: {error}") from error
    try:
        return model_from_json(data)
    except (KeyError, TypeError) as error:
        raise ModelError(f"{path}: missing or malformed {error}") from error


@cache
def default_model() -> TagModel:
    """The shipped model, or the file `SCS_TAG_MODEL` names."""
    import os

    return load_model(Path(os.environ.get("SCS_TAG_MODEL") or MODEL_PATH))
