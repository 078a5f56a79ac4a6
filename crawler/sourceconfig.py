"""Source configurations: one TOML file per source in `crawler/sources/`.

A source is a few lines of data on top of a CMS-family base spider. Every file is
validated when it loads, so a missing or wrong field fails at once with a message
naming the file and the field, not at 3 a.m. in the cron run.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

SOURCES_DIR = Path(__file__).with_name("sources")
COLUMN_KINDS = ("notices", "policies", "credit-news")
_SOURCE_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_JURISDICTION = re.compile(r"^\d{6}$")


class SourceConfigError(ValueError):
    """A source file that cannot be used, with the file and field named in the message."""


@dataclass(frozen=True)
class Column:
    name: str  # one of COLUMN_KINDS
    url: str  # the column's first list page (or API endpoint) on the real site
    params: dict[str, Any] = field(default_factory=dict)  # family-specific, e.g. Hanweb columnid/unitid


@dataclass(frozen=True)
class Source:
    id: str
    name: str
    family: str
    jurisdiction: str  # GB/T 2260 code; 000000 for national bodies
    publisher: str  # default issuing body when the page names none
    columns: tuple[Column, ...]
    options: Any  # the family's Options dataclass instance
    user_agent: str = ""
    obey_robots: bool = True
    download_delay: float = 0.5
    max_pages: int = 0  # list pages read per column and run at most (parse_source fills DEFAULT_MAX_PAGES)
    path: Path | None = None

    @property
    def start_urls(self) -> list[str]:
        return [column.url for column in self.columns]

    @property
    def hosts(self) -> set[str]:
        from urllib.parse import urlsplit

        return {urlsplit(column.url).hostname or "" for column in self.columns}


def _require(data: dict[str, Any], key: str, kind: type, where: str) -> Any:
    if key not in data:
        raise SourceConfigError(f"{where}: missing field '{key}'")
    value = data[key]
    if not isinstance(value, kind) or (isinstance(value, str) and not value.strip()):
        raise SourceConfigError(f"{where}: field '{key}' must be a non-empty {kind.__name__}, got {value!r}")
    return value


def _build_options(options_class: type, raw: dict[str, Any], where: str) -> Any:
    known = {f.name: f for f in fields(options_class)}
    unknown = sorted(set(raw) - set(known))
    if unknown:
        raise SourceConfigError(f"{where}: unknown field(s) in [options]: {', '.join(unknown)}")
    try:
        return options_class(**raw)
    except TypeError as error:  # a required option is missing
        raise SourceConfigError(f"{where}: [options] {error}") from error
    except ValueError as error:  # the Options class rejected a value in __post_init__
        raise SourceConfigError(f"{where}: [options] {error}") from error


def parse_source(data: dict[str, Any], where: str, families: dict[str, type]) -> Source:
    """Validate one source's raw TOML data against the family registry."""
    source_id = _require(data, "id", str, where)
    if not _SOURCE_ID.match(source_id):
        raise SourceConfigError(f"{where}: field 'id' must match {_SOURCE_ID.pattern}, got {source_id!r}")
    family = _require(data, "family", str, where)
    if family not in families:
        raise SourceConfigError(f"{where}: field 'family' is {family!r}; known families: {', '.join(sorted(families))}")
    jurisdiction = _require(data, "jurisdiction", str, where)
    if not _JURISDICTION.match(jurisdiction):
        raise SourceConfigError(f"{where}: field 'jurisdiction' must be a 6-digit GB/T 2260 code, got {jurisdiction!r}")
    raw_columns = _require(data, "columns", list, where)
    columns = []
    for index, raw_column in enumerate(raw_columns):
        column_where = f"{where}: columns[{index}]"
        name = _require(raw_column, "name", str, column_where)
        if name not in COLUMN_KINDS:
            raise SourceConfigError(f"{column_where}: field 'name' must be one of {COLUMN_KINDS}, got {name!r}")
        url = _require(raw_column, "url", str, column_where)
        if not re.match(r"^https?://[^/]+/", url):
            raise SourceConfigError(f"{column_where}: field 'url' must be an absolute http(s) URL, got {url!r}")
        columns.append(Column(name=name, url=url, params=dict(raw_column.get("params", {}))))
    allowed = {f.name for f in fields(Source)} - {"path"}
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise SourceConfigError(f"{where}: unknown field(s): {', '.join(unknown)}")
    options = _build_options(families[family].Options, dict(data.get("options", {})), where)
    check_column = getattr(families[family], "check_column", None)  # the family's column `params` rules
    for column in columns if check_column else ():
        try:
            check_column(column)
        except ValueError as error:
            raise SourceConfigError(f"{where}: {error}") from error
    return Source(
        id=source_id,
        name=_require(data, "name", str, where),
        family=family,
        jurisdiction=jurisdiction,
        publisher=_require(data, "publisher", str, where),
        columns=tuple(columns),
        options=options,
        user_agent=str(data.get("user_agent", "")),
        obey_robots=bool(data.get("obey_robots", True)),
        download_delay=float(data.get("download_delay", 0.5)),
        max_pages=_positive_int(data.get("max_pages", DEFAULT_MAX_PAGES), "max_pages", where),
    )


# List pages read per column and run unless the source file says otherwise: a site whose next page always
# exists, or an interrupted run resuming, must end somewhere (the stop is recorded as `paging-stopped`).
DEFAULT_MAX_PAGES = 100


def _positive_int(value: Any, key: str, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise SourceConfigError(f"{where}: field {key!r} must be a positive integer, got {value!r}")
    return value


def load_source_file(path: Path, families: dict[str, type]) -> Source:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise SourceConfigError(f"{path.name}: not valid TOML: {error}") from error
    source = parse_source(data, path.name, families)
    if source.id != path.stem:
        raise SourceConfigError(f"{path.name}: field 'id' is {source.id!r} but the file is named {path.stem!r}")
    return Source(**{**source.__dict__, "path": path})


# Extra directories of source files (os.pathsep-separated), loaded after the packaged ones: sources that
# must not ship with the package, e.g. the generated site of `scs bench`.
EXTRA_SOURCES_ENV = "SCS_EXTRA_SOURCES"


def source_directories() -> list[Path]:
    """The packaged sources directory, then every directory named in $SCS_EXTRA_SOURCES."""
    extra = os.environ.get(EXTRA_SOURCES_ENV, "")
    return [SOURCES_DIR, *(Path(part) for part in extra.split(os.pathsep) if part)]


def load_sources(
    directory: Path | None = None, broken: dict[str, SourceConfigError] | None = None
) -> dict[str, Source]:
    """All sources, validated, keyed by id: those in `directory`, else in `source_directories()`.

    A file that does not load raises SourceConfigError, or with `broken` given is skipped and its
    error kept there under its source id (the file's name): one broken file must not stop the others.
    """
    from crawler.spiders.families import FAMILIES

    sources: dict[str, Source] = {}
    for folder in [directory] if directory else source_directories():
        for path in sorted(folder.glob("*.toml")):
            try:
                if path.stem in sources:
                    raise SourceConfigError(
                        f"{path}: source id {path.stem!r} is already defined in {sources[path.stem].path}"
                    )
                sources[path.stem] = load_source_file(path, FAMILIES)
            except (SourceConfigError, OSError, UnicodeDecodeError) as error:
                if broken is None:
                    raise
                broken[path.stem] = (
                    error if isinstance(error, SourceConfigError) else SourceConfigError(f"{path.name}: {error}")
                )
    return sources
