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


# A small gold file of our own wording (SYNTHETIC notices), so the test needs no shared data.
OWN_GOLD = [
    ("关于公布严重失信主体名单的公告", "将下列企业列入严重失信主体名单，信息在信用信息共享平台公示。", ["blacklist"]),
    ("关于做好信用修复工作的通知", "失信主体可申请信用修复，修复后停止公示失信信息。", ["credit-repair"]),
    ("关于开展信用评价工作的通知", "对企业开展信用评价，评价结果分为A、B、C、D四个信用等级。", ["credit-rating"]),
    ("关于推行信用承诺制的通知", "申请人签署信用承诺书，违背承诺的记入信用记录。", ["credit-commitment"]),
    ("某市社会信用体系建设规划", "推进社会信用体系建设，建立信用信息共享平台，归集公共信用信息。", ["system-building"]),
    ("关于加强信用信息共享平台建设的通知", "完善信用信息平台，归集信用信息。", ["credit-information"]),
    ("关于实施失信联合惩戒的合作备忘录", "各部门对失信主体实施联合惩戒，签署合作备忘录。", ["joint-enforcement"]),
    ("关于公布失信被执行人名单的公告", "本院将下列被执行人纳入失信被执行人名单，限制高消费。", ["court-defaulters"]),
]
CORRECTED = ("关于规范信用信息公示的通知", "行政处罚信息在信用信息共享平台公示，信用信息归集后共享，信用记录依法查询。")


def own_gold(path: Path) -> Path:
    records = [
        {"id": f"s{i}", "title": title, "text": text, "relevant": True, "scs_types": labels, "industries": []}
        for i, (title, text, labels) in enumerate(OWN_GOLD)
    ]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def test_analysts_corrections_change_the_next_model(db_url: str, tmp_path: Path) -> None:
    import datetime as dt

    from classifiers import Document
    from classifiers.engine import default_tagger
    from store.db import Store
    from store.models import Notice, Tag

    gold = own_gold(tmp_path / "gold.jsonl")
    before, after = tmp_path / "before.json", tmp_path / "after.json"
    assert main(["--db", db_url, "train", str(gold), "--folds", "2", "--out", str(before)]) == 0
    store = Store(db_url)
    with store.session() as session:
        for number in range(3):  # three notices on which analysts removed credit-information
            notice = Notice(
                source="ownsource",
                url=f"https://example.gov.cn/xxgk/{number}.html",
                title=CORRECTED[0],
                body=CORRECTED[1] * (number + 1),
                content_hash=str(number) * 64,
                fetched_at=dt.datetime(2025, 1, 2, tzinfo=dt.UTC),
                relevant_auto=True,
                relevance_score=9.0,
                relevant_analyst=True,
            )
            notice.tags = [Tag(facet="scs_types", value="credit-information", origin="analyst", present=False)]
            session.add(notice)
    store.dispose()
    assert main(["--db", db_url, "train", str(gold), "--from-store", "--folds", "2", "--out", str(after)]) == 0

    old, new = load_model(before), load_model(after)
    assert new.data["trained_on"]["store"] | {"sha256": ""} == {
        "notices": 3,
        "relevance_decisions": 3,
        "tag_decisions": 3,
        "sha256": "",
    }
    assert new.data["trained_on"]["store"]["sha256"]
    analysis = default_tagger().analyse(Document(title=CORRECTED[0], text=CORRECTED[1]))
    candidate = next(c for c in analysis.candidates["scs_types"] if c.label == "credit-information")
    # the label the analysts removed is now less likely on such a notice
    assert new.facets["scs_types"].probability(candidate.features) < old.facets["scs_types"].probability(
        candidate.features
    )
    # and the same inputs give the same file
    again = tmp_path / "again.json"
    assert main(["--db", db_url, "train", str(gold), "--from-store", "--folds", "2", "--out", str(again)]) == 0
    assert again.read_bytes() == after.read_bytes()


def test_confidence_is_stored_and_a_suggestion_is_no_tag(db_url: str) -> None:
    import datetime as dt

    from classifiers.model import Classification, Evidence, TagResult
    from pipelines.tagging import Tagging
    from store.db import Store
    from store.models import Notice, Tag
    from store.repository import effective_tags, notice_to_dict, reclassify_notice

    evidence = [Evidence("失信名单", "title", 0, 4, "lexicon:scs_types/blacklist:失信名单 w=3 ×title")]
    classification = Classification(
        relevant=True,
        relevance_score=9.0,
        relevance_evidence=evidence,
        tags={"scs_types": [TagResult("blacklist", 9.0, evidence, 0.91)], "industries": [], "locations": []},
        terms=[],
        relevance_confidence=0.99,
        suggestions={"scs_types": [TagResult("joint-enforcement", 2.0, evidence, 0.18)], "industries": []},
    )
    store = Store(db_url)
    with store.session() as session:
        notice = Notice(
            source="ownsource",
            url="https://example.gov.cn/xyjs/9.html",
            title="失信名单管理办法",
            body="正文",
            content_hash="9" * 64,
            fetched_at=dt.datetime(2025, 1, 2, tzinfo=dt.UTC),
        )
        notice.tags = [Tag(facet="scs_types", value="redlist", origin="analyst", set_by="ana")]
        session.add(notice)
        session.flush()
        reclassify_notice(session, notice, Tagging(classification, "", ""))
    with store.session() as session:
        notice = session.query(Notice).one()
        rows = {(t.value, t.origin, t.present, t.confidence) for t in notice.tags}
        assert rows == {
            ("blacklist", "auto", True, 0.91),
            ("joint-enforcement", "auto", False, 0.18),
            ("redlist", "analyst", True, None),
        }
        assert effective_tags(notice)["scs_types"] == ["blacklist", "redlist"]
        assert set(notice_to_dict(notice)["evidence"]["scs_types"]) == {"blacklist"}
    store.dispose()
