"""The command line's arguments: the parser of `jeplint scan`, `graph`, `diff`, `lsp`, `rules` and
`explain`, with the validation of each value (a clear message and exit code 2, never a traceback)."""

from __future__ import annotations

import argparse
import sys

from jeplint import __version__

EXIT_CLEAN, EXIT_FINDINGS, EXIT_TROUBLE = 0, 1, 2  # the command line's exit codes (see jeplint.cli)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        sys.stderr.write(f"jeplint: error: {message}\n")
        raise SystemExit(EXIT_TROUBLE)


def _rule_list(value: str) -> list[str]:
    """Comma-separated rule ids, prefixes or names (`jeplint.rules.ids`); an unknown one is a usage error."""
    from jeplint.rules.ids import UnknownRule, resolve

    try:
        return [resolve(v) for v in value.split(",") if v.strip()]
    except UnknownRule as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _size(value: str) -> int:
    units = {"k": 1024, "m": 1024**2, "g": 1024**3}
    try:
        if value[-1:].lower() in units:
            size = int(float(value[:-1]) * units[value[-1].lower()])
        else:
            size = int(value)
    except (ValueError, OverflowError):  # OverflowError: "infk"
        size = 0
    if size <= 0:
        raise argparse.ArgumentTypeError(f"not a size: {value!r} (a number of bytes above 0, e.g. 8M or 512k)")
    return size


def _seconds(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds < float("inf"):
        raise argparse.ArgumentTypeError(f"not a number of seconds: {value!r} (e.g. 60; 0 = no limit)")
    return seconds


def _jobs(value: str) -> int:
    try:
        jobs = int(value)
    except ValueError:
        jobs = -1
    if jobs < 0:
        raise argparse.ArgumentTypeError(f"not a number of processes: {value!r} (1 or more; 0 = one per core)")
    return jobs


def _category(value: str) -> str:
    if not value.strip() or any(c.isspace() for c in value):
        raise argparse.ArgumentTypeError(f"not a code scanning category: {value!r} (a word such as jeplint/terraform)")
    return value.strip("/")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="jeplint", description="Just-enough-privilege linter for Infrastructure as Code.")
    parser.add_argument("-V", "--version", action="version", version=f"jeplint {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    scan = sub.add_parser("scan", help="scan files and directories")
    scan.add_argument("paths", nargs="*", default=["."], metavar="PATH", help="files or directories (default: .)")
    scan.add_argument(
        "--format",
        "-f",
        choices=("text", "json", "sarif", "github", "junit", "gitlab"),
        default="text",
        help="github: workflow-command annotations; junit: JUnit XML; gitlab: GitLab Code Quality JSON",
    )
    scan.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE (default: stdout)")
    scan.add_argument(
        "--select", type=_rule_list, default=None, metavar="IDS", help="only these rule ids or prefixes (JEP1,JEP204)"
    )
    scan.add_argument("--ignore", type=_rule_list, default=None, metavar="IDS", help="skip these rule ids or prefixes")
    scan.add_argument(
        "--fail-on",
        choices=("error", "warning", "note", "never"),
        default=None,
        help="exit 1 when a finding is at this level or above (default: warning)",
    )
    scan.add_argument("--config", metavar="FILE", help="read this configuration file instead of searching for one")
    scan.add_argument("--show-suppressed", action="store_true", help="also report suppressed findings, marked as such")
    scan.add_argument("--baseline", metavar="FILE", help="report only findings whose fingerprint is not in FILE")
    scan.add_argument(
        "--write-baseline", metavar="FILE", help="accept every current finding: write them to FILE, report nothing new"
    )
    scan.add_argument(
        "--context-dirs",
        action="store_true",
        help="for each named file, read the other files of its folder as context; report only the named files",
    )
    scan.add_argument(
        "--sarif-srcroot", action="store_true", help="record the absolute working directory as %%SRCROOT%% in SARIF"
    )
    scan.add_argument(
        "--max-file-size", type=_size, default=None, metavar="SIZE", help="skip (and report) files larger than this (default 8M)"
    )
    scan.add_argument(
        "--timeout",
        type=_seconds,
        default=None,
        metavar="SECONDS",
        help="stop after this long (parse, graph, rules) and report what was not analysed (default 300; 0 = no limit)",
    )
    scan.add_argument(
        "--jobs", "-j", type=_jobs, default=0, help="files parsed at once: this process and N-1 workers (default: one per core)"
    )
    scan.add_argument(
        "--sarif-category",
        type=_category,
        default="jeplint",
        metavar="NAME",
        help="SARIF runAutomationDetails id: one category per scan uploaded to the same repository (default: jeplint)",
    )
    scan.add_argument(
        "--report-unused-suppressions",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="warn about suppressions that hide no finding (default: on when the CI variable is set)",
    )
    scan.add_argument(
        "--stdin-filename",
        metavar="NAME",
        help="with the path -, read the file from standard input and report it as NAME (its kind comes from NAME)",
    )
    scan.add_argument("--no-cache", action="store_true", help="neither read nor write cached parse results (~/.cache/jeplint)")
    _add_safety_options(scan)
    _fix_arguments(scan)
    sub.add_parser("lsp", help="run the language server over stdio (needs the extra: pip install 'jeplint[lsp]')")
    sub.add_parser("rules", help="list every rule")
    explain = sub.add_parser("explain", help="print a rule's documentation and examples")
    explain.add_argument("rule", metavar="RULE", help="a rule id (JEP101) or name (full-wildcard-action)")
    graph = sub.add_parser("graph", help="print the permission graph: identities, effective grants, bindings, workloads")
    graph.add_argument("paths", nargs="*", default=["."], metavar="PATH", help="files or directories (default: .)")
    graph.add_argument("--format", "-f", choices=("json", "dot", "mermaid"), default="json")
    graph.add_argument("--output", "-o", metavar="FILE", help="write to FILE (default: stdout)")
    graph.add_argument("--config", metavar="FILE", help="read this configuration file instead of searching for one")
    graph.add_argument("--follow-outside", action="store_true", help="scan PATHs that lead outside the working directory")
    from jeplint.diff.command import add_parser as add_diff

    add_diff(sub, _rule_list, _size, _seconds)
    return parser


def _add_safety_options(scan: argparse.ArgumentParser) -> None:
    scan.add_argument(
        "--isolated",
        action="store_true",
        help="read no configuration from the scanned repository (only a --config FILE); for untrusted pull requests",
    )
    scan.add_argument(
        "--follow-outside", action="store_true", help="scan PATHs that lead outside the working directory (through a link)"
    )


def _fix_arguments(scan: argparse.ArgumentParser) -> None:
    what = scan.add_mutually_exclusive_group()
    what.add_argument("--fix", action="store_true", help="apply the fixes to the files, then report what remains")
    what.add_argument("--diff", action="store_true", help="print the fixes as a unified diff instead of a report; change nothing")
