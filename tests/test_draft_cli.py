"""`scs draft`: drafts in the gold format, and the acceptance scores on the dev headlines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scs.cli import main


def test_draft_prints_one_json_object_per_notice(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    notices = tmp_path / "notices.jsonl"
    records = [
        {
            "id": "a",
            "title": "深圳市人民政府关于印发《深圳市公共信用信息管理办法》的通知",
            "publisher": "深圳市人民政府",
            "text": "深圳市公共信用信息管理办法。失信联合惩戒。",
        },
        {"id": "b", "title": "无关的通知", "publisher": "", "text": "", "relevant": False},
    ]
    notices.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n", encoding="utf-8")
    assert main(["draft", str(notices), "--json"]) == 0
    drafts = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [draft["id"] for draft in drafts] == ["a"]  # notices marked not relevant get no draft
    assert set(drafts[0]) == {"id", "event", "place", "actor", "headline", "summary"}
    assert drafts[0]["event"] == "issue"
    assert drafts[0]["place"] == "Shenzhen, Guangdong"
    assert drafts[0]["actor"] == "Shenzhen Municipal Government"
    assert drafts[0]["headline"].startswith("Shenzhen, Guangdong issues measures")


def test_draft_rejects_a_file_that_is_not_json_lines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a"}\nnot json\n', encoding="utf-8")
    assert main(["draft", str(bad)]) == 2
    assert "bad.jsonl:2: not JSON" in capsys.readouterr().out


def test_dev_scores_meet_the_acceptance_thresholds(gold_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    notices, headlines = gold_dir / "notices-dev.jsonl", gold_dir / "headlines-dev.jsonl"
    if not headlines.exists():
        pytest.skip(f"no reference headlines at {headlines}")
    assert main(["draft", str(notices), "--score", str(headlines), "--json"]) == 0
    scores = json.loads(capsys.readouterr().out)
    assert scores["notices"] == sum(1 for line in headlines.read_text(encoding="utf-8").splitlines() if line.strip())
    assert scores["event_accuracy"] >= 0.90
    assert scores["place_accuracy"] >= 0.95
    assert scores["chinese_share"] == 0
    assert scores["disagreement_share"] == 0
    assert 0 < scores["chrf"] <= 100


def test_readme_examples_are_the_commands_output(capsys: pytest.CaptureFixture[str]) -> None:
    repo = Path(__file__).resolve().parents[1]
    examples = repo / "docs" / "draft-examples.jsonl"
    assert main(["draft", str(examples), "--json"]) == 0
    drafts = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    titles = {json.loads(line)["id"]: json.loads(line)["title"] for line in examples.read_text("utf-8").splitlines()}
    readme = (repo / "README.md").read_text(encoding="utf-8")
    assert len({draft["event"] for draft in drafts}) == 9  # every event type is shown
    for draft in drafts:
        row = f"| {titles[draft['id']]} | {draft['event']} | **{draft['headline']}**<br>{draft['summary']} |"
        assert row in readme, f"README row for {draft['id']} differs from `scs draft` output"
