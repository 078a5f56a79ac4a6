"""The key that signs the newsroom's session cookies: strong, and the same across restarts and workers.

`scs serve` takes it from $SCS_SECRET_KEY, else from a key file it creates once (mode 0600) in the
data directory. A weak key is refused: anyone who guesses it can forge cookies.
"""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path

MIN_LENGTH = 32
MIN_DISTINCT = 10
KEY_FILE_NAME = "newsroom-secret.key"
HOW_TO_MAKE_ONE = "make one with: python3 -c 'import secrets; print(secrets.token_hex(32))'"


class SecretKeyError(ValueError):
    """No usable secret key: the newsroom must not start."""


def key_problem(key: str) -> str | None:
    """Why `key` is too weak to sign sessions, or None when it will do."""
    if len(key) < MIN_LENGTH:
        return f"it has {len(key)} characters, at least {MIN_LENGTH} are needed"
    if len(set(key)) < MIN_DISTINCT:
        return f"it uses only {len(set(key))} different characters, at least {MIN_DISTINCT} are needed"
    return None


def require_strong(key: str, origin: str) -> str:
    problem = key_problem(key)
    if problem:
        raise SecretKeyError(f"the secret key from {origin} is too weak: {problem}; {HOW_TO_MAKE_ONE}")
    return key


def key_from_file(path: Path) -> tuple[str, bool]:
    """The key in `path`, creating the file (mode 0600, a new random key) when it does not exist.

    Returns the key and whether the file was created. A file that others can read is refused.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            raise SecretKeyError(f"{path} can be read by other users (mode {mode:o}): run `chmod 600 {path}`") from None
        return require_strong(path.read_text(encoding="utf-8").strip(), str(path)), False
    key = secrets.token_hex(32)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(key + "\n")
    return key, True
