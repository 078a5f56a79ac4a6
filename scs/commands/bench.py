"""`scs bench [STAGE ...] [--json] [--notices N]`: the pipeline's cost, measured against its own floor.

`scs bench scale [--notices N] [--base B] [--json]` is apart: the analysts' pages on a database of N
notices against the same at B (`scs.bench.scale`).

Speed targets live here, never in timed tests. Each stage is a function in `STAGES` that takes the
parsed arguments and returns a flat dict of measurements. Every stage but `dates` works on a generated
TRS-static site of N notices served by a local mirror (`scs.bench`). `--json` prints one object: the
headline ratios (`TARGETS`) as top-level keys, then each stage's figures under its name, then the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from scs.errors import int_in

Measurements = dict[str, float | int | str]

# Used when ../shared/gold/dates-dev.tsv is absent: (text, reference ISO date or "").
OWN_DATE_STRINGS: tuple[tuple[str, str], ...] = (
    ("2021年03月09日", ""),
    ("2021 年 3 月 9 日", ""),
    ("发布时间：2021-03-09 10:15:00", ""),
    ("發布日期:2021/3/9", ""),
    ("成文日期】二〇二一年三月九日", ""),
    ("时间:2021年03月09日来源:省发展改革委", ""),
    ("【2021.03.09】", ""),
    ("21-03-09 10:15 来源:新华网", ""),
    ("２０２１年３月９日 星期二", ""),
    ("20210309", ""),
    ("2022年元月18号", ""),
    ("Mar 9, 2021", ""),
    ("成文日期: 2021年3月2日 发布日期: 2021年3月5日", ""),
    ("3天前", "2021-03-15"),
    ("4月20日 18:10", "2021-03-15"),
    ("新华社北京3月2日电", "2021-03-15"),
    ("国统字〔2019〕33号", ""),
    ("2019-02-30", ""),
)


def _dev_date_strings() -> tuple[list[tuple[str, str]], str]:
    """The team's dev set when it is beside the checkout, else our own strings; and where they came from."""
    shared = Path(os.environ.get("SCS_SHARED_DIR") or Path(__file__).resolve().parents[2].parent / "shared")
    path = shared / "gold" / "dates-dev.tsv"
    if not path.is_file():
        return list(OWN_DATE_STRINGS), "built-in strings"
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        fields = line.split("\t")
        rows.append((fields[0], fields[2] if len(fields) > 2 else ""))
    return rows, str(path)


_FIRST_CALL_PROBE = """
import json, time
t0 = time.perf_counter()
from pipelines.dates import parse_date_fallback, parse_date_fast
t1 = time.perf_counter()
parse_date_fast("2019年7月25日")
t2 = time.perf_counter()
parse_date_fallback("25 July 2019")
t3 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "fast": t2 - t1, "dateparser": t3 - t2}))
"""


def _per_string_seconds(parse: Callable[[str, Any], object], rows: list[tuple[str, Any]], rounds: int) -> float:
    start = time.perf_counter()
    for _ in range(rounds):
        for text, reference in rows:
            parse(text, reference)
    return (time.perf_counter() - start) / (rounds * len(rows))


def _best_of_interleaved(
    fast: Callable[[str, Any], object], slow: Callable[[str, Any], object], rows: list[tuple[str, Any]], rounds: int
) -> tuple[float, float]:
    """Per-string seconds of each parser: blocks alternate and the best block counts, so that a
    busy machine slows both sides alike instead of skewing the ratio."""
    for text, reference in rows:  # warm-up: caches and lazily loaded data are not what we measure
        fast(text, reference)
        slow(text, reference)
    blocks = 5
    fast_best = min(_per_string_seconds(fast, rows, max(1, rounds // blocks)) for _ in range(blocks))
    slow_best = min(_per_string_seconds(slow, rows, 1) for _ in range(blocks))
    return fast_best, slow_best


def bench_dates(args: argparse.Namespace) -> Measurements:
    """Fast path vs dateparser (our settings) per string on the dev set, and first-call costs."""
    import datetime as dt

    from pipelines.dates import parse_date_fallback, parse_date_fast

    raw_rows, origin = _dev_date_strings()
    rows = [(text, dt.date.fromisoformat(ref) if ref else None) for text, ref in raw_rows]
    probe = subprocess.run([sys.executable, "-c", _FIRST_CALL_PROBE], capture_output=True, text=True, check=True)
    first = json.loads(probe.stdout)
    fast, slow = _best_of_interleaved(parse_date_fast, parse_date_fallback, rows, args.rounds)
    return {
        "dev_set": origin,
        "strings": len(rows),
        "fast_us_per_string": round(fast * 1e6, 2),
        "dateparser_us_per_string": round(slow * 1e6, 2),
        "dates_speedup": round(slow / fast, 1),
        "import_seconds": round(first["import"], 4),
        "fast_first_call_seconds": round(first["fast"], 5),
        "first_call_seconds": round(first["dateparser"], 4),
    }


def _site_stage(name: str) -> Callable[[argparse.Namespace], Measurements]:
    """A stage of `scs.bench.stages`, given the run (generated site, mirror, crawls) shared by all stages."""

    def stage(args: argparse.Namespace) -> Measurements:
        from scs.bench import stages

        measure: Callable[[Any], Measurements] = getattr(stages, f"bench_{name}")
        return measure(args.bench_run)

    stage.__doc__ = f"See scs.bench.stages.bench_{name}."
    return stage


# In the order they run: in-process stages first, then the crawls (child processes; the mirror in this one).
STAGES: dict[str, Callable[[argparse.Namespace], Measurements]] = {
    "dates": bench_dates,
    "tagging": _site_stage("tagging"),
    "store": _site_stage("store"),
    "crawl": _site_stage("crawl"),
    "memory": _site_stage("memory"),
    "attachments": _site_stage("attachments"),
    "startup": _site_stage("startup"),
}
# The headline figures: top-level keys of the JSON object, with their targets (README, docs/benchmarks.md).
TARGETS: dict[str, tuple[str, float]] = {
    "crawl_ratio": ("<=", 2.0),
    "tagging_ratio": ("<=", 1.0),
    "dates_speedup": (">=", 50.0),
    "memory_growth": ("<=", 1.2),
    "attachments_memory_growth": ("<=", 1.2),  # the memory target, on a crawl that reads an attachment per notice
    "startup_s": ("<=", 3.0),
}
DEFAULT_NOTICES = 2000
SCALE = "scale"  # run alone: `scs bench scale`
SCALE_DEFAULTS = {"notices": 100_000, "base": 10_000, "json_limit": 100_000}


def _stage_name(value: str) -> str:
    if value not in STAGES and value != SCALE:
        raise argparse.ArgumentTypeError(f"unknown stage {value!r} (choose from {', '.join([*STAGES, SCALE])})")
    return value


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "bench", help="measure the pipeline against its own floor (crawl, tagging, dates, store, memory, startup)"
    )
    parser.add_argument(
        "stages",
        nargs="*",
        type=_stage_name,
        metavar="STAGE",
        help=f"stages to run (default: all of {', '.join(STAGES)}); or `{SCALE}` alone",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of lines")
    parser.add_argument(
        "--notices",
        type=int_in(1, 100_000_000),
        metavar="N",
        help=f"notices on the generated site (default {DEFAULT_NOTICES}; the memory stage also crawls 5·N);"
        f" `{SCALE}`: notices in the database (default {SCALE_DEFAULTS['notices']})",
    )
    parser.add_argument(
        "--base",
        type=int_in(1, 100_000_000),
        default=SCALE_DEFAULTS["base"],
        metavar="B",
        help=f"`{SCALE}`: notices generated and stored before copying, the size growth is measured from"
        f" (default {SCALE_DEFAULTS['base']})",
    )
    parser.add_argument(
        "--existing",
        action="store_true",
        help=f"`{SCALE}`: measure the database given by `scs --db URL` as it is (built by an earlier run), no growth",
    )
    parser.add_argument(
        "--json-limit",
        type=int_in(0, 100_000_000),
        default=SCALE_DEFAULTS["json_limit"],
        metavar="M",
        help=f"`{SCALE}`: notices written by the timed `scs notices --json`"
        f" (0: all; default {SCALE_DEFAULTS['json_limit']})",
    )
    parser.add_argument(
        "--rounds",
        type=int_in(1, 10_000_000),
        default=300,
        help="timed passes over the fast path's inputs (default 300)",
    )
    parser.set_defaults(run=run)


def machine() -> dict[str, str]:
    """What the figures were measured on."""
    import platform
    from importlib.metadata import version

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "python": platform.python_version(),
        "scrapy": version("scrapy"),
        "jieba": version("jieba"),
        # Other work on the machine slows the wall-clock figures (not the CPU ones): say how busy it was.
        "load_average": " ".join(f"{load:.2f}" for load in os.getloadavg()),
    }


def run_scale(args: argparse.Namespace) -> int:
    from scs.bench.scale import FIGURES, run_scale

    notices = args.notices or SCALE_DEFAULTS["notices"]
    if args.base < 20 or notices < args.base:
        print("scs bench scale: --base must be at least 20 and --notices at least --base", file=sys.stderr)
        return 2

    def progress(message: str) -> None:
        print(f"[scale] {message}", file=sys.stderr, flush=True)

    if args.existing:
        if not args.db:
            print("scs bench scale --existing: give the database with `scs --db URL`", file=sys.stderr)
            return 2
        from scs.bench.scale import measure_existing

        report = measure_existing(args.db, args.json_limit, progress)
    else:
        report = run_scale(notices, args.base, args.db, args.json_limit, progress)
    report["machine"] = machine()
    if args.json or args.existing:
        print(json.dumps(report, ensure_ascii=False))
        return 0
    print(f"scale: {report['database']}, {report['base_notices']} -> {report['notices']} notices")
    for key in FIGURES:
        at_base, at_n = report["at_base"][key], report["at_n"][key]
        print(
            f"  {key}: {_shown(at_base)} at {report['base_notices']}, {_shown(at_n)} at {report['notices']}"
            f" (growth {_shown(report['growth'][key])})"
        )
    print(f"  publish_incremental_s: {report['publish_incremental_note']}")
    print(f"  recrawl on an empty database: {_shown(report['recrawl_empty_database_s'])} s")
    for size in ("at_base", "at_n"):
        print(f"  {size}: " + ", ".join(f"{k} {_shown(v)}" for k, v in report[size]["details"].items()))
    print("machine: " + ", ".join(f"{key} {value}" for key, value in report["machine"].items()))
    return 0


def _shown(value: Any) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def run(args: argparse.Namespace) -> int:
    if SCALE in args.stages:
        if len(set(args.stages)) > 1:
            print(f"scs bench: `{SCALE}` runs alone", file=sys.stderr)
            return 2
        return run_scale(args)
    args.notices = args.notices or DEFAULT_NOTICES
    if args.rounds < 1 or args.notices < 20:
        print("scs bench: --rounds must be at least 1 and --notices at least 20", file=sys.stderr)
        return 2
    stages = list(dict.fromkeys(args.stages)) or list(STAGES)
    stages.sort(key=list(STAGES).index)
    from scs.bench.stages import BenchRun

    args.bench_run = BenchRun(args.notices, site_notices=(5 if "memory" in stages else 1) * args.notices)
    figures: dict[str, Any] = {}
    try:
        for stage in stages:
            if not args.json:
                print(f"[{stage}] ...", file=sys.stderr, flush=True)
            figures[stage] = STAGES[stage](args)
    finally:
        args.bench_run.close()
    headline = {key: value[key] for value in figures.values() for key in TARGETS if key in value}
    report = {**headline, "notices": args.notices, **figures, "machine": machine()}
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
        return 0
    for stage, measurements in figures.items():
        print(f"{stage}:")
        for name, value in measurements.items():
            print(f"  {name}: {value}")
    print("targets:")
    for key, value in headline.items():
        relation, target = TARGETS[key]
        met = value <= target if relation == "<=" else value >= target
        print(f"  {key} = {value} (target {relation} {target}): {'met' if met else 'MISSED'}")
    print("machine: " + ", ".join(f"{key} {value}" for key, value in machine().items()))
    return 0
