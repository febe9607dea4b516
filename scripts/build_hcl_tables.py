#!/usr/bin/env python3
"""Compile python-hcl2's grammar once and write the HCL parser jeplint ships
(`jeplint/data/hcl-parser.pickle`, see `jeplint.parse.hcl_shipped`): the parser Lark builds from
the grammar's tables, pickled, digest-checked, keyed by the grammar file, Lark's version and the
pattern flavour (`tables_key`). A scan uses it when the key matches what is installed, and reads
the cache folder's plain-data tables or compiles the grammar (1-3 s) otherwise.

    python scripts/build_hcl_tables.py        # after a python-hcl2 or lark upgrade

The parser derives from python-hcl2's grammar (MIT); see NOTICE.
"""

from __future__ import annotations

from pathlib import Path

from jeplint.parse.hcl import build_parser
from jeplint.parse.hcl_shipped import SHIPPED_PARSER, dump_shipped_parser

TARGET = Path(__file__).resolve().parent.parent / "jeplint" / "data" / SHIPPED_PARSER


def main() -> None:
    TARGET.write_bytes(dump_shipped_parser(build_parser()))
    print(f"{TARGET.relative_to(Path.cwd()) if TARGET.is_relative_to(Path.cwd()) else TARGET}: {TARGET.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
