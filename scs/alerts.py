"""Alarm notifications: a JSON POST to `$SCS_ALERT_WEBHOOK` when a run ends with a source in alarm.

Cron already mails whatever `scs crawl` prints when it exits non-zero; the webhook is for
chat rooms and incident tools. A notification that cannot be delivered is reported on
stderr and never changes the run's outcome.
"""

from __future__ import annotations

import json
import os
import sys
import urllib.request
from collections.abc import Sequence
from typing import Any

WEBHOOK_ENV = "SCS_ALERT_WEBHOOK"


def alarm_payload(run_id: int, command: str, summaries: Sequence[Any]) -> dict[str, Any]:
    """The JSON body: the run, and per source in alarm its status and reasons."""
    alarms = [
        {"source": s.source, "status": s.status, "reasons": list(s.reasons), "errors": dict(s.errors)}
        for s in summaries
        if s.failed
    ]
    return {
        "event": "scs-crawl-alarm",
        "run_id": run_id,
        "command": command,
        "alarms": alarms,
        "text": f"scs {command} run {run_id}: " + "; ".join(f"{a['source']} {a['status']}" for a in alarms),
    }


def post_json(url: str, payload: dict[str, Any], timeout: float = 10.0) -> int:
    request = urllib.request.Request(
        url,
        data=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
        headers={"Content-Type": "application/json; charset=utf-8", "User-Agent": "scs-tracker-alerts"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return int(response.status)


def alert_on_alarms(run_id: int, command: str, summaries: Sequence[Any], webhook: str | None = None) -> bool:
    """POST the alarms of this run to the webhook (argument, else $SCS_ALERT_WEBHOOK); True if one was sent."""
    url = webhook or os.environ.get(WEBHOOK_ENV, "")
    if not url or not any(s.failed for s in summaries):
        return False
    try:
        post_json(url, alarm_payload(run_id, command, summaries))
    except OSError as error:  # URLError and HTTPError are OSErrors
        print(f"scs: could not deliver the alarm to {WEBHOOK_ENV} ({error})", file=sys.stderr)
        return False
    return True
