"""`jeplint diff` on the whole shared real corpus with one changed file, against one `jeplint scan`.

Copies `../shared/corpus/real` into a temporary git repository (never into this one), commits it,
widens one policy (`iam:ListUsers` becomes `iam:List*` in a cloudgoat scenario), and times, each as a
fresh process from the repository root, best of `--runs`:

- `jeplint scan .` and `jeplint diff .`, both with a warm parse cache (the usual case: the cache
  holds the base's files from earlier runs);
- both again with an empty cache (a CI runner without a restored cache).

It also checks the report: exactly the widened identity, and nothing at all on an unchanged tree.
The issue's budget: diff <= 1.5 x scan.

    python bench/diff_speed.py [--runs 3] [--corpus ../shared/corpus/real]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHANGED = "cloudgoat/cloudgoat/scenarios/aws/iam_enum_basics/terraform/iam.tf"
BEFORE, AFTER = 'Action   = "iam:ListUsers"', 'Action   = "iam:List*"'
EXPECTED = "cloudgoat/cloudgoat/scenarios/aws/iam_enum_basics/terraform/aws_iam_role.flag4_role"


def git(repo: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "b", "GIT_AUTHOR_EMAIL": "b@example.com"}
    env |= {"GIT_COMMITTER_NAME": "b", "GIT_COMMITTER_EMAIL": "b@example.com"}
    subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)


def jeplint(repo: Path, cache: str, *args: str) -> tuple[float, float, str]:
    """(wall seconds, CPU seconds of the process and its children, stdout)."""
    env = {**os.environ, "JEPLINT_CACHE_DIR": cache, "PYTHONPATH": str(ROOT)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "jeplint", *args], cwd=repo, env=env, capture_output=True, text=True, check=False
    )
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1):
        raise SystemExit(f"jeplint {' '.join(args)} exited {done.returncode}: {done.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu, done.stdout


def best(runs: int, repo: Path, cache: str, cold: bool, *args: str) -> tuple[float, float]:
    """The best wall time and the best CPU time of `runs` runs."""
    walls, cpus = [], []
    for _ in range(runs):
        if cold:
            shutil.rmtree(cache, ignore_errors=True)
        wall, cpu, _ = jeplint(repo, cache, *args)
        walls.append(wall)
        cpus.append(cpu)
    return min(walls), min(cpus)


def check(repo: Path, cache: str) -> None:
    report = json.loads(jeplint(repo, cache, "diff", "-f", "json", ".")[2])
    keys = [i["identity"] for i in report["identities"]]
    assert keys == [EXPECTED], keys
    print(f"widened: {keys[0]} gains {len(report['identities'][0]['added_actions'])} actions")
    git(repo, "stash")
    report = json.loads(jeplint(repo, cache, "diff", "-f", "json", ".")[2])
    git(repo, "stash", "pop")
    assert report["identities"] == [] and report["findings"]["new"] == report["findings"]["fixed"] == [], report["summary"]
    print(f"unchanged tree: no identity, no new or fixed finding ({report['findings']['unchanged']} unchanged)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpus" / "real"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="jeplint-diff-bench-") as tmp:
        repo, cache = Path(tmp) / "repo", str(Path(tmp) / "cache")
        shutil.copytree(args.corpus, repo, symlinks=True)
        git(repo, "init", "-q")
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", "base")
        path = repo / CHANGED
        path.write_text(path.read_text().replace(BEFORE, AFTER, 1))
        files = int(subprocess.run(["git", "ls-files"], cwd=repo, capture_output=True, text=True).stdout.count("\n"))
        print(f"corpus: {files} files; changed: {CHANGED}")
        jeplint(repo, cache, "scan", ".")  # warm the cache with the working tree
        check(repo, cache)
        print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        for label, cold in (("warm cache", False), ("empty cache", True)):
            scan, scan_cpu = best(args.runs, repo, cache, cold, "scan", ".", "--format", "json")
            diff, diff_cpu = best(args.runs, repo, cache, cold, "diff", ".", "--format", "json")
            print(
                f"{label}: scan {scan:.2f} s (CPU {scan_cpu:.2f} s), diff {diff:.2f} s (CPU {diff_cpu:.2f} s), "
                f"ratio {diff / scan:.2f} wall, {diff_cpu / scan_cpu:.2f} CPU (budget 1.50)"
            )
        print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
