"""The files jeplint ships in `jeplint/data`.

Found beside this module when jeplint is installed as files (the usual case): importing
`importlib.resources` also imports tempfile, zipfile and their imports, ~5 ms of a one-file scan
(issue 16). From a zip archive they are read through `importlib.resources`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from importlib.abc import Traversable

_HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")


def data_file(name: str) -> Traversable:
    """`jeplint/data/<name>`, to open or read."""
    if os.path.isdir(_HERE):
        return Path(_HERE, name)
    from importlib import resources

    return resources.files("jeplint") / "data" / name
