"""Compiled catalogues kept in the user's cache folder: read only from a folder no one else may
write to, written atomically. What they hold is plain data (JSON), never code: the readers check
its shape before using it (`aws_store`, `jeplint.rules.base.catalogue`)."""

from __future__ import annotations

import os
import stat


def private(folder: str) -> bool:
    """The folder is this user's and no one else may write to it (else its files are not trusted)."""
    try:
        st = os.stat(folder)
    except OSError:
        return False
    owner = getattr(os, "getuid", lambda: st.st_uid)()
    return stat.S_ISDIR(st.st_mode) and st.st_uid == owner and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def read(path: str) -> bytes | None:
    """The file's bytes when its folder is private; None when it is not, or the file cannot be read."""
    if not private(os.path.dirname(path)):
        return None
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError:
        return None


def open_private(path: str) -> int | None:
    """A read-only file descriptor of the file when its folder is private; None when it is not, or
    the file cannot be opened."""
    if not private(os.path.dirname(path)):
        return None
    try:
        return os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    except OSError:
        return None


def write(path: str, payload: bytes) -> None:
    """Write atomically (a temporary file renamed into place); a failure only means no file."""
    import tempfile

    folder = os.path.dirname(path)
    parent = os.path.dirname(folder)
    if os.path.isdir(parent) and not private(parent):
        return  # a cache root others may write to is not used at all (not even to hold our folder)
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        if not private(folder):
            return
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".catalogue-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(payload)
            os.replace(temporary, path)
        except BaseException:
            os.unlink(temporary)
            raise
    except OSError:
        return
