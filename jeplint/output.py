"""Writing report and baseline files safely, and checking paths named on the command line (issue 20,
items 2 and 6).

The working directory is usually the scanned repository, whose contents an attacker may write:
`jeplint.sarif -> ../../home/runner/.bashrc` committed there must not make a report overwrite the
link's target, and `infra -> /elsewhere` must not make a scan read outside it.

- `check_target`: a file to write is refused when it is a symbolic link, or when it lies outside
  the working directory (after resolving the links of its folders) unless the user named it with
  an absolute path.
- `write_atomic`: missing parent folders are made, the text goes to a temporary file beside the
  target, which is renamed over it (a rename replaces a link that appears meanwhile, never follows it).
- `outside`: the paths named on the command line that lead outside the working directory through a
  link (`--follow-outside` allows them); an absolute path the user wrote to somewhere else is
  taken as written.
"""

from __future__ import annotations

import os
import stat


class OutputError(Exception):
    """A file that must not be written: the reason says why."""


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def check_target(name: str, cwd: str | None = None) -> str:
    """`name` as an absolute path to write to, or OutputError."""
    cwd = cwd or os.getcwd()
    absolute = os.path.join(cwd, name)
    if os.path.islink(absolute):
        raise OutputError(f"{name} is a symbolic link: not written through (remove it, or name another file)")
    if os.path.isdir(absolute):
        raise OutputError(f"{name} is a directory")
    if not os.path.isabs(name) and not _inside(os.path.realpath(absolute), os.path.realpath(cwd)):
        raise OutputError(f"{name} is outside the working directory (name it with an absolute path to write there)")
    return absolute


def write_atomic(name: str, text: str) -> None:
    """Write `text` to `name` (checked by `check_target`) through a temporary file and a rename; a
    character device or a pipe (`/dev/null`, a FIFO a CI step reads) is written as it is: renaming a
    file over it would replace the device (as root, `/dev/null` itself). A block device, a socket or
    anything else that is not a regular file is refused."""
    target = check_target(name)
    try:
        mode = os.stat(target).st_mode
    except FileNotFoundError:
        mode = None
    if mode is not None and not stat.S_ISREG(mode):
        if not (stat.S_ISCHR(mode) or stat.S_ISFIFO(mode)):
            raise OutputError(f"{name} is not a regular file, a character device or a pipe")
        with open(target, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        return
    import tempfile  # with its imports (shutil, random), only when a report is written to a file

    folder = os.path.dirname(target)
    os.makedirs(folder, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=folder, prefix=".jeplint-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, target)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def outside(paths: list[str], cwd: str | None = None) -> list[str]:
    """The arguments in `paths` that lead outside the working directory through a symbolic link."""
    cwd = cwd or os.getcwd()
    root = os.path.realpath(cwd)
    refused = []
    for arg in paths:
        absolute = os.path.abspath(os.path.join(cwd, arg))
        real = os.path.realpath(absolute)
        if _inside(real, root):
            continue
        if os.path.isabs(arg) and real == absolute:
            continue  # the user named a place outside, without a link: taken as written
        refused.append(arg)
    return refused
