#!/usr/bin/env python3
"""Recall and precision of jeplint's JEP4 rules (escalation and trust) on the labeled corpus.

    /work/venv/bin/python bench/accuracy_escalation.py [--verbose] [--corpus DIR]

The corpus lives outside the repository, in `../shared/corpus/labeled` (see its MANIFEST.md); it is
read in place and never copied. When it is absent the script says so and exits 0. The approach is
`bench/accuracy.py`'s, whose source-text scanner (element extents, enclosing resources) it reuses;
jeplint runs in-process, one scan per KICS test folder, kube-linter fixture and cfn_nag template,
with JEP1 and JEP4 selected (JEP1 so that a wildcard label that JEP104/JEP101 answer by design is
seen as answered).

Cases and what answers them
---------------------------
`CASES` maps each labeled query to the rules that answer it and, for the Kubernetes queries, the
risk its JEP402 message must name ("create pods (create)", "read secrets (get)", ...): one JEP402 finding covers
every risk of one RBAC rule, so a finding counts for a query only when it names that query's risk.
Queries that JEP4 deliberately does not answer are in `OUT_OF_SCOPE`, scanned and counted apart,
each with its reason.

Matching (the first criterion that holds is reported)
-----------------------------------------------------
A KICS expected (file, line) is *found* by a finding of an answering rule (naming the risk, where
one is set) that is:
  1. line      on the expected line;
  2. related   one of its related locations (the statement, token, binding, identity, trust
               principal) starts on the expected line or spans it;
  3. element   inside the syntactic element that starts on the expected line (a block, a key);
  4. resource  in the same top-level resource (Terraform block, CloudFormation resource, Kubernetes
               object) as the expected line, itself or through a related location.
A kube-linter expected object is found by a JEP402 finding naming the risk whose location or a
related location lies in that object's document. A cfn_nag expected logical id is found by an
answering finding inside the resource, itself or through a related location.

Counting
--------
recall    = expected items found / expected items.
precision = matched findings / (matched + false positives). A false positive is a finding of an
            answering rule (naming the risk, for Kubernetes) in a file or object labeled clean
            (KICS negative*, cfn_nag `[]`, kube-linter objects not in the messages). Findings of
            other rules, or about another risk, are listed as "other" and not counted.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from accuracy import DEFAULT_CORPUS, SourceText, jeplint_state, pct, table  # the shared text scanner

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

PRIVESC = re.compile(r"^terraform/aws/(role|user|group)_with_privilege_escalation_by_actions_")

# query folder -> (answering rules, risk the message must name or "", why it is in scope). The first rule
# is the one the query is about; the others (JEP104 for a grant made by "*", JEP101 for a "*" role) answer
# it by design when they are the ones that fire, and are never counted as false positives here.
CASES: dict[str, tuple[tuple[str, ...], str, str]] = {
    "k8s/rbac_roles_allow_privilege_escalation": (("JEP402",), "bind roles", "bind / escalate on roles"),
    "k8s/rbac_roles_with_attach_permission": (("JEP402",), "exec into pods", "create or get on pods/attach"),
    "k8s/rbac_roles_with_exec_permission": (("JEP402",), "exec into pods", "create or get on pods/exec"),
    "k8s/rbac_roles_with_impersonate_permission": (("JEP402",), "impersonate", "impersonate"),
    "k8s/rbac_roles_with_read_secrets_permissions": (("JEP402", "JEP104"), "read secrets", "get/list/watch Secrets"),
    "terraform/kubernetes/rbac_roles_with_read_secrets_permissions": (
        ("JEP402", "JEP104"),
        "read secrets",
        "get/list/watch Secrets (Terraform)",
    ),
    "k8s/service_account_allows_access_secrets": (("JEP402", "JEP104"), "read secrets", "a ServiceAccount bound to Secrets read"),
    "terraform/kubernetes/service_account_allows_access_secrets": (
        ("JEP402", "JEP104"),
        "read secrets",
        "the same, in Terraform",
    ),
    "k8s/permissive_access_to_create_pods": (("JEP402", "JEP104"), "create pods", "create pods"),
    "terraform/gcp/google_project_iam_binding_service_account_has_token_creator_or_account_user_role": (
        ("JEP403",),
        "",
        "token creator / service account user at project level",
    ),
    "terraform/gcp/google_project_iam_member_service_account_has_token_creator_or_account_user_role": (
        ("JEP403",),
        "",
        "token creator / service account user at project level",
    ),
    "terraform/gcp/google_project_iam_member_service_account_has_admin_role": (("JEP403",), "", "roles/iam.serviceAccountAdmin"),
    "terraform/azure/role_definition_allows_custom_role_creation": (
        ("JEP403", "JEP101"),
        "",
        'roleDefinitions/write (JEP101 for "*")',
    ),
    "terraform/aws/cross_account_iam_assume_role_policy_without_external_id_or_mfa": (
        ("JEP404",),
        "",
        "account root without ExternalId/MFA",
    ),
    "cloudFormation/aws/cross_account_iam_assume_role_policy_without_external_id_or_mfa": (
        ("JEP404",),
        "",
        "the same, CloudFormation",
    ),
    "terraform/aws/iam_role_allows_all_principals_to_assume": (("JEP404",), "", "trust open to every principal"),
    "cloudFormation/aws/iam_role_allows_all_principals_to_assume": (("JEP404",), "", "trust open to every principal"),
    "terraform/aws/iam_policy_grants_assumerole_permission_across_all_services": (
        ("JEP404",),
        "",
        'trust with Principal AWS "*"',
    ),
}
OUT_OF_SCOPE: dict[str, tuple[tuple[str, ...], str, str]] = {
    "k8s/rbac_roles_with_portforwarding_permissions": (
        ("JEP402",),
        "port-forward",
        "port-forward reaches a pod's ports, not its identity",
    ),
    "terraform/aws/iam_role_with_full_privileges": (("JEP404",), "", 'Action "*" in a trust policy that names its principals'),
    "cloudFormation/aws/iam_policy_grants_assumerole_permission_across_all_services": (
        ("JEP404", "JEP405"),
        "",
        'identity policy sts:AssumeRole on "*" (JEP105); JEP405 needs a role that trusts it',
    ),
    "terraform/aws/lambda_function_with_privileged_role": (("JEP401",), "", "privileged-action list, not an escalation path"),
}
# kube-linter check -> (risk, expected document indexes)
KUBE_LINTER = {"access-to-create-pods": ("create pods", (1, 2)), "access-to-secrets": ("read secrets", (1, 2))}
# cfn_nag rule id -> (answering rules, scope, why)
CFN_NAG = {
    "F6": (("JEP404",), "in", "NotPrincipal with Allow in a trust policy"),
    "F38": (("JEP401",), "out", 'iam:PassRole on "*" alone is not an escalation path (JEP105 reports it)'),
    "F39": (("JEP401",), "out", 'iam:PassRole on "*" alone is not an escalation path (JEP105 reports it)'),
    "F40": (("JEP401",), "out", 'iam:PassRole on "*" alone is not an escalation path (JEP105 reports it)'),
    "F2": (("JEP404",), "out", 'Action "*" in a trust policy that names its principal'),
    "W14": (("JEP404",), "out", "NotAction in a trust policy that names its principal"),
}
# Misses explained by hand. Key: (file relative to the corpus, line or logical id).
_GLOB = 'KICS matches RBAC names as globs; Kubernetes does not (only a lone "*" is a wildcard), so "c*e" / "p*ds" grant nothing'
_NAMED = 'Secrets read only by name (resource_names = ["foo"]) is the narrow way to read a workload\'s own Secret: not reported by design'
_ROOT = "principal arn:aws:iam::root has no account id: AWS rejects it, so it admits nobody; not reported by design"
NOTES: dict[tuple[str, str], str] = {
    ("kics/k8s/permissive_access_to_create_pods/test/positive1.yaml", "48"): _GLOB,
    ("kics/k8s/permissive_access_to_create_pods/test/positive1.yaml", "60"): _GLOB,
    ("kics/terraform/kubernetes/rbac_roles_with_read_secrets_permissions/test/positive.tf", "9"): _NAMED,
    ("kics/terraform/kubernetes/rbac_roles_with_read_secrets_permissions/test/positive.tf", "48"): _NAMED,
    ("kics/terraform/aws/iam_role_allows_all_principals_to_assume/test/positive.tf", "37"): _ROOT,
    ("kics/cloudFormation/aws/iam_role_allows_all_principals_to_assume/test/positive1.yaml", "6"): _ROOT,
    ("kics/cloudFormation/aws/iam_role_allows_all_principals_to_assume/test/positive2.json", "7"): _ROOT,
}
# False positives judged by design. Key: (file relative to the corpus, rule id) -> why.
BY_DESIGN: dict[tuple[str, str], str] = {
    (
        "kics/k8s/service_account_allows_access_secrets/test/negative.yaml",
        "JEP402",
    ): "KICS only asks whether a ServiceAccount is bound to the role; JEP402 reports every rule that reads Secrets, "
    "bound to a user or to no one yet (it says so)",
}


@dataclass
class Hit:
    rule: str
    level: str
    message: str
    path: str
    line: int
    related: list[tuple[str, int, int]]  # (path, line, end line)


@dataclass
class Item:
    file: str
    key: str
    found_by: str = ""
    reason: str = ""


@dataclass
class Case:
    source: str
    name: str
    scope: str
    rules: tuple[str, ...]
    risk: str
    why: str
    items: list[Item] = field(default_factory=list)
    matched: list[Hit] = field(default_factory=list)
    fps: list[Hit] = field(default_factory=list)
    other: list[Hit] = field(default_factory=list)

    def answers(self, hit: Hit) -> bool:
        return hit.rule in self.rules and (not self.risk or hit.rule != "JEP402" or f"{self.risk} (" in hit.message)

    def wrong(self, hit: Hit) -> bool:
        """A finding of the query's own rule (about its risk) where the label says clean."""
        return hit.rule == self.rules[0] and self.answers(hit)


def run(corpus: Path, target: str) -> tuple[list[Hit], list[str]]:
    """One in-process scan of `target` (JEP1 and JEP4); paths relative to the corpus."""
    from jeplint.run import Settings, scan

    result = scan([str(corpus / target)], Settings(select=("JEP1", "JEP4"), jobs=1))

    def rel(path: str) -> str:
        return os.path.relpath(os.path.normpath(Path.cwd() / path), corpus)

    hits = [
        Hit(
            f.rule_id,
            f.level,
            f.message,
            rel(f.span.path),
            f.span.line,
            [(rel(r.span.path), r.span.line, r.span.end_line) for r in f.related],
        )
        for f in result.findings
    ]
    return hits, [f"{p.path}: {p.reason}" for p in result.problems if p.level == "error"]


def _criterion(hit: Hit, path: str, line: int, text: SourceText) -> str:
    if hit.path == path and hit.line == line:
        return "line"
    if any(p == path and start <= line <= end for p, start, end in hit.related):
        return "related"
    lo, hi = text.extent(line)
    if hit.path == path and lo <= hit.line <= hi:
        return "element"
    container = text.container(line)
    if container is not None:
        spots = [(hit.path, hit.line)] + [(p, start) for p, start, _ in hit.related]
        if any(p == path and container.start <= at <= container.end for p, at in spots):
            return "resource"
    return ""


def privesc_queries(corpus: Path) -> list[str]:
    """The 57 KICS `*_with_privilege_escalation_by_actions_*` queries."""
    found = (q.relative_to(corpus / "kics").as_posix() for q in (corpus / "kics" / "terraform" / "aws").iterdir())
    return sorted(q for q in found if PRIVESC.match(q))


def kics_cases(corpus: Path, texts: dict[str, SourceText], scans: dict[str, list[Hit]]) -> list[Case]:
    cases = []
    table_ = {q: (("JEP401",), "", "escalation by actions (pathfinding.cloud, cloudsplaining)") for q in privesc_queries(corpus)}
    for scope, entries in (("in", {**table_, **CASES}), ("out", OUT_OF_SCOPE)):
        for query, (rules, risk, why) in entries.items():
            folder = corpus / "kics" / query / "test"
            if not folder.is_dir():
                continue
            case = Case("kics", query, scope, rules, risk, why)
            cases.append(case)
            hits = scans[f"kics/{query}/test"]
            expected = json.loads((folder / "positive_expected_result.json").read_text(encoding="utf-8"))
            positives = sorted(
                p.name for p in folder.iterdir() if p.name.startswith("positive") and p.name != "positive_expected_result.json"
            )
            seen: set[tuple[str, int]] = set()
            matched: set[int] = set()
            for entry in expected:
                name = entry.get("fileName") or (positives[0] if len(positives) == 1 else "")
                rel = f"kics/{query}/test/{name}"
                if (rel, entry["line"]) in seen or not name:
                    continue
                seen.add((rel, entry["line"]))
                item = Item(rel, str(entry["line"]))
                case.items.append(item)
                text = texts.setdefault(rel, SourceText(corpus / rel))
                for hit in hits:
                    if case.answers(hit) and (how := _criterion(hit, rel, entry["line"], text)):
                        item.found_by = item.found_by or how
                        matched.add(id(hit))
                if not item.found_by:
                    item.reason = NOTES.get((rel, item.key), "not found")
            for hit in hits:
                clean = Path(hit.path).name.startswith("negative")
                if id(hit) in matched:
                    case.matched.append(hit)
                elif clean and case.wrong(hit):
                    case.fps.append(hit)
                else:
                    case.other.append(hit)
    return cases


def kube_linter_cases(corpus: Path, texts: dict[str, SourceText], scans: dict[str, list[Hit]]) -> list[Case]:
    cases = []
    for check, (risk, docs) in KUBE_LINTER.items():
        rel = f"kube-linter/tests/checks/{check}.yml"
        case = Case("kube-linter", check, "in", ("JEP402",), risk, f"{risk}: the binding and its role")
        cases.append(case)
        text = texts.setdefault(rel, SourceText(corpus / rel))
        objects = {c.index: c for c in text.containers()}
        expected = [objects[d] for d in docs if d in objects]

        def touches(hit: Hit, container: object, path: str = rel) -> bool:
            spots = [(hit.path, hit.line)] + [(p, s) for p, s, _ in hit.related]
            return any(p == path and container.start <= at <= container.end for p, at in spots)  # type: ignore[attr-defined]

        hits = scans[rel]
        for container in expected:
            item = Item(rel, f"doc {container.index} {container.type} {container.name}")
            case.items.append(item)
            if any(case.answers(h) and touches(h, container) for h in hits):
                item.found_by = "object"
            else:
                item.reason = "not found"
        for hit in hits:
            if not case.wrong(hit):
                case.other.append(hit)
            elif any(touches(hit, c) for c in expected):
                case.matched.append(hit)
            else:
                case.fps.append(hit)
    return cases


def cfn_nag_cases(corpus: Path, texts: dict[str, SourceText], scans: dict[str, list[Hit]]) -> list[Case]:
    labels = json.loads((corpus / "cfn_nag/expected.json").read_text(encoding="utf-8"))
    cases: dict[str, Case] = {}
    for raw in labels["cases"]:
        rule_id = raw.get("rule_id")
        if rule_id not in CFN_NAG:
            continue
        rules, scope, why = CFN_NAG[rule_id]
        case = cases.setdefault(rule_id, Case("cfn_nag", rule_id, scope, rules, "", why))
        ids = raw.get("expected_offending_logical_resource_ids") or []
        for template in raw["templates"]:
            rel = f"cfn_nag/spec/test_templates/{template}"
            text = texts.setdefault(rel, SourceText(corpus / rel))
            resources = {c.name: c for c in text.containers()}
            hits = scans[rel]
            matched: set[int] = set()
            for logical in ids:
                item = Item(rel, logical)
                case.items.append(item)
                container = resources.get(logical)
                for hit in hits:
                    spots = [(hit.path, hit.line)] + [(p, s) for p, s, _ in hit.related]
                    if (
                        container
                        and case.answers(hit)
                        and any(p == rel and container.start <= at <= container.end for p, at in spots)
                    ):
                        item.found_by = "resource"
                        matched.add(id(hit))
                if not item.found_by:
                    item.reason = NOTES.get((rel, logical), why if scope == "out" else "not found")
            for hit in hits:
                if id(hit) in matched:
                    case.matched.append(hit)
                elif not ids and case.wrong(hit):
                    case.fps.append(hit)
                else:
                    case.other.append(hit)
    return list(cases.values())


def report(cases: list[Case], elapsed: float, runs: int, problems: list[str], verbose: bool) -> None:
    header = ["case", "rules", "exp", "found", "recall", "TP", "FP", "other"]
    print(f"{jeplint_state()}: JEP4 accuracy on the labeled corpus (escalation, RBAC and trust cases)")
    print(
        "exp = expected items; TP = findings matching one; FP = answering findings on clean files or objects; "
        "other = findings of other rules or risks (not counted)\n"
    )
    for scope, title in (("in", "IN SCOPE"), ("out", "OUT OF SCOPE (deliberately not answered; counted apart)")):
        rows, exp, found, tp, fp, designed = [], 0, 0, 0, 0, 0
        for case in (c for c in cases if c.scope == scope):
            n = sum(1 for i in case.items if i.found_by)
            exp, found, tp, fp = exp + len(case.items), found + n, tp + len(case.matched), fp + len(case.fps)
            designed += sum(1 for h in case.fps if (h.path, h.rule) in BY_DESIGN)
            name = case.name.replace("_with_privilege_escalation_by_actions_", " privesc ")
            rows.append(
                [
                    f"{case.source} {name}",
                    ",".join(case.rules),
                    str(len(case.items)),
                    str(n),
                    pct(n, len(case.items)),
                    str(len(case.matched)),
                    str(len(case.fps)),
                    str(len(case.other)),
                ]
            )
        rows.append([f"TOTAL {scope} scope", "", str(exp), str(found), pct(found, exp), str(tp), str(fp), ""])
        print(f"=== {title}")
        print(table(rows, header))
        print(
            f"precision {pct(tp, tp + fp)}; without the {designed} false positives judged by design {pct(tp, tp + fp - designed)}\n"
        )
    for scope in ("in", "out"):
        missed = [(c, i) for c in cases if c.scope == scope for i in c.items if not i.found_by]
        print(f"=== MISSES, {scope} scope ({len(missed)})")
        for case, item in missed if verbose or scope == "in" else missed[:10]:
            print(f"  {item.file}:{item.key}: {item.reason or case.why}")
    print("\n=== FALSE POSITIVES")
    for case in cases:
        for hit in case.fps:
            print(f"  [{case.scope}] {hit.path}:{hit.line} {hit.rule} [{hit.level}] {hit.message[:200]}")
            if (hit.path, hit.rule) in BY_DESIGN:
                print(f"      by design: {BY_DESIGN[(hit.path, hit.rule)]}")
    if verbose:
        print("\n=== FOUND (criterion)")
        for case in cases:
            for item in case.items:
                if item.found_by:
                    print(f"  {item.file}:{item.key} -> {item.found_by}")
        print("\n=== OTHER findings (not counted)")
        for case in cases:
            for hit in case.other:
                print(f"  {hit.path}:{hit.line} {hit.rule} [{hit.level}] {hit.message[:160]}")
    print(f"\n=== jeplint problems: {len(problems)}")
    for problem in problems:
        print(f"  {problem}")
    print(f"\n{runs} jeplint runs (in-process) in {elapsed:.1f}s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--verbose", "-v", action="store_true", help="list every miss, match and uncounted finding")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help=f"labeled corpus (default: {DEFAULT_CORPUS})")
    args = parser.parse_args(argv)
    corpus = args.corpus.resolve()
    if not (corpus / "kics").is_dir():
        print(f"accuracy_escalation: skipped: labeled corpus not found at {corpus}")
        return 0
    targets = [
        f"kics/{q}/test" for q in [*privesc_queries(corpus), *CASES, *OUT_OF_SCOPE] if (corpus / "kics" / q / "test").is_dir()
    ]
    targets += [f"kube-linter/tests/checks/{check}.yml" for check in KUBE_LINTER]
    labels = json.loads((corpus / "cfn_nag/expected.json").read_text(encoding="utf-8"))
    targets += [
        f"cfn_nag/spec/test_templates/{t}" for raw in labels["cases"] if raw.get("rule_id") in CFN_NAG for t in raw["templates"]
    ]
    targets = list(dict.fromkeys(targets))
    began = time.perf_counter()
    scans: dict[str, list[Hit]] = {}
    problems: list[str] = []
    for target in targets:
        scans[target], errors = run(corpus, target)
        problems += errors
    elapsed = time.perf_counter() - began
    texts: dict[str, SourceText] = {}
    cases = kics_cases(corpus, texts, scans) + kube_linter_cases(corpus, texts, scans) + cfn_nag_cases(corpus, texts, scans)
    report(cases, elapsed, len(targets), problems, args.verbose)
    return 0


if __name__ == "__main__":
    sys.exit(main())
