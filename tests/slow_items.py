"""An item that keeps the pipeline worker busy: unpickling it there takes `seconds` (a stuck item, made on purpose)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from crawler.items import FailedPage


@dataclass
class SlowPage(FailedPage):
    seconds: float = 0.0

    def __setstate__(self, state: dict[str, Any]) -> None:
        time.sleep(state["seconds"])
        self.__dict__.update(state)
