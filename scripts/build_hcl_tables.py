#!/usr/bin/env python3
"""Compile python-hcl2's grammar once and write the parser tables jeplint ships
(`jeplint/data/hcl-tables.json.gz`): plain data, digest-checked, keyed by the grammar file, Lark's
version and the pattern flavour (`jeplint.cache.tables_key`). A scan uses them when the key matches
what is installed, and compiles the grammar (1-3 s) otherwise.

    python scripts/build_hcl_tables.py        # after a python-hcl2 or lark upgrade

The tables derive from python-hcl2's grammar (MIT); see NOTICE.
"""

from __future__ import annotations

import gzip
from pathlib import Path

from jeplint.cache import SHIPPED_TABLES, tables_key
from jeplint.cache_codec import dump_tables
from jeplint.parse.hcl import build_tables

TARGET = Path(__file__).resolve().parent.parent / "jeplint" / "data" / SHIPPED_TABLES


def main() -> None:
    payload = tables_key().encode("ascii") + b"\n" + dump_tables(build_tables())
    TARGET.write_bytes(gzip.compress(payload, compresslevel=9, mtime=0))
    print(f"{TARGET.relative_to(Path.cwd()) if TARGET.is_relative_to(Path.cwd()) else TARGET}: {TARGET.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
