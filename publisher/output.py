"""Writing the site incrementally: a file is rendered only when its inputs changed, written only when its bytes did.

The manifest (`.scs-manifest.sqlite3` in the output folder) keeps, per file, the key of its inputs and the
SHA-256 of its bytes. It is an SQLite file, not a JSON one, so a site of a million files is looked up row
by row instead of being held in memory. Files the manifest lists that a publish no longer produces are deleted.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

MARKER = ".scs-site"  # marks a folder as ours, so publishing may replace what is in it
MANIFEST = ".scs-manifest.sqlite3"
_PART = r"(?!\.\.?(?:/|$))[A-Za-z0-9._-]+"  # a file or folder name, never "." or ".."
SAFE_PATH = re.compile(rf"{_PART}(?:/{_PART})*")
BATCH = 500  # files looked up in the manifest at once
FLUSH_EVERY = 2000  # manifest rows written at once


class PublishError(RuntimeError):
    """The site cannot be written where asked."""


@dataclass(frozen=True)
class WriteCounts:
    written: int
    unchanged: int
    removed: int


def _claim(outdir: Path) -> None:
    """Make `outdir` ours (its marker file); a non-empty folder without the marker is refused."""
    if outdir.exists() and not outdir.is_dir():
        raise PublishError(f"{outdir} exists and is not a folder")
    outdir.mkdir(parents=True, exist_ok=True)
    if any(outdir.iterdir()) and not (outdir / MARKER).exists():
        raise PublishError(f"{outdir} is not empty and was not written by `scs publish`; refusing to replace it")
    (outdir / MARKER).write_bytes(b"scs-tracker static site, written by `scs publish`\n")


def _empty(outdir: Path) -> None:
    """Remove a site of ours that has no manifest (written by an older `scs publish`), marker and manifest kept."""
    for child in outdir.iterdir():
        if child.name == MARKER or child.name.startswith(MANIFEST):  # the manifest and its journal
            continue
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()


class SiteWriter:
    """Receives every file of the site once per publish, as (path, key, render)."""

    def __init__(self, outdir: Path, *, rebuild: bool = False) -> None:
        self.outdir = outdir
        _claim(outdir)
        self.root = outdir.resolve()
        incremental = (outdir / MANIFEST).exists()
        self.rebuild = rebuild or not incremental
        self.manifest = sqlite3.connect(outdir / MANIFEST, isolation_level=None, timeout=0)
        try:  # the manifest stays locked until the publish ends: a second publish into this folder is refused
            self.manifest.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            self.manifest.close()
            raise PublishError(f"{outdir} is being published by another `scs publish` ({error})") from error
        if not incremental:
            _empty(outdir)
        self.manifest.execute(
            "CREATE TABLE IF NOT EXISTS files (path TEXT PRIMARY KEY, key TEXT NOT NULL, sha256 TEXT NOT NULL, "
            "generation INTEGER NOT NULL)"
        )
        previous = self.manifest.execute("SELECT max(generation) FROM files").fetchone()[0]
        self.generation = (previous or 0) + 1
        self.queue: list[tuple[str, str, Callable[[], bytes]]] = []
        self.pending: list[tuple[str, str, str, int]] = []
        self.emitted: set[str] = set()  # this run's paths not yet flushed to the manifest
        self.written = self.unchanged = 0

    def _target(self, relative: str) -> Path:
        """The file to write or delete: a plain relative path (no "." or ".."), inside the site even through
        symbolic links. Checked before each write or deletion (a file that is left alone is never touched)."""
        if SAFE_PATH.fullmatch(relative) is None:
            raise PublishError(f"refusing to write {relative!r}: not a plain path inside the site")
        target = self.outdir / relative
        if not target.resolve().is_relative_to(self.root):
            raise PublishError(f"refusing to write {relative!r} outside {self.outdir}")
        return target

    def emit(self, relative: str, key: str, render: Callable[[], bytes]) -> None:
        """Publish one file: skipped when its key is unchanged, written when its bytes differ from the last ones.

        Files are handled in batches, so the manifest is asked about a few hundred paths at a time.
        """
        self.queue.append((relative, key, render))
        if len(self.queue) >= BATCH:
            self._drain()

    def _drain(self) -> None:
        queue, self.queue = self.queue, []
        paths = [relative for relative, _key, _render in queue]
        marks = ",".join("?" * len(paths))
        known = {
            row[0]: row[1:]
            for row in self.manifest.execute(
                f"SELECT path, key, sha256, generation FROM files WHERE path IN ({marks})", paths
            )
        }
        for relative, key, render in queue:
            row = known.get(relative)
            if (row is not None and row[2] == self.generation) or relative in self.emitted:
                raise PublishError(f"two pages of the site would be written to {relative}")
            self.emitted.add(relative)
            if row is not None and row[0] == key and not self.rebuild:
                self.unchanged += 1
                self._record(relative, key, row[1])
                continue
            data = render()
            sha = hashlib.sha256(data).hexdigest()
            target = self._target(relative)
            if row is not None and row[1] == sha and target.is_file():
                self.unchanged += 1
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                partial = target.with_name(target.name + ".partial")
                partial.write_bytes(data)
                os.replace(partial, target)
                self.written += 1
            self._record(relative, key, sha)
        if len(self.pending) >= FLUSH_EVERY:
            self._flush()

    def _record(self, relative: str, key: str, sha: str) -> None:
        self.pending.append((relative, key, sha, self.generation))

    def _flush(self) -> None:
        self.manifest.executemany(
            "INSERT INTO files (path, key, sha256, generation) VALUES (?, ?, ?, ?) ON CONFLICT (path) DO UPDATE "
            "SET key = excluded.key, sha256 = excluded.sha256, generation = excluded.generation",
            self.pending,
        )
        self.pending.clear()
        self.emitted.clear()

    def finish(self) -> WriteCounts:
        """Record the manifest, then delete the files of the last publish that this one did not produce."""
        self._drain()
        self._flush()
        stale = [
            path
            for (path,) in self.manifest.execute("SELECT path FROM files WHERE generation != ?", (self.generation,))
        ]
        self.manifest.execute("DELETE FROM files WHERE generation != ?", (self.generation,))
        self.manifest.execute("COMMIT")
        self.manifest.close()
        for relative in stale:
            if relative == MARKER:  # the writer's own file, whatever an older manifest says
                continue
            target = self._target(relative)
            target.unlink(missing_ok=True)
            folder = target.parent
            while folder != self.outdir and folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()
                folder = folder.parent
        return WriteCounts(written=self.written, unchanged=self.unchanged, removed=len(stale))

    def abort(self) -> None:
        """Keep the record of the files already written (each row matches its file), delete nothing."""
        self.queue.clear()
        self._flush()
        self.manifest.execute("COMMIT")
        self.manifest.close()
