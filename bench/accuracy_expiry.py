#!/usr/bin/env python3
"""Recall of jeplint's expiry rules (JEP2xx) on the expiry-related cases of the labeled corpus.

    /work/venv/bin/python bench/accuracy_expiry.py [--verbose] [--corpus DIR]

The corpus lives outside the repository, in `../shared/corpus/labeled` (see its MANIFEST.md); it is
read in place and never copied. When it is absent the script says so and exits 0.

Scope
-----
Only KICS has expiry-related labels (kube-linter and cfn_nag have none: their service-account and
login-profile checks are about mounting and plaintext passwords). KICS query folders are split into
IN_SCOPE (a JEP2 rule is meant to report them; each with the rule and the reason) and OUT_OF_SCOPE
(expiry-looking, but another family's or not a credential; scanned and shown, not counted).

Matching
--------
Each test file is scanned alone, with `--select JEP2` and the clock pinned to PINNED_NOW (so the
figures do not drift). A KICS expected (file, line) is *found* when a JEP2 finding of an expected
rule is on that line (`line`) or inside the same top-level resource (`resource`: a Terraform block,
a CloudFormation resource). KICS labels point at an attribute (`user = "root"`) where jeplint points
at the credential or its lifetime, so resource-level matching is the meaningful one.

Counting
--------
recall = expected items found / expected items. Every JEP2 finding in a `negative*` file is listed
with its diagnosis (NEGATIVE_NOTES): the KICS negatives of these queries are often credentials
jeplint reports by design (an access key of a non-root user still never expires).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

from jeplint.options import Options
from jeplint.parse import parse_file
from jeplint.parse.nodes import Block, Mapping
from jeplint.run import Settings, scan

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = REPO.parent / "shared" / "corpus" / "labeled"
PINNED_NOW = datetime(2026, 11, 29, tzinfo=timezone.utc)  # the date the corpus was collected

# KICS query folder -> (JEP2 rules expected to report it, why it is in scope)
IN_SCOPE: dict[str, tuple[tuple[str, ...], str]] = {
    "terraform/aws/iam_access_key_is_exposed": (("JEP201",), "an active aws_iam_access_key (of root): it never expires"),
    "terraform/aws/iam_user_too_many_access_keys": (("JEP201",), "two aws_iam_access_key of one user: each never expires"),
    "cloudFormation/aws/iam_user_too_many_access_keys": (("JEP201",), "two AWS::IAM::AccessKey of one user"),
    "terraform/aws/root_account_has_active_access_keys": (("JEP201",), "aws_iam_access_key of root"),
    "cloudFormation/aws/root_account_has_active_access_keys": (("JEP201",), "AWS::IAM::AccessKey of Root"),
    "terraform/aws/iam_user_with_access_to_console": (
        ("JEP201",),
        "aws_iam_user_login_profile: a console password never expires",
    ),
    "terraform/gcp/service_has_non_gcp_managed_service_account_keys": (
        ("JEP201",),
        "google_service_account_key (uploaded public key)",
    ),
    "terraform/azure/secret_expiration_not_set": (("JEP202",), "azurerm_key_vault_secret without expiration_date"),
}

# Expiry-looking KICS queries that JEP2 does not cover: (why). Scanned and shown, not counted.
OUT_OF_SCOPE: dict[str, str] = {
    "terraform/aws/sso_permission_with_inadequate_user_session_duration": "IAM Identity Center permission-set sessions are "
    "people's (workforce) sessions, not a workload's; JEP203 covers role and Roles Anywhere sessions",
    "terraform/azure/key_expiration_not_set": "azurerm_key_vault_key is an encryption key, not a credential an identity "
    "authenticates with",
    "cloudFormation/aws/access_key_not_rotated_within_90_days": "an AWS Config rule parameter (maxAccessKeyAge), not a "
    "credential; jeplint reports the keys themselves (JEP201)",
    "terraform/gcp/service_account_with_improper_privileges": "roles/editor, roles/owner bound to service accounts: "
    "breadth, reported by JEP106 (JEP204 leaves roles JEP106 reports to it); one positive carries an expired "
    "request.time condition, which JEP205 notes",
    "k8s/cluster_admin_role_binding_with_super_user_permissions": "cluster-admin: JEP106 (Kubernetes RBAC has no time bound)",
    "k8s/service_account_token_automount_not_disabled": "token automount is exposure, not expiry (projected tokens expire)",
}

# Diagnosis of JEP2 findings in KICS negative files, by query folder.
NEGATIVE_NOTES: dict[str, str] = {
    "terraform/aws/iam_access_key_is_exposed": "by design: keys of `some-user` never expire either; KICS only minds root",
    "terraform/aws/iam_user_too_many_access_keys": "by design: a single access key never expires either; KICS counts keys",
    "cloudFormation/aws/iam_user_too_many_access_keys": "by design: a single access key never expires either",
    "terraform/aws/root_account_has_active_access_keys": "by design: a non-root user's key never expires either",
    "cloudFormation/aws/root_account_has_active_access_keys": "by design: MyUser's key never expires either",
    "terraform/gcp/service_has_non_gcp_managed_service_account_keys": "by design: a Google-generated key of "
    "google_service_account_key is user-managed too (CIS GCP 1.4) and never expires",
    "terraform/azure/secret_expiration_not_set": "JEP205 note: the negative's expiration_date 2020-12-30 has passed",
}


def extents(path: Path) -> list[tuple[int, int]]:
    """(first line, last line) of each top-level resource: Terraform blocks, CloudFormation resources."""
    parsed = parse_file(str(path), str(path))
    found: list[tuple[int, int]] = []
    for doc in parsed.documents:
        resources = doc.get("Resources") if isinstance(doc, Mapping) else None
        if isinstance(doc, Block):
            found.append((doc.span.line, doc.span.end_line))
        elif isinstance(resources, Mapping):
            for key, node in resources.items.items():
                found.append((resources.key_spans[key].line, node.span.end_line))
    return found


def same_resource(path: Path, a: int, b: int) -> bool:
    return any(first <= a <= last and first <= b <= last for first, last in extents(path))


def findings_of(path: Path) -> list[tuple[int, str, str]]:
    settings = Settings(select=("JEP2",), options=Options(now=PINNED_NOW))
    result = scan([str(path)], settings)
    return [(f.span.line, f.rule_id, f.message) for f in result.findings]


def expected_items(folder: Path) -> list[tuple[Path, int]]:
    labels = json.loads((folder / "test" / "positive_expected_result.json").read_text())
    positives = sorted(p for p in (folder / "test").iterdir() if p.name.startswith("positive") and not p.name.endswith(".json"))
    items = []
    for label in labels:
        name = label.get("fileName") or label.get("filename")
        path = folder / "test" / name if name else positives[0]
        items.append((path, int(label["line"])))
    return items


def measure(corpus: Path, verbose: bool) -> int:
    kics = corpus / "kics"
    total, found_total = 0, 0
    criteria: Counter[str] = Counter()
    negatives: list[tuple[str, str, int, str, str]] = []
    print("In scope (counted)\n")
    print(f"{'KICS query':<66} {'rules':<8} {'found':>9}")
    for query, (rules, _why) in IN_SCOPE.items():
        folder = kics / query
        cache: dict[Path, list[tuple[int, str, str]]] = {}
        found = 0
        items = expected_items(folder)
        for path, line in items:
            hits = [f for f in cache.setdefault(path, findings_of(path)) if f[1] in rules]
            how = (
                "line"
                if any(f[0] == line for f in hits)
                else "resource"
                if any(same_resource(path, f[0], line) for f in hits)
                else ""
            )
            if how:
                found += 1
                criteria[how] += 1
            elif verbose:
                print(f"    missed {path.relative_to(kics)}:{line}")
        for negative in sorted(p for p in (folder / "test").iterdir() if p.name.startswith("negative")):
            for line, rule, message in findings_of(negative):
                negatives.append((query, negative.name, line, rule, message))
        total += len(items)
        found_total += found
        print(f"{query:<66} {','.join(rules):<8} {found:>4} / {len(items):<3}")
    print(f"\nrecall: {found_total} / {total} = {found_total / total:.0%}   (criteria: {dict(criteria)})\n")
    print(f"JEP2 findings in KICS negative files: {len(negatives)}")
    for query, name, line, rule, message in negatives:
        print(f"  {query}/{name}:{line} {rule}  [{NEGATIVE_NOTES.get(query, 'undiagnosed')}]")
        if verbose:
            print(f"      {message}")
    print("\nOut of scope (scanned, not counted)\n")
    for query, why in OUT_OF_SCOPE.items():
        folder = kics / query / "test"
        seen = [
            f"{p.name}:{line} {rule}"
            for p in sorted(folder.iterdir())
            if not p.name.endswith(".json")
            for line, rule, _ in findings_of(p)
        ]
        shown = ", ".join(seen) or "no JEP2 finding"
        print(f"  {query}: {shown}\n      {why}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--verbose", "-v", action="store_true")
    args = parser.parse_args()
    if not (args.corpus / "kics").is_dir():
        print(f"labeled corpus not found at {args.corpus}: nothing to measure")
        return 0
    return measure(args.corpus, args.verbose)


if __name__ == "__main__":
    sys.exit(main())
