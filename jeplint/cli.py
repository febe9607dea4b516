"""Command line: `jeplint scan`, `jeplint rules`. Reads options, runs the pipeline, prints, exits.

Exit codes: 0 nothing at or above the fail level; 1 findings at or above it; 2 usage error or some
input could not be analysed (the findings of every other file are still reported).
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import TextIO

from jeplint import __version__

EXIT_CLEAN, EXIT_FINDINGS, EXIT_TROUBLE = 0, 1, 2
FAIL_ORDER = {"error": 0, "warning": 1, "note": 2}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        sys.stderr.write(f"jeplint: error: {message}\n")
        raise SystemExit(EXIT_TROUBLE)


def _rule_list(value: str) -> list[str]:
    items = [v.strip().upper() for v in value.split(",") if v.strip()]
    for item in items:
        if not item.startswith("JEP") or not item[3:].isdigit() and item != "JEP":
            raise argparse.ArgumentTypeError(f"not a rule id or prefix: {item!r} (expected e.g. JEP101 or JEP1)")
    return items


def _size(value: str) -> int:
    units = {"k": 1024, "m": 1024**2, "g": 1024**3}
    try:
        if value[-1:].lower() in units:
            return int(float(value[:-1]) * units[value[-1].lower()])
        return int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a size: {value!r} (e.g. 8M)") from None


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="jeplint", description="Just-enough-privilege linter for Infrastructure as Code.")
    parser.add_argument("--version", action="version", version=f"jeplint {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    scan = sub.add_parser("scan", help="scan files and directories")
    scan.add_argument("paths", nargs="*", default=["."], metavar="PATH", help="files or directories (default: .)")
    scan.add_argument("--format", "-f", choices=("text", "json", "sarif"), default="text")
    scan.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE (default: stdout)")
    scan.add_argument("--select", type=_rule_list, default=[], metavar="IDS", help="only these rule ids or prefixes (JEP1,JEP204)")
    scan.add_argument("--ignore", type=_rule_list, default=[], metavar="IDS", help="skip these rule ids or prefixes")
    scan.add_argument(
        "--fail-on",
        choices=("error", "warning", "note", "never"),
        default="warning",
        help="exit 1 when a finding is at this level or above (default: warning)",
    )
    scan.add_argument("--max-file-size", type=_size, default=None, metavar="SIZE", help="skip (and report) files larger than this (default 8M)")
    scan.add_argument("--jobs", "-j", type=int, default=0, help="parser processes (default: one per core)")
    sub.add_parser("rules", help="list every rule")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "rules":
            return _rules(sys.stdout)
        return _scan(args)
    except KeyboardInterrupt:
        sys.stderr.write("jeplint: interrupted\n")
        return 130
    except BrokenPipeError:
        return EXIT_TROUBLE


def _rules(out: TextIO) -> int:
    from jeplint.rules import RULES

    for rule in RULES:
        meta = rule.meta
        out.write(f"{meta.id}  {meta.name:<28} {meta.level:<8} {meta.summary}\n")
    return EXIT_CLEAN


def _scan(args: argparse.Namespace) -> int:
    from jeplint.parse import MAX_FILE_BYTES
    from jeplint.run import Settings, scan

    settings = Settings(
        select=tuple(args.select),
        ignore=tuple(args.ignore),
        max_file_bytes=args.max_file_size or MAX_FILE_BYTES,
        jobs=args.jobs,
    )
    result = scan(args.paths, settings)
    out: TextIO = open(args.output, "w", encoding="utf-8", newline="\n") if args.output else sys.stdout  # noqa: SIM115
    try:
        if args.format == "text":
            from jeplint.report import text

            colour = out.isatty() and not os.environ.get("NO_COLOR")
            text.write(result, out, sys.stderr, colour)
        elif args.format == "json":
            from jeplint.report import json_report

            out.write(json_report.dumps(result))
        else:
            from jeplint.report import sarif

            out.write(sarif.dumps(result))
    finally:
        if args.output:
            out.close()
    if args.format != "text":
        for p in result.problems:
            if p.level == "error":
                sys.stderr.write(f"{p.path}:{p.line or 1}:{p.col or 1}: error: {p.reason}\n")
    if any(p.level == "error" for p in result.problems):
        return EXIT_TROUBLE
    if args.fail_on != "never":
        limit = FAIL_ORDER[args.fail_on]
        if any(FAIL_ORDER[f.level] <= limit for f in result.findings):
            return EXIT_FINDINGS
    return EXIT_CLEAN
