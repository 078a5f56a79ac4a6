"""Tagging cost against a plain `jieba.lcut` of the same text: `python -m classifiers.benchmark [GOLD.jsonl]`.

The target (issue 4): tagging a notice, terms and all facets, costs no more than segmenting its body
with jieba. Speed targets live here, never in timed tests. Without a gold file, a few notices we wrote
are repeated to a realistic body length.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from classifiers.model import Document

OWN_NOTICES = (
    Document(
        title="关于印发某市公共信用信息管理办法的通知",
        text="为加强公共信用信息管理，推进社会信用体系建设，根据有关规定，制定本办法。"
        "公共信用信息包括统一社会信用代码、行政许可、行政处罚、失信被执行人名单等信息。" * 20,
        publisher="某市人民政府办公室",
    ),
    Document(
        title="关于人民路实施临时交通管制的通告",
        text="因施工需要，人民路自3月1日起封闭施工，禁止机动车通行，请过往车辆绕行。" * 25,
        publisher="某市公安局交通警察支队",
    ),
)


def _best_per_item(function: Callable[[Any], object], items: list[Any], rounds: int) -> float:
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        for item in items:
            function(item)
        best = min(best, (time.perf_counter() - start) / len(items))
    return best


def measure(documents: list[Document], rounds: int = 5) -> dict[str, float]:
    """Seconds per notice: `classify` vs `jieba.lcut` of title and body (our own Tokenizer, both warmed up)."""
    import jieba

    from classifiers import classify

    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    classify(documents[0])  # load lexicons, automata and our tokenizer once
    classify_seconds = _best_per_item(classify, documents, rounds)
    lcut_seconds = _best_per_item(lambda d: tokenizer.lcut(d.title + "\n" + d.text), documents, rounds)
    return {
        "notices": len(documents),
        "classify_ms": round(classify_seconds * 1000, 3),
        "jieba_lcut_ms": round(lcut_seconds * 1000, 3),
        "ratio": round(classify_seconds / lcut_seconds, 3),
    }


def main(argv: list[str]) -> int:
    if argv:
        from classifiers.evaluation import document_from_gold, read_gold

        documents = [document_from_gold(record) for record in read_gold(Path(argv[0]))]
    else:
        documents = list(OWN_NOTICES)
    print(json.dumps(measure(documents)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
