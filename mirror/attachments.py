"""SYNTHETIC attachment files for the mirror: every attachment a mirror notice links is served as a real file.

The list attachments (`attachment_content.toml`) are tables written by the format's own
library (`mirror.synthetic_files`): a PDF list, an XLSX list, an XLS list. Every other
linked attachment is a short document of its own type naming itself; a `.doc` link gets a
DOCX, as real sites often serve (a file that lies about its type). Files are made on first
request and kept; the server falls back here only for paths no fixture serves.
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from mirror.build_fixtures import CONTENT_DIR
from mirror.synthetic_files import docx_file, pdf_file, xls_file, xlsx_file

LIST_CONTENT = CONTENT_DIR.parent / "attachment_content.toml"
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "doc": "application/msword",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "xls": "application/vnd.ms-excel",
}
SYNTHETIC_NOTE = "（本文件为离线镜像生成的示例附件，内容虚构。SYNTHETIC mirror attachment.）"


def file_key(link: str) -> str:
    """The file a link names: `filename=` of a download script, else the last path segment."""
    parts = urlsplit(link)
    filename = dict(parse_qsl(parts.query)).get("filename")
    return filename or PurePosixPath(parts.path).name


@cache
def linked_attachments() -> dict[str, str]:
    """file key -> attachment name, for every attachment a mirror content file links."""
    linked: dict[str, str] = {}
    for path in sorted(CONTENT_DIR.glob("*.toml")):
        content = tomllib.loads(path.read_text(encoding="utf-8"))
        for notice in content.get("notices", []):
            for attachment in notice.get("attachments", []):
                linked[file_key(attachment.get("file") or attachment.get("href", ""))] = attachment["name"]
    return linked


@cache
def _lists() -> dict[str, Any]:
    return tomllib.loads(LIST_CONTENT.read_text(encoding="utf-8"))


def attachment_for(path: str, query: dict[str, str]) -> tuple[str, bytes] | None:
    """(Content-Type, bytes) of the linked attachment at this path, or None when no mirror notice links it."""
    key = query.get("filename") or PurePosixPath(path).name
    if key not in linked_attachments():
        return None
    return _file(key)


@cache
def _file(key: str) -> tuple[str, bytes]:
    name = linked_attachments()[key]
    extension = PurePosixPath(key).suffix.lstrip(".").lower()
    spec = _lists().get(key)
    title = spec["title"] if spec else PurePosixPath(name).stem
    rows = spec["rows"] if spec else [["附件", name], ["说明", SYNTHETIC_NOTE]]
    if extension == "pdf":
        data = pdf_file(title, [SYNTHETIC_NOTE], rows if spec else ())
    elif extension == "xlsx":
        data = xlsx_file(title, rows)
    elif extension == "xls":
        data = xls_file(title, rows)
    else:  # docx, and doc served as DOCX bytes
        data = docx_file(title, [SYNTHETIC_NOTE], rows if spec else ())
    return CONTENT_TYPES.get(extension, "application/octet-stream"), data
