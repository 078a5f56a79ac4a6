"""One error path for every command: expected failures become one line on stderr and a documented exit code.

| code | meaning |
| ---- | ------- |
| 0    | done |
| 1    | done, and something needs a look (a source in alarm, a notice not stored, a broken source file skipped) |
| 2    | bad command line or bad input (an option out of range, a malformed file, a bad database URL) |
| 69   | the database server cannot be reached |
| 74   | a file or the database cannot be read or written (read-only, corrupt, full disk, permission) |
| 75   | another run holds the lock on this database (`scs.runlock`) |
| 130  | interrupted (Ctrl-C) |

Anything else is a bug: it keeps its traceback.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable
from typing import Any

EXIT_ALARM = 1
EXIT_USAGE = 2
EXIT_UNAVAILABLE = 69
EXIT_IO = 74
EXIT_INTERRUPTED = 130
MAX_LIMIT = 1_000_000_000  # the largest --limit a command takes (0 means no limit)


class CommandError(Exception):
    """An expected failure a command reports itself: `message` on stderr, exit `code`."""

    def __init__(self, message: str, code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.code = code


# Database errors that say the server is not there (as opposed to a file that cannot be used).
_UNREACHABLE = re.compile(
    r"connection refused|could not connect|could not translate host name|name or service not known"
    r"|timeout expired|no route to host|network is unreachable|server closed the connection|connection.*failed",
    re.IGNORECASE,
)


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), text.strip())


def explain(error: BaseException) -> tuple[int, str] | None:
    """(exit code, one-line message) for an expected failure, or None for a bug."""
    from sqlalchemy import exc

    if isinstance(error, KeyboardInterrupt):
        return EXIT_INTERRUPTED, "interrupted"
    if isinstance(error, CommandError):
        return error.code, str(error)
    if isinstance(error, exc.NoSuchModuleError | exc.ArgumentError):
        return EXIT_USAGE, f"bad database URL: {_first_line(str(error))}"
    if isinstance(error, exc.DBAPIError):
        detail = _first_line(str(error.orig) if error.orig is not None else str(error))
        if _UNREACHABLE.search(detail):
            return EXIT_UNAVAILABLE, f"cannot reach the database: {detail}"
        return EXIT_IO, f"database error: {detail}"
    if isinstance(error, exc.SQLAlchemyError):
        return EXIT_IO, f"database error: {_first_line(str(error))}"
    if type(error).__name__ == "CommandError" and type(error).__module__.startswith("alembic"):
        return EXIT_IO, f"database schema: {_first_line(str(error))}"
    from crawler.sourceconfig import SourceConfigError

    if isinstance(error, SourceConfigError):
        return EXIT_USAGE, f"broken source file: {error}"
    if isinstance(error, OSError):
        where = f": {error.filename}" if error.filename else ""
        return EXIT_IO, f"{error.strerror or error}{where}"
    return None


def run_command(run: Callable[[argparse.Namespace], Any], args: argparse.Namespace) -> int:
    """`run(args)` with every expected failure turned into one stderr line and its exit code."""
    try:
        return int(run(args) or 0)
    except (Exception, KeyboardInterrupt) as error:
        explained = explain(error)
        if explained is None:
            raise
        code, message = explained
        print(f"scs {args.command}: {message}", file=sys.stderr)
        return code


def int_in(low: int, high: int) -> Callable[[str], int]:
    """An argparse type: an integer from `low` to `high` (a clear usage error, not a traceback, otherwise)."""

    def parse(value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not an integer: {value!r}") from None
        if not low <= number <= high:
            raise argparse.ArgumentTypeError(f"{number} is not in {low}..{high}")
        return number

    return parse


def float_in(low: float, high: float) -> Callable[[str], float]:
    """An argparse type: a number from `low` to `high`."""

    def parse(value: str) -> float:
        try:
            number = float(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
        if not low <= number <= high:  # also refuses nan
            raise argparse.ArgumentTypeError(f"{value} is not in {low:g}..{high:g}")
        return number

    return parse
