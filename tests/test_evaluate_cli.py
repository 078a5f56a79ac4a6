"""`scs evaluate`: the report and its JSON shape, on a small gold file we wrote."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scs.cli import main

OWN_GOLD = [
    {
        "id": "t1",
        "title": "某市市场监督管理局关于公布严重违法失信名单的公告",
        "publisher": "温州市市场监督管理局",
        "text": "依据有关规定，将下列企业列入严重违法失信名单，并通过国家企业信用信息公示系统向社会公示。",
        "relevant": True,
        "scs_types": ["blacklist", "credit-information"],
        "industries": ["market-regulation"],
        "locations": ["330300"],
    },
    {
        "id": "t2",
        "title": "关于2025年元旦放假安排的通知",
        "publisher": "某县人民政府办公室",
        "text": "元旦放假1天，1月1日放假。各单位要做好值班安排。",
        "relevant": False,
        "scs_types": [],
        "industries": [],
        "locations": ["330382"],
    },
]


def write_gold(path: Path, records: list[dict[str, object]]) -> Path:
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n", encoding="utf-8")
    return path


def test_json_output_has_the_agreed_shape(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    gold = write_gold(tmp_path / "gold.jsonl", OWN_GOLD)
    assert main(["evaluate", str(gold), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["n"] == 2
    assert set(report) == {"n", "relevance", "scs_types", "industries", "locations"}
    for facet in ("relevance", "scs_types", "industries"):
        assert set(report[facet]) == {"precision", "recall", "f1"}
    assert set(report["locations"]) == {"f1", "exact", "province"}
    assert report["relevance"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0}
    # t2's issuer is an unnamed county: its location is missed, so exactly one of two is right
    assert report["locations"]["exact"] == 0.5


def test_text_report_lists_facets_and_labels(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    gold = write_gold(tmp_path / "gold.jsonl", OWN_GOLD)
    assert main(["evaluate", str(gold)]) == 0
    out = capsys.readouterr().out
    assert "scs_types (micro)" in out and "  blacklist" in out and "locations" in out


def test_province_score_maps_cities_to_provinces(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    record = dict(OWN_GOLD[0], locations=["330000"])  # gold says province; we tag the city
    gold = write_gold(tmp_path / "gold.jsonl", [record])
    assert main(["evaluate", str(gold), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["locations"]["exact"] == 0.0
    assert report["locations"]["province"] == 1.0


def test_bad_gold_file_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x", "relevant": true}\nnot json\n', encoding="utf-8")
    assert main(["evaluate", str(bad)]) == 2
    assert "bad.jsonl:2" in capsys.readouterr().err
    assert main(["evaluate", str(tmp_path / "missing.jsonl")]) == 2


def test_subset_selects_one_half_by_id(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    records = [dict(OWN_GOLD[0], id="x2"), dict(OWN_GOLD[1], id="x3"), dict(OWN_GOLD[1], id="x5")]
    gold = write_gold(tmp_path / "gold.jsonl", records)
    assert main(["evaluate", str(gold), "--json", "--subset", "odd"]) == 0
    assert json.loads(capsys.readouterr().out)["n"] == 2


def test_fold_selects_every_kth_record_by_position(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    records = [dict(OWN_GOLD[0], id=f"x{i}") for i in range(5)] + [dict(OWN_GOLD[1], id="x5")]
    gold = write_gold(tmp_path / "gold.jsonl", records)
    assert main(["evaluate", str(gold), "--json", "--fold", "1/4"]) == 0  # positions 0 and 4
    assert json.loads(capsys.readouterr().out)["n"] == 2
    assert main(["evaluate", str(gold), "--json", "--fold", "2/4"]) == 0  # positions 1 and 5
    report = json.loads(capsys.readouterr().out)
    assert report["n"] == 2 and report["relevance"]["f1"] == 1.0
    with pytest.raises(SystemExit):
        main(["evaluate", str(gold), "--fold", "5/4"])


def test_cv_reports_cross_validated_scores_beside_the_shipped_ones(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gold = write_gold(tmp_path / "gold.jsonl", [dict(OWN_GOLD[i % 2], id=f"x{i}") for i in range(6)])
    assert main(["evaluate", str(gold), "--json", "--cv", "3"]) == 0
    report = json.loads(capsys.readouterr().out)
    # the keys of `scs evaluate --json` stay; the CV scores come beside them
    assert set(report) == {"n", "relevance", "scs_types", "industries", "locations", "cv"}
    assert report["cv"]["folds"] == 3 and report["cv"]["n"] == 6
    assert set(report["cv"]) == {"folds", "n", "relevance", "scs_types", "industries", "locations"}
    assert main(["evaluate", str(gold), "--cv", "3"]) == 0
    out = capsys.readouterr().out
    assert "3-fold cross-validation" in out and "cv P" in out and "  blacklist" in out
    assert main(["evaluate", str(gold), "--cv", "7"]) == 2  # more folds than notices
