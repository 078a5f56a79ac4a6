"""The fitted tag model: reproducible from the gold by `scs train`, and moved by analysts' corrections."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from classifiers.tagmodel import MODEL_PATH, ModelError, load_model
from scs.cli import main


def test_the_shipped_model_is_what_scs_train_makes_of_the_dev_gold(gold_dir: Path, tmp_path: Path) -> None:
    shipped = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    gold = [gold_dir / entry["file"] for entry in shipped["trained_on"]["gold"]]
    out = tmp_path / "model.json"
    db = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    assert main(["--db", db, "train", *map(str, gold), "--out", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == MODEL_PATH.read_text(encoding="utf-8"), (
        "classifiers/data/tag-model.json differs from a retrain on the gold: run "
        "`scs train ../shared/gold/notices-dev.jsonl` and commit the file"
    )


def test_a_model_file_for_other_features_is_refused(tmp_path: Path) -> None:
    data = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    data["relevance"]["features"]["something_new"] = {"coef": 1.0, "mean": 0.0, "scale": 1.0}
    path = tmp_path / "model.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ModelError, match="retrain"):
        load_model(path)
