#!/usr/bin/env python3
"""Speed and memory of jeplint beside Checkov, on the shared real corpus (issue 7).

    /work/venv/bin/python bench/speed.py              # the whole benchmark, about 20 minutes
    /work/venv/bin/python bench/speed.py --runs 1 --sets one,iam    # a quick look

Run it with the Python of jeplint's development venv: it times *this checkout* of jeplint
(`python -m jeplint` with the repository on PYTHONPATH, byte-compiled first as `pip install`
does). The corpus is read in place from `../shared/corpus/real`; when it is absent the script
says so and exits 0. Checkov (`CHECKOV_VERSION`) runs from its own venv outside the repository,
`../bench-venvs/checkov` (`--install-checkov` makes it); without it the report says so and times
jeplint alone.

What it measures, per file set (`SETS`):
- jeplint `scan --no-cache --format json` and Checkov (offline: `--skip-download`,
  `BC_SKIP_MAPPING=TRUE`, `CKV_SKIP_PACKAGE_UPDATE_CHECK=TRUE`, one `--framework` per run,
  `--quiet -o json` to /dev/null). After one warm-up run of each, the runs alternate between the
  two tools; the report gives medians, Checkov's time over jeplint's, and the peak RSS of each
  whole process. For the whole corpus Checkov runs once per framework (terraform,
  cloudformation, kubernetes) and the times are summed (peak RSS: the largest of the three).
- jeplint's parse-only floor for the same files: `jeplint.run.parse_all` (every file through
  `parse_file`, in the same process pool a scan uses, results back in the main process) timed
  inside a warm process; no interpreter start, no graph, no rules, no report.
- Scans of 1/4, 1/2, 3/4 and all of the corpus's files (time should grow linearly), `--jobs 1`
  against `--jobs 2` on the whole corpus, and the parse cache cold (empty) against warm.
- Issue 16 (`growth.py`, set `growth` and with `corpus`): the CLI's main-process, largest-worker and
  summed peak RSS and its share of time in garbage collection; stage CPU seconds at 1x, 4x and 16x
  synthetic identities (the cost of an added identity must stay within 15 %); JEP405 on chained roles.

Every run is a fresh process: wall time is measured around it, and peak RSS is the largest
`ru_maxrss` of the run's process tree (read by a small wrapper process that waits for it, so one
run's figure never carries over into the next). A run that exceeds `--timeout` is killed (its
whole process group) and reported as such. Other work on the machine makes timings noisy: the
report prints the load average before and after.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import growth  # bench/growth.py, beside this script

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "corpus" / "real"
VENVS = REPO.parent / "bench-venvs"
CHECKOV_VERSION = "3.3.30"
CHECKOV_ENV = {"BC_SKIP_MAPPING": "TRUE", "CKV_SKIP_PACKAGE_UPDATE_CHECK": "TRUE"}
ONE_FILE = "terraform-aws-iam/examples/iam-user/main.tf"
CFN_TEMPLATES = 60

# Targets of issue 7.
MIN_RATIO = 10.0  # Checkov's time over jeplint's, on every set
MAX_ONE_FILE = 0.15  # seconds, interpreter start included (issue 16; issue 7 asked 0.3)
# One file whose `Action: "*"` needs every action of the AWS catalogue (every service decoded): may be slower.
STAR_FILE = REPO / "rules" / "JEP101-full-wildcard-action" / "bad.tf"
MAX_OVER_FLOOR = 1.3  # whole corpus scan over the parse-only floor
MAX_RSS_MB = 150.0  # the main process (issue 16)
MAX_NONLINEARITY = 0.10  # each scaling point within 10% of the straight line fitted through all four
MIN_SPEEDUP = 1.6  # --jobs 2 over --jobs 1 on the whole corpus
MAX_SUMMED_MB = 300.0  # issue 16: main process and its workers together
MAX_GC_SHARE = 5.0  # issue 16: percent of a scan's wall time in garbage collection

# Runs one command in its own process group, waits for it, and prints its wall time, exit code and
# the peak RSS of its process tree (RUSAGE_CHILDREN of this wrapper, which runs nothing else).
_WRAPPER = r"""
import json, os, resource, signal, subprocess, sys, time
cmd, timeout, env, log = json.load(sys.stdin)
start = time.perf_counter()
with open(log, "wb") as err:
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err, env=env, start_new_session=True)
    try:
        rc = proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        rc = None
wall = time.perf_counter() - start
print(json.dumps({"wall": wall, "rc": rc, "rss_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))
"""

# Times `parse_all` over the files of some paths, in a warm process (the parse-only floor).
_FLOOR = r"""
import gc, json, sys, time
from jeplint.discover import discover
from jeplint.run import Settings, parse_all
paths, jobs = json.load(sys.stdin)
found = discover(paths)
gc.disable()  # as `jeplint.run.scan` does
start = time.perf_counter()
parse_all(found.files, Settings(jobs=jobs))
print(json.dumps({"parse": time.perf_counter() - start, "files": len(found.files)}))
"""


@dataclass
class Run:
    wall: float | None  # None: timed out
    rss_mb: float
    rc: int | None  # None: timed out
    codes: str = ""  # exit code of each part (Checkov: per framework)


@dataclass
class FileSet:
    key: str
    title: str
    paths: list[str]  # what jeplint scans
    checkov: list[list[str]]  # one Checkov command line (arguments) per framework; times are summed


@dataclass
class Results:
    """Everything measured, for the printed report and `--json`."""

    machine: dict[str, str] = field(default_factory=dict)
    sets: dict[str, dict[str, object]] = field(default_factory=dict)
    scaling: list[dict[str, float]] = field(default_factory=list)
    jobs: dict[str, float] = field(default_factory=dict)
    cache: dict[str, dict[str, float]] = field(default_factory=dict)
    memory: dict[str, float] = field(default_factory=dict)  # issue 16: main, worker, summed MB; GC share
    identities: list[dict[str, float]] = field(default_factory=list)  # issue 16: stage CPU s at 1x, 4x, 16x
    jep405: dict[str, float | None] = field(default_factory=dict)  # issue 16: JEP405 s at 15 and 20 chained roles
    targets: list[dict[str, object]] = field(default_factory=list)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="jeplint beside Checkov: time and peak memory (issue 7)")
    parser.add_argument("--corpus", type=Path, default=CORPUS, help=f"the real corpus (default {CORPUS})")
    parser.add_argument("--venvs", type=Path, default=VENVS, help=f"where Checkov's venv lives (default {VENVS})")
    parser.add_argument("--runs", type=int, default=3, help="timed runs per tool and set, after one warm-up (default 3)")
    parser.add_argument("--jeplint-runs", type=int, default=5, help="timed runs of the jeplint-only series (default 5)")
    parser.add_argument("--sets", default="", help="comma-separated set keys to run (default: all): " + ", ".join(SET_KEYS))
    parser.add_argument("--no-checkov", action="store_true", help="time jeplint only")
    parser.add_argument(
        "--install-checkov",
        action="store_true",
        help=f"install Checkov {CHECKOV_VERSION} into VENVS/checkov when it is not there",
    )
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds before a run is killed (default 900)")
    parser.add_argument("--json", type=Path, help="also write every figure to this file")
    args = parser.parse_args(argv)
    if not args.corpus.is_dir():
        print(f"corpus not found: {args.corpus} (nothing to measure)")
        return 0
    bench = Bench(args)
    try:
        bench.run()
    finally:
        shutil.rmtree(bench.work, ignore_errors=True)
    if args.json:
        args.json.write_text(json.dumps(bench.results.__dict__, indent=2) + "\n")
    return 0


SET_KEYS = ("one", "iam", "goat", "cfn60", "modernisation", "corpus", "growth")


class Bench:
    """One benchmark run: its settings, its scratch folder (removed at the end) and its results."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.corpus: Path = args.corpus.resolve()
        self.results = Results()
        self.work = Path(tempfile.mkdtemp(prefix="jeplint-bench-"))
        self.cache_dir = self.work / "cache"  # jeplint never touches the user's cache here
        self.checkov = None if args.no_checkov else ensure_checkov(args.venvs / "checkov", args.install_checkov)
        self.env = {**os.environ, "PYTHONPATH": str(REPO), "JEPLINT_CACHE_DIR": str(self.cache_dir), "NO_COLOR": "1"}
        self.env.pop("PYTHONDONTWRITEBYTECODE", None)

    # -- the whole benchmark ----------------------------------------------------------------

    def run(self) -> None:
        subprocess.run(
            [sys.executable, "-m", "compileall", "-q", str(REPO / "jeplint")], check=True, env=self.env, stdout=subprocess.DEVNULL
        )
        self.results.machine = machine(self.checkov)
        self.results.machine["load before"] = load()
        print_machine(self.results.machine)
        wanted = [k for k in self.args.sets.split(",") if k] or list(SET_KEYS)
        for file_set in self.file_sets():
            if file_set.key in wanted:
                self.compare(file_set)
        if "corpus" in wanted:
            self.scaling()
            self.jobs()
        if "one" in wanted or "corpus" in wanted:
            self.cache(wanted)
        if "corpus" in wanted:
            self.results.memory = growth.memory_and_gc(self.corpus, self.env, self.args.runs, self.args.timeout) or {}
        if "growth" in wanted:
            self.results.identities = growth.identities(self.env, self.args.runs, self.args.timeout)
            self.results.jep405 = growth.jep405(self.env, min(self.args.timeout, 120.0))
        self.results.machine["load after"] = load()
        print(f"\nload average after: {self.results.machine['load after']}")
        self.targets()

    def file_sets(self) -> list[FileSet]:
        c = self.corpus
        cfn = cfn_selection(c / "aws-cloudformation-templates")
        quiet = ["--skip-download", "--quiet", "-o", "json"]
        return [
            FileSet("one", "one file", [str(c / ONE_FILE)], [["-f", str(c / ONE_FILE), "--framework", "terraform", *quiet]]),
            FileSet(
                "iam",
                "terraform-aws-iam",
                [str(c / "terraform-aws-iam")],
                [["-d", str(c / "terraform-aws-iam"), "--framework", "terraform", *quiet]],
            ),
            FileSet(
                "goat",
                "kubernetes-goat",
                [str(c / "kubernetes-goat")],
                [["-d", str(c / "kubernetes-goat"), "--framework", "kubernetes", *quiet]],
            ),
            FileSet(
                "cfn60", f"{len(cfn)} CloudFormation templates", cfn, [["-f", *cfn, "--framework", "cloudformation", *quiet]]
            ),
            FileSet(
                "modernisation",
                "modernisation-platform",
                [str(c / "modernisation-platform")],
                [["-d", str(c / "modernisation-platform"), "--framework", "terraform", *quiet]],
            ),
            FileSet(
                "corpus",
                "whole real corpus",
                [str(c)],
                [["-d", str(c), "--framework", framework, *quiet] for framework in ("terraform", "cloudformation", "kubernetes")],
            ),
        ]

    # -- jeplint beside Checkov ---------------------------------------------------------------

    def compare(self, file_set: FileSet) -> None:
        print(f"\n== {file_set.title}")
        analysed = self.analysed(file_set.paths)

        def jeplint():
            return self.jeplint(file_set.paths)

        checkov = (lambda: self.checkov_run(file_set.checkov)) if self.checkov else None
        jeplint()  # warm-up: file system cache, byte code
        if checkov:
            checkov()
        j_runs: list[Run] = []
        c_runs: list[Run] = []
        for _ in range(self.args.runs):
            j_runs.append(jeplint())
            if checkov:
                c_runs.append(checkov())
        floor = [self.floor(file_set.paths) for _ in range(self.args.runs)]
        row: dict[str, object] = {
            "title": file_set.title,
            "files analysed": analysed,
            "jeplint s": median_wall(j_runs),
            "jeplint runs": [r.wall for r in j_runs],
            "jeplint MB": max(r.rss_mb for r in j_runs),
            "parse floor s": statistics.median(floor),
        }
        if checkov:
            row.update(
                {
                    "checkov s": median_wall(c_runs),
                    "checkov runs": [r.wall for r in c_runs],
                    "checkov MB": max(r.rss_mb for r in c_runs),
                    "checkov exit codes": sorted({r.codes for r in c_runs}),
                }
            )
            j, c = row["jeplint s"], row["checkov s"]
            row["ratio"] = c / j if isinstance(c, float) and isinstance(j, float) else None
        self.results.sets[file_set.key] = row
        print_row(row)

    def jeplint(self, paths: list[str], *extra: str, env: dict[str, str] | None = None) -> Run:
        cmd = [sys.executable, "-m", "jeplint", "scan", *paths, "--format", "json", "--output", os.devnull, "--fail-on", "never"]
        return self.measure(cmd + list(extra or ["--no-cache"]), env or self.env)

    def checkov_run(self, commands: list[list[str]]) -> Run:
        """One Checkov run per framework, summed (a timeout in any makes the whole a timeout)."""
        assert self.checkov is not None
        env = {**os.environ, **CHECKOV_ENV}
        runs = [self.measure([str(self.checkov), *command], env) for command in commands]
        walls = [r.wall for r in runs]
        wall = None if None in walls else sum(w for w in walls if w is not None)
        bad = [r.rc for r in runs if r.rc not in (0, 1)]
        codes = " ".join(f"{command[command.index('--framework') + 1]}:{r.rc}" for command, r in zip(commands, runs))
        return Run(wall, max(r.rss_mb for r in runs), bad[0] if bad else runs[0].rc, codes)

    def measure(self, cmd: list[str], env: dict[str, str]) -> Run:
        log = self.work / "stderr.log"
        payload = json.dumps([cmd, self.args.timeout, env, str(log)])  # on stdin: too long for one argument
        # Run in the repository: `python -m` puts the working folder first on sys.path, so from another
        # checkout (say the main one) it would time that checkout's jeplint.
        out = subprocess.run(
            [sys.executable, "-c", _WRAPPER], input=payload, capture_output=True, text=True, check=True, cwd=REPO
        )
        data = json.loads(out.stdout)
        if data["rc"] not in (0, 1):
            tail = log.read_text(errors="replace").strip().splitlines()[-3:]
            what = "timed out" if data["rc"] is None else f"exit code {data['rc']}"
            print(f"   ! {Path(cmd[0]).name} {what}: {' | '.join(tail)}")
        return Run(data["wall"] if data["rc"] is not None else None, data["rss_kb"] / 1024, data["rc"])

    def analysed(self, paths: list[str]) -> int:
        """Files jeplint analyses in these paths (from one JSON report)."""
        report = self.work / "report.json"
        cmd = [
            sys.executable,
            "-m",
            "jeplint",
            "scan",
            *paths,
            "--format",
            "json",
            "--output",
            str(report),
            "--no-cache",
            "--fail-on",
            "never",
        ]
        subprocess.run(cmd, check=False, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=REPO)
        return int(json.loads(report.read_text())["summary"]["files_analysed"])

    def floor(self, paths: list[str], jobs: int = 0) -> float:
        out = subprocess.run(
            [sys.executable, "-c", _FLOOR],
            input=json.dumps([paths, jobs]),
            capture_output=True,
            text=True,
            env=self.env,
            check=True,
            cwd=REPO,
        )
        return float(json.loads(out.stdout)["parse"])

    # -- jeplint only -------------------------------------------------------------------------

    def scaling(self) -> None:
        """Scans of 1/4, 1/2, 3/4 and all of the corpus's files (explicit file lists, sorted)."""
        print("\n== scaling (jeplint, whole corpus, --no-cache)")
        sys.path.insert(0, str(REPO))
        from jeplint.discover import discover

        files = [f.path for f in discover([str(self.corpus)]).files]
        points = []
        for quarter in (1, 2, 3, 4):
            subset = files[: len(files) * quarter // 4]
            runs = self.alternate({"scan": lambda s=subset: self.jeplint(s)}, self.args.jeplint_runs)["scan"]  # type: ignore[misc]
            points.append({"files": float(len(subset)), "seconds": median_wall(runs) or 0.0})
            print(f"   {len(subset):>5} files  {points[-1]['seconds']:6.2f} s")
        self.results.scaling = points

    def jobs(self) -> None:
        print("\n== one core against two (jeplint, whole corpus, --no-cache)")
        runs = self.alternate(
            {
                "1": lambda: self.jeplint([str(self.corpus)], "--no-cache", "--jobs", "1"),
                "2": lambda: self.jeplint([str(self.corpus)], "--no-cache", "--jobs", "2"),
            },
            self.args.jeplint_runs,
        )
        self.results.jobs = {f"--jobs {k}": median_wall(v) or 0.0 for k, v in runs.items()}
        for k, v in self.results.jobs.items():
            print(f"   {k}  {v:6.2f} s")

    def cache(self, wanted: list[str]) -> None:
        """No parse cache (`--no-cache`; the compiled catalogues of the cache folder are read), a
        cold cache folder (a new, empty one per run: catalogues compiled, files parsed) and a warm
        one (filled by the warm-up). `star`: one file whose `Action: "*"` reads every action."""
        print("\n== parse cache (jeplint)")
        sets = {"one": [str(self.corpus / ONE_FILE)], "star": [str(STAR_FILE)], "corpus": [str(self.corpus)]}
        for key, paths in sets.items():
            if (key if key != "star" else "one") not in wanted:
                continue
            warm_env = {**self.env, "JEPLINT_CACHE_DIR": str(self.work / f"warm-{key}")}
            self.jeplint(paths, "--jobs", "0", env=warm_env)  # fills it

            def cold(p: list[str] = paths) -> Run:
                folder = tempfile.mkdtemp(dir=self.work, prefix="cold-")
                return self.jeplint(p, "--jobs", "0", env={**self.env, "JEPLINT_CACHE_DIR": folder})

            runs = self.alternate(
                {
                    "no cache": lambda p=paths: self.jeplint(p),  # type: ignore[misc]
                    "cold": cold,
                    "warm": lambda p=paths, e=warm_env: self.jeplint(p, "--jobs", "0", env=e),  # type: ignore[misc]
                },
                self.args.jeplint_runs,
            )
            self.results.cache[key] = {k: median_wall(v) or 0.0 for k, v in runs.items()}
            self.results.cache[key].update({f"{k} MB": max(r.rss_mb for r in v) for k, v in runs.items()})
            figures = "  ".join(f"{k} {median_wall(v):.2f} s / {max(r.rss_mb for r in v):.0f} MB" for k, v in runs.items())
            print(f"   {key:<7} {figures}")

    def alternate(self, commands: dict[str, Callable[[], Run]], count: int) -> dict[str, list[Run]]:
        for command in commands.values():
            command()  # warm-up
        runs: dict[str, list[Run]] = {k: [] for k in commands}
        for _ in range(count):
            for key, command in commands.items():
                runs[key].append(command())
        return runs

    # -- targets ------------------------------------------------------------------------------

    def targets(self) -> None:
        r = self.results
        checks: list[tuple[str, bool, str]] = []
        ratios = {k: v.get("ratio") for k, v in r.sets.items() if "ratio" in v}
        if ratios:
            worst = min(ratios.items(), key=lambda kv: kv[1] if isinstance(kv[1], float) else float("inf"))
            ok = all(isinstance(v, float) and v >= MIN_RATIO for v in ratios.values())
            checks.append(
                (
                    f"Checkov/jeplint >= {MIN_RATIO:g} on every set",
                    ok,
                    f"lowest {fmt_ratio(worst[1])} ({r.sets[worst[0]]['title']})",
                )
            )
        if "one" in r.sets:
            one = r.sets["one"]["jeplint s"]
            cold, warm = r.cache.get("one", {}).get("cold"), r.cache.get("one", {}).get("warm")
            star = r.cache.get("star", {}).get("no cache")
            extra = f", {cold:.3f} s with a cold cache folder, {warm:.3f} s warm" if cold and warm else ""
            extra += f'; Action "*" {star:.3f} s' if star else ""
            checks.append(
                (
                    f"single-file scan <= {MAX_ONE_FILE} s",
                    isinstance(one, float) and one <= MAX_ONE_FILE,
                    f"{one:.3f} s with --no-cache{extra}",
                )
            )
        if "corpus" in r.sets:
            scan, floor = r.sets["corpus"]["jeplint s"], r.sets["corpus"]["parse floor s"]
            if isinstance(scan, float) and isinstance(floor, float):
                checks.append(
                    (
                        f"whole corpus <= {MAX_OVER_FLOOR} x parse floor",
                        scan <= MAX_OVER_FLOOR * floor,
                        f"{scan:.2f} s = {scan / floor:.2f} x {floor:.2f} s",
                    )
                )
        rss = [v["jeplint MB"] for v in r.sets.values()] + [v for c in r.cache.values() for k, v in c.items() if k.endswith("MB")]
        if rss:
            peak = max(x for x in rss if isinstance(x, float))
            checks.append((f"peak RSS <= {MAX_RSS_MB:g} MB", peak <= MAX_RSS_MB, f"largest {peak:.0f} MB"))
        if len(r.scaling) == 4:
            ok, text = linearity(r.scaling)
            checks.append(("time linear in files", ok, text))
        if r.memory:
            summed, share = r.memory["summed MB"], r.memory["gc %"]
            checks.append((f"summed RSS <= {MAX_SUMMED_MB:g} MB", summed <= MAX_SUMMED_MB, f"{summed:.0f} MB"))
            checks.append((f"garbage collection <= {MAX_GC_SHARE:g} % of wall", share <= MAX_GC_SHARE, f"{share:.1f} %"))
        if len(r.identities) == 3:
            ratios = [growth.marginal_growth(r.identities, stage) for stage in ("parse", "graph", "rules", "JEP405", "report")]
            worst = max((x for x in ratios if x is not None), default=1.0)
            checks.append(("cost per identity grows <= 15 % (4x -> 16x)", worst <= 1.15, f"worst stage {worst:.2f}x"))
        if r.jep405:
            slowest = r.jep405.get("20")
            figure = f"{slowest:.2f} s" if slowest is not None else "killed"
            checks.append(("JEP405 on 20 chained roles < 0.1 s", slowest is not None and slowest < 0.1, figure))
        if r.jobs:
            speedup = r.jobs["--jobs 1"] / r.jobs["--jobs 2"]
            checks.append((f"2 cores >= {MIN_SPEEDUP}x faster than 1", speedup >= MIN_SPEEDUP, f"{speedup:.2f}x"))
        print("\n== targets")
        for name, met, text in checks:
            print(f"   {'met    ' if met else 'NOT MET'}  {name:<42} {text}")
            r.targets.append({"target": name, "met": met, "figure": text})


def linearity(points: list[dict[str, float]]) -> tuple[bool, str]:
    """Least-squares line through (files, seconds); linear when every point lies within
    `MAX_NONLINEARITY` of it."""
    xs, ys = [p["files"] for p in points], [p["seconds"] for p in points]
    slope, intercept = statistics.linear_regression(xs, ys)
    worst = max(abs(y - (intercept + slope * x)) / y for x, y in zip(xs, ys))
    return worst <= MAX_NONLINEARITY, f"{slope * 1000:.2f} ms/file + {intercept:.2f} s; points within {worst:.0%} of the line"


def cfn_selection(folder: Path) -> list[str]:
    """The first `CFN_TEMPLATES` CloudFormation templates of the folder, sorted by path."""
    found = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix in (".yaml", ".yml", ".json", ".template")):
        text = path.read_text(encoding="utf-8", errors="replace")
        if "AWS::" in text:
            found.append(str(path))
        if len(found) == CFN_TEMPLATES:
            break
    return found


def ensure_checkov(venv: Path, install: bool) -> Path | None:
    """Checkov `CHECKOV_VERSION` from its own venv; with `install`, installed there when missing.
    None (said on stdout: the benchmark then times jeplint alone) when it is not there or cannot be
    installed (no network, no package index)."""
    checkov = venv / "bin" / "checkov"
    found = _checkov_version(checkov)
    if found == CHECKOV_VERSION:
        return checkov
    where = f"{venv} holds Checkov {found}" if found else f"no Checkov in {venv}"
    if not install:
        print(f"Checkov column left out: {where} (--install-checkov installs {CHECKOV_VERSION} there)")
        return None
    print(f"installing Checkov {CHECKOV_VERSION} into {venv} ({where}; a few minutes)", flush=True)
    try:
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
        pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", f"checkov=={CHECKOV_VERSION}"]
        subprocess.run(pip, check=True, timeout=1800)
    except (OSError, subprocess.SubprocessError) as exc:
        print(f"Checkov column left out: installing it failed ({exc})")
        return None
    return checkov if _checkov_version(checkov) == CHECKOV_VERSION else None


def _checkov_version(checkov: Path) -> str:
    if not checkov.exists():
        return ""
    env = {**os.environ, **CHECKOV_ENV}
    try:
        run = subprocess.run([str(checkov), "--version"], check=False, capture_output=True, text=True, env=env, timeout=120)
    except (OSError, subprocess.SubprocessError):
        return ""
    return run.stdout.strip()


def machine(checkov: Path | None) -> dict[str, str]:
    sys.path.insert(0, str(REPO))
    from jeplint import __version__

    info = {
        "cpus": str(os.cpu_count()),
        "cpu": cpu_model(),
        "memory": f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB",
        "os": platform.platform(),
        "python": platform.python_version(),
        "jeplint": __version__,
    }
    if checkov:
        info["checkov"] = CHECKOV_VERSION
    return info


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def median_wall(runs: list[Run]) -> float | None:
    walls = [r.wall for r in runs]
    return None if not walls or None in walls else statistics.median(w for w in walls if w is not None)


def fmt_ratio(value: object) -> str:
    return f"{value:.1f}x" if isinstance(value, float) else "n/a"


def fmt_seconds(value: object) -> str:
    return f"{value:.2f} s" if isinstance(value, float) else "timeout"


def print_machine(info: dict[str, str]) -> None:
    print("machine: " + ", ".join(f"{k} {v}" for k, v in info.items()))


def print_row(row: dict[str, object]) -> None:
    print(f"   files analysed by jeplint: {row['files analysed']}")
    print(
        f"   jeplint  {fmt_seconds(row['jeplint s']):>10}  {row['jeplint MB']:6.0f} MB   (parse-only floor {fmt_seconds(row['parse floor s'])})"
    )
    if "checkov s" in row:
        print(
            f"   checkov  {fmt_seconds(row['checkov s']):>10}  {row['checkov MB']:6.0f} MB   exit codes {', '.join(row['checkov exit codes'])}"
        )  # type: ignore[arg-type]
        print(f"   ratio    {fmt_ratio(row['ratio']):>10}")


if __name__ == "__main__":
    sys.exit(main())
