"""Issue 16's rows of `speed.py` that need more than a stopwatch around a process.

- `identities`: scans of synthetic AWS estates of 1x, 4x and 16x `BASE_IDENTITIES` roles, timed
  per stage (parse, graph, rules with JEP405 apart, report) in CPU seconds of one process
  (`--jobs 1`), so super-linear growth of any stage shows at once.
- `jep405`: 15 and 20 roles that all trust the account root and hold `sts:AssumeRole` on `*` (the
  worst case of role chains), JEP405 alone.
- `memory_and_gc`: the whole corpus scanned by the CLI's code path in one process: its own peak RSS,
  the largest worker's, their sum, and the share of the wall time spent in garbage collection.

Every measurement runs in a fresh child process (`_STAGES`, `_MEMORY`), killed after `timeout`.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent  # children run here: `-c` puts the working folder first on sys.path
BASE_IDENTITIES = 200
ROLES_PER_FOLDER = 25  # one Terraform module per 25 roles, as an account factory lays them out

_ROLE = """
resource "aws_iam_role" "r{i}" {{
  name = "role-{i}"
  assume_role_policy = jsonencode({{
    Version   = "2012-10-17"
    Statement = [{{ Effect = "Allow", Principal = {{ {principal} }}, Action = "sts:AssumeRole" }}]
  }})
}}

resource "aws_iam_role_policy" "p{i}" {{
  name = "p-{i}"
  role = aws_iam_role.r{i}.id
  policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [
      {{ Effect = "Allow", Action = [{actions}], Resource = "*" }},
      {{ Effect = "Allow", Action = ["s3:GetObject", "s3:PutObject"], Resource = "arn:aws:s3:::bucket-{i}/*" }},
    ]
  }})
}}
"""

# A realistic mix, one per role in turn: read-only, a deployer that can escalate, an admin of a service.
_ACTIONS = (
    '"ec2:Describe*", "cloudwatch:GetMetricData"',
    '"iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"',
    '"dynamodb:*"',
    '"s3:List*", "kms:Decrypt"',
)


def write_estate(folder: Path, count: int, chained: bool = False) -> None:
    """`count` roles in folders of `ROLES_PER_FOLDER`. `chained`: every role trusts the account root
    and may assume any role (JEP405's worst case); else each trusts a service."""
    for start in range(0, count, ROLES_PER_FOLDER):
        module = folder / f"module{start // ROLES_PER_FOLDER:04d}"
        module.mkdir(parents=True, exist_ok=True)
        parts = []
        for i in range(start, min(start + ROLES_PER_FOLDER, count)):
            if chained:
                principal = 'AWS = "arn:aws:iam::123456789012:root"'
                actions = '"sts:AssumeRole"' if i else '"sts:AssumeRole", "iam:PassRole", "lambda:CreateFunction"'
            else:
                principal, actions = 'Service = "lambda.amazonaws.com"', _ACTIONS[i % len(_ACTIONS)]
            parts.append(_ROLE.format(i=i, principal=principal, actions=actions))
        (module / "main.tf").write_text("".join(parts), encoding="utf-8")


# Prints {"parse": s, "graph": s, "rules": s, "JEP405": s, "report": s} in CPU seconds.
_STAGES = r"""
import gc, json, sys, time
from jeplint import run
from jeplint.graph.build import build_graph
from jeplint.report import json_report
paths, select = json.loads(sys.argv[1]), tuple(json.loads(sys.argv[2]))
lean = {"keep_lines": False} if "keep_lines" in run.Settings.__dataclass_fields__ else {}  # older checkouts
settings = run.Settings(jobs=1, select=select, **lean)
try:  # the compiled catalogues in the cache folder, as `jeplint scan` reads them (older checkouts: compiled here)
    from jeplint.cache import use_catalogue_folder
    use_catalogue_folder()
except ImportError:
    pass
gc.disable()
clock, out = time.process_time, {}
start = clock()
found, _ = run._discover(paths, settings)
files = run.parse_all(found.files, settings)
out["parse"] = clock() - start
start = clock()
graph = build_graph(files, paths)
out["graph"] = clock() - start
out["rules"] = out["JEP405"] = 0.0
for rule in run.selected_rules(settings):
    start = clock()
    list(rule.check(graph, settings.options))
    out["JEP405" if rule.id == "JEP405" else "rules"] += clock() - start
start = clock()
result = run.scan(paths, settings)
start = clock()
json_report.dumps(result, show_suppressed=False)
out["report"] = clock() - start
print(json.dumps(out))
"""

# Prints {"scan": s}: the whole scan as `jeplint scan` runs it, alone in a fresh process (a second
# scan in the process above would run on top of the first one's data and memos).
_SCAN = r"""
import gc, json, sys, time
from jeplint import run
paths, select = json.loads(sys.argv[1]), tuple(json.loads(sys.argv[2]))
lean = {"keep_lines": False} if "keep_lines" in run.Settings.__dataclass_fields__ else {}  # older checkouts
settings = run.Settings(jobs=1, select=select, **lean)
start = time.process_time()
run.scan(paths, settings)
print(json.dumps({"scan": time.process_time() - start}))
"""

# Prints the CLI's peak RSS figures and its share of time in garbage collection.
_MEMORY = r"""
import gc, io, json, os, resource, sys, time
spent = [0.0]
started = {}
def watch(phase, info):
    if phase == "start":
        started["t"] = time.perf_counter()
    else:
        spent[0] += time.perf_counter() - started.pop("t", time.perf_counter())
gc.callbacks.append(watch)
from jeplint import cli
begin = time.perf_counter()
sys.stdout = io.StringIO()
try:
    cli.main(["scan", *json.loads(sys.argv[1]), "--no-cache", "--format", "json", "--fail-on", "never"])
except SystemExit:
    pass
sys.stdout = sys.__stdout__
wall = time.perf_counter() - begin
me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
jobs = os.cpu_count() or 1
print(json.dumps({"main MB": me.ru_maxrss / 1024, "worker MB": kids.ru_maxrss / 1024,
                  "summed MB": (me.ru_maxrss + jobs * kids.ru_maxrss) / 1024, "gc s": spent[0], "wall s": wall}))
"""


def _child(code: str, args: list[str], env: dict[str, str], timeout: float) -> dict[str, float] | None:
    try:
        out = subprocess.run(
            [sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, timeout=timeout, check=True, cwd=REPO
        )
    except subprocess.TimeoutExpired:
        return None
    except subprocess.CalledProcessError as exc:
        raise RuntimeError(f"measurement failed: {exc.stderr.strip()[-2000:]}") from None
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def _median(runs: list[dict[str, float] | None]) -> dict[str, float] | None:
    done = [r for r in runs if r is not None]
    if len(done) < len(runs) or not done:
        return None
    return {key: statistics.median(r[key] for r in done) for key in done[0]}


_SHOWN = ("parse", "graph", "rules", "JEP405", "report", "scan")


def identities(env: dict[str, str], runs: int, timeout: float) -> list[dict[str, float]]:
    """Stage CPU seconds at 1x, 4x and 16x `BASE_IDENTITIES` roles (medians of `runs`)."""
    print(f"\n== growth in identities (jeplint, synthetic AWS estate, CPU s of one process, medians of {runs})")
    print(f"   {'roles':>6} " + " ".join(f"{k:>7}" for k in _SHOWN))
    points = []
    for factor in (1, 4, 16):
        count = BASE_IDENTITIES * factor
        with tempfile.TemporaryDirectory(prefix="jeplint-growth-") as folder:
            write_estate(Path(folder), count)
            found = _median([_child(_STAGES, [json.dumps([folder]), "[]"], env, timeout) for _ in range(runs)])
            whole = _median([_child(_SCAN, [json.dumps([folder]), "[]"], env, timeout) for _ in range(runs)])
        found = None if found is None or whole is None else {**found, **whole}
        if found is None:
            print(f"   {count:>6}  did not finish within {timeout:g} s")
            break
        points.append({"identities": float(count), **found})
        print(f"   {count:>6} " + " ".join(f"{found[k]:7.2f}" for k in _SHOWN))
    for stage in _SHOWN:
        ratio = marginal_growth(points, stage)
        if ratio is not None:
            print(f"   {stage:<7} cost of an identity added from 4x to 16x / from 1x to 4x: {ratio:.2f} (linear: 1.00 +- 0.15)")
    return points


def marginal_growth(points: list[dict[str, float]], stage: str) -> float | None:
    """What one more identity costs between 4x and 16x over what it costs between 1x and 4x (fixed
    costs, such as loading a catalogue, cancel out); None when the stage is too small to say."""
    if len(points) != 3:
        return None
    low = (points[1][stage] - points[0][stage]) / (points[1]["identities"] - points[0]["identities"])
    high = (points[2][stage] - points[1][stage]) / (points[2]["identities"] - points[1]["identities"])
    return high / low if points[2][stage] > 0.05 and low > 0 else None


def jep405(env: dict[str, str], timeout: float) -> dict[str, float | None]:
    """JEP405 alone on 15 and 20 roles that all trust the account root and hold sts:AssumeRole *."""
    print("\n== JEP405 on roles that all trust the account root and hold sts:AssumeRole * (CPU s)")
    out: dict[str, float | None] = {}
    for count in (15, 20):
        with tempfile.TemporaryDirectory(prefix="jeplint-jep405-") as folder:
            write_estate(Path(folder), count, chained=True)
            found = _child(_STAGES, [json.dumps([folder]), '["JEP405"]'], env, timeout)
        out[str(count)] = None if found is None else found["JEP405"]
        shown = f"{found['JEP405']:.2f} s" if found else f"> {timeout:g} s (killed)"
        print(f"   {count:>3} roles  {shown}")
    return out


def memory_and_gc(corpus: Path, env: dict[str, str], runs: int, timeout: float) -> dict[str, float] | None:
    """The CLI on the whole corpus: peak RSS of the main process, of the largest worker, summed; GC share."""
    print(f"\n== memory and garbage collection (jeplint CLI code path, whole corpus, medians of {runs})")
    found = _median([_child(_MEMORY, [json.dumps([str(corpus)])], env, timeout) for _ in range(runs)])
    if found is None:
        print("   did not finish")
        return None
    share = 100 * found["gc s"] / found["wall s"]
    print(
        f"   main {found['main MB']:.0f} MB, largest worker {found['worker MB']:.0f} MB, "
        f"summed over {os.cpu_count()} workers {found['summed MB']:.0f} MB; "
        f"collection {found['gc s']:.2f} s of {found['wall s']:.2f} s ({share:.1f} %)"
    )
    return {**found, "gc %": share}
