"""Step 1 of the pipeline: paths -> the files to parse, in a deterministic order.

Directories are walked recursively, skipping tool and dependency folders. Symbolic links are
followed only when they stay inside the scanned root (no loops, no escapes); a directory that
cannot be listed is reported. Paths are reported relative to the working directory with forward
slashes when they lie under it, escaped so that any report can carry them and distinct names stay distinct (`jeplint.neutral.path`).
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field

from jeplint.neutral import path as escaped_path
from jeplint.parse import file_format

SKIP_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".terraform",
        ".terragrunt-cache",
        "node_modules",
        ".venv",
        "venv",
        "__pycache__",
        ".tox",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        "cdk.out",
        ".serverless",
        ".aws-sam",
    }
)


UNSUPPORTED = "not analysed: not a kind of file jeplint reads (.tf, .tf.json, .tfvars, .json, .yaml, .yml, .template)"


@dataclass(frozen=True, slots=True)
class SourceFile:
    path: str  # path to open
    display: str  # path to report


# Formats that declare infrastructure or permissions but that jeplint does not read: counted while
# walking, so that a scan says what it skipped (`Discovery.unsupported`) instead of looking clean.
UNSUPPORTED_FORMATS = {
    ".bicep": "Bicep",
    ".hcl": "HCL other than Terraform (Terragrunt, Packer, Nomad)",
    ".jsonnet": "Jsonnet",
    ".libsonnet": "Jsonnet",
    ".tpl": "templates (such as templatefile() policies)",
    ".j2": "templates (such as templatefile() policies)",
    ".tfplan": "binary Terraform plans (terraform show -json gives the JSON plan)",
    ".cue": "CUE",
}


@dataclass(slots=True)
class Discovery:
    files: list[SourceFile]
    problems: list[tuple[str, str]]  # (display path, reason): arguments that could not be scanned
    unsupported: dict[str, int] = field(default_factory=dict)  # kind (UNSUPPORTED_FORMATS) -> files met


def display_path(path: str, cwd: str) -> str:
    absolute = os.path.abspath(path)
    try:
        rel = os.path.relpath(absolute, cwd)
    except ValueError:  # another drive on Windows
        rel = absolute
    if rel.startswith(".."):
        rel = absolute
    return escaped_path(rel.replace(os.sep, "/"), line_start=False)


def discover(paths: list[str], cwd: str | None = None) -> Discovery:
    cwd = cwd or os.getcwd()
    found: dict[str, SourceFile] = {}
    problems: list[tuple[str, str]] = []
    unsupported: Counter[str] = Counter()
    for arg in paths:
        if os.path.isdir(arg):
            _walk(arg, cwd, found, problems, unsupported)
        elif os.path.lexists(arg):
            # An explicit file is parsed when jeplint reads its kind of name; a FIFO or device is an error.
            if file_format(arg) is not None:
                real = os.path.realpath(arg)
                found.setdefault(real, SourceFile(arg, display_path(arg, cwd)))
            else:  # named, so meant to be read: never a silent clean
                problems.append((display_path(arg, cwd), UNSUPPORTED))
        else:
            problems.append((display_path(arg, cwd), "no such file or directory"))
    files = sorted(found.values(), key=lambda f: f.display)
    return Discovery(files, problems, dict(sorted(unsupported.items())))


def _walk(root: str, cwd: str, found: dict[str, SourceFile], problems: list[tuple[str, str]], unsupported: Counter[str]) -> None:
    """Add the readable files under `root` to `found` (keyed by real path: a file reached twice is
    read once); a directory that cannot be listed is a problem, never silently skipped.

    A subdirectory is entered only when its real path lies inside the real root and was not
    entered before, decided before it is listed: a link out of the root, or into a loop, is never
    read at all.
    """
    real_root = os.path.realpath(root)
    visited = {real_root}

    def enter(path: str) -> bool:
        real = os.path.realpath(path)
        if real in visited or not _inside(real, real_root):
            return False
        visited.add(real)
        return True

    def unreadable(exc: OSError) -> None:
        problems.append((display_path(exc.filename or root, cwd), f"cannot read directory: {exc.strerror or exc}"))

    for dirpath, dirnames, filenames in os.walk(root, onerror=unreadable, followlinks=True):
        dirnames[:] = [d for d in sorted(dirnames) if d not in SKIP_DIRS and enter(os.path.join(dirpath, d))]
        for name in sorted(filenames):
            if file_format(name) is None:
                kind = UNSUPPORTED_FORMATS.get(os.path.splitext(name)[1].lower())
                if kind is not None:
                    unsupported[kind] += 1
                continue
            path = os.path.join(dirpath, name)
            real = os.path.realpath(path)
            if os.path.islink(path) and (not os.path.exists(path) or not _inside(real, real_root)):
                continue  # dangling, or leading outside the scanned root: never followed
            found.setdefault(real, SourceFile(path, display_path(path, cwd)))


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)
