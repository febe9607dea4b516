#!/usr/bin/env python3
"""Compile python-hcl2's grammar once and write the parser tables jeplint ships
(`jeplint/data/hcl-tables.marshal.z`): plain data in `marshal` form, digest-checked, keyed by the grammar file, Lark's
version and the pattern flavour (`jeplint.cache.tables_key`). A scan uses them when the key matches
what is installed, and compiles the grammar (1-3 s) otherwise.

    python scripts/build_hcl_tables.py        # after a python-hcl2 or lark upgrade

The tables derive from python-hcl2's grammar (MIT); see NOTICE.
"""

from __future__ import annotations

from pathlib import Path

from jeplint.cache import SHIPPED_TABLES, dump_shipped_tables
from jeplint.parse.hcl import build_tables

TARGET = Path(__file__).resolve().parent.parent / "jeplint" / "data" / SHIPPED_TABLES


def main() -> None:
    TARGET.write_bytes(dump_shipped_tables(build_tables()))
    print(f"{TARGET.relative_to(Path.cwd()) if TARGET.is_relative_to(Path.cwd()) else TARGET}: {TARGET.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
