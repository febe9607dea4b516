#!/usr/bin/env python3
"""Recall and precision of jeplint's JEP1 (wildcard) rules on the labeled evaluation corpus.

    /work/venv/bin/python bench/accuracy.py [--verbose] [--subprocess] [--corpus DIR]

The corpus lives outside the repository, in `../shared/corpus/labeled` (see its MANIFEST.md); it is
read in place and never copied. When it is absent the script says so and exits 0.

jeplint runs in-process by default (`jeplint.run.scan` + the JSON report builder: the same
`jeplint-report/1` data as `--format json`, about a second in all); `--subprocess` runs
`python -m jeplint scan TARGET --format json --select JEP1` per target instead (about 15 s).

Sources and labels
------------------
- KICS (`kics/<platform>/<query>/test/`): `positive_expected_result.json` lists (fileName, line) per
  expected finding; an entry without fileName means the single `positive.*` file. Every `negative*`
  file is expected clean.
- kube-linter (`kube-linter/tests/checks/<check>.yml`): the expected messages name the offending
  objects; every other object of the file is expected to pass.
- cfn_nag (`cfn_nag/expected.json`): per spec context, the logical resource ids expected to offend;
  `[]` means the template is expected clean.

Only the labeled cases whose meaning is a wildcard / over-broad *grant* to an identity are in scope
(the tables below, each with its reason and the JEP rules expected to catch it). Wildcard-looking
cases that JEP1 is not meant to catch today (resource policies on S3/KMS/SQS/SES, trust policies,
privileged-action lists) are still scanned and counted, in a separate "out of scope today" table,
so the gap stays visible.

Matching (one jeplint run per KICS test folder, per kube-linter fixture, per cfn_nag template)
--------------------------------------------------------------------------------------------
A KICS expected (file, line) is *found* when some JEP1 finding in that file satisfies one of these,
tried in order (the first that holds is the criterion reported):
  1. line      the finding is on the expected line;
  2. related   the expected line lies inside one of the finding's related locations in that file
               (the statement / RBAC rule, the binding, the identity declaration): same statement;
  3. element   the expected line starts a syntactic element (block, attribute, key, list item) whose
               extent contains the finding, e.g. `policy = <<EOF` ... `EOF`, `PolicyDocument:`;
  4. resource  the expected line and the finding are in the same top-level resource (Terraform block,
               CloudFormation resource, Kubernetes object) AND the finding's rule is one the case is
               expected to trigger (KICS labels are line-granular; the looser criteria 4 and 5 only
               accept the rule the case is about);
  5. related-resource  one of the finding's related locations (the identity, the binding, the
               workload that runs as the identity) is in the top-level resource of the expected line,
               again with an expected rule: e.g. KICS points at a Lambda function, jeplint at the
               wildcard in its role's policy and names the function as a workload of that role.
Duplicate KICS entries (same file and line, one per issue) are counted once: jeplint is matched by
location only.
Extents come from a small indentation (YAML) / bracket-and-heredoc (JSON, HCL) scanner written here,
independent of jeplint's own parsers.
A cfn_nag expected logical id is found when a finding of one of the rules the case maps to lies
inside that resource (`resource`), or one of its related locations does (`related`: e.g. the role
that holds the offending policy). cfn_nag labels whole resources, which may hold other statements,
hence the rule condition; another JEP1 rule in the same resource is reported, not counted.
A kube-linter expected object is found when a JEP1 finding lies in that object's YAML document and
its message names the object.

Each miss gets a reason: a hand-written note where one is needed (MISS_NOTES), otherwise an
automatic diagnosis: input error, trust policy, module call, or what jeplint's permission graph
holds from the resource at the expected line (nothing = "not modelled"; something = "read but no
JEP1 rule reports it").

Counting
--------
recall    = expected items found / expected items.
precision = matched findings / (matched findings + false positives). A finding is *matched* when it
            satisfies `line` or `related` for some expected item, or `element` / `resource` with one
            of the case's expected rules (cfn_nag: inside an expected resource, expected rule;
            kube-linter: in an expected object). A false positive is a JEP1 finding in a file or
            object labeled clean (KICS negative*, cfn_nag `[]`, kube-linter objects not in the
            messages). Findings in positive files that match no label are listed
            as "unlabeled" and left out of precision: the label says nothing about them.
Each false positive is diagnosed below (FP_NOTES); "by design" marks a rule that is deliberately
broader than the label (precision is also given without those).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = REPO.parent / "shared" / "corpus" / "labeled"

# ------------------------------------------------------------------------------------------------
# Scope: which labeled cases are about a wildcard / over-broad grant, and which rule should fire.
# ------------------------------------------------------------------------------------------------

# KICS query folder -> (JEP rules expected to catch it, why it is in scope)
KICS_IN_SCOPE: dict[str, tuple[tuple[str, ...], str]] = {
    "terraform/aws/iam_policies_with_full_privileges": (
        ("JEP101",),
        'Action "*" on Resource "*" in an inline policy and a policy-document data source',
    ),
    "terraform/aws/iam_policy_grants_full_permissions": (
        ("JEP101",),
        'Action "*" on Resource "*" in a user policy and a managed policy',
    ),
    "terraform/aws/iam_role_policy_passrole_allows_all": (("JEP105",), 'iam:PassRole on Resource "*" in a role policy'),
    "terraform/aws/sso_policy_with_full_privileges": (
        ("JEP101",),
        'Action "*" in an SSO permission-set inline policy (an identity policy)',
    ),
    "terraform/kubernetes/cluster_admin_role_binding_with_super_user_permissions": (
        ("JEP106",),
        "cluster-admin bound through a Terraform kubernetes_cluster_role_binding",
    ),
    "cloudFormation/aws/iam_policies_with_full_privileges": (("JEP101",), 'Action "*" on Resource "*" in AWS::IAM::Policy'),
    "cloudFormation/aws/iam_policy_grants_full_permissions": (("JEP101",), 'Action "*" on Resource "*" in AWS::IAM::Policy'),
    "cloudFormation/aws/lambda_functions_with_full_privileges": (
        ("JEP101",),
        'Action "*" in the inline policy of a Lambda execution role',
    ),
    "cloudFormation/aws/iam_policy_grants_assumerole_permission_across_all_services": (
        ("JEP105",),
        'identity policy with sts:AssumeRole on Resource "*" (the Terraform query of '
        "this name checks trust policies instead: out of scope there)",
    ),
    "cloudFormation/aws/iot_policy_allows_action_as_wildcard": (
        ("JEP101",),
        'Action "*" in AWS::IoT::Policy (the identity policy of a device certificate)',
    ),
    "cloudFormation/aws/iot_policy_allows_wildcard_resource": (("JEP105",), 'iot:Connect on Resource "*" in AWS::IoT::Policy'),
    "terraform/azure/role_assignment_not_limit_guest_users_permissions": (
        ("JEP101",),
        'Azure custom role with actions ["*"], assigned (the label points at the assignment)',
    ),
    "terraform/gcp/service_account_with_improper_privileges": (
        ("JEP106",),
        "broad GCP roles bound to service accounts: roles/editor and roles/owner are JEP106 basic roles; the "
        "label also counts roles/container.admin and roles/admin, which JEP106 does not list",
    ),
    "k8s/rbac_wildcard_in_rule": (("JEP104",), 'Role/ClusterRole rules with "*" in apiGroups, resources or verbs'),
    "k8s/cluster_admin_role_binding_with_super_user_permissions": (("JEP106",), "ClusterRoleBinding to cluster-admin"),
}

# Wildcard-looking KICS queries that JEP1 does not cover today: scanned and counted separately.
# Value: (the JEP1 rules that would report it once the construct is modelled, or () when it belongs
# to another rule family; why it is out of scope today).
TRUST = "trust policy: not a grant (JEP4xx)"
KICS_OUT_OF_SCOPE: dict[str, tuple[tuple[str, ...], str]] = {
    "terraform/aws/iam_role_with_full_privileges": ((), 'Action "*" is in the trust policy (assume_role_policy): ' + TRUST),
    "terraform/aws/iam_policy_grants_assumerole_permission_across_all_services": ((), 'Principal AWS "*" in a ' + TRUST),
    "terraform/aws/iam_role_allows_all_principals_to_assume": ((), "over-broad Principal in a " + TRUST),
    "cloudFormation/aws/iam_role_allows_all_principals_to_assume": ((), "over-broad Principal in a " + TRUST),
    "terraform/aws/kms_key_with_full_permissions": (
        ("JEP102",),
        'KMS key policy (resource policy): kms:* to Principal "*", or no policy',
    ),
    "cloudFormation/aws/kms_key_with_full_permissions": (("JEP101", "JEP102"), "KMS key policy (resource policy)"),
    "terraform/aws/s3_bucket_with_all_permissions": (("JEP102",), 'S3 bucket policy (resource policy): s3:* to Principal "*"'),
    "cloudFormation/aws/s3_bucket_with_all_permissions": (
        ("JEP101", "JEP102"),
        'S3 bucket policy (resource policy): "*" / s3:* to Principal "*"',
    ),
    "terraform/aws/sqs_policy_allows_all_actions": (("JEP101",), 'SQS queue policy (resource policy): Action "*"'),
    "terraform/aws/ses_policy_with_allowed_iam_actions": (
        ("JEP101",),
        'SES identity policy (resource policy): Action "*" to Principal AWS "*"',
    ),
    "terraform/aws/lambda_function_with_privileged_role": (
        ("JEP102",),
        "privileged-action lists (iam:*, sts:AssumeRole, iam:CreateLoginProfile, managed policies) reported "
        "at the Lambda function: escalation, JEP4xx; only iam:* is a wildcard",
    ),
    "terraform/azure/role_definition_allows_custom_role_creation": (
        ("JEP101",),
        "custom role that may write role definitions "
        '(Microsoft.Authorization/roleDefinitions/write, or "*"): escalation, JEP4xx; only the "*" file is a wildcard',
    ),
}

# Not wildcard grants, so neither in scope nor in the out-of-scope table (not scanned).
KICS_NOT_CONSIDERED = (
    "the 57 *_with_privilege_escalation_by_actions_* queries (specific actions: JEP4xx); "
    "lambda_iam_invokefunction_misconfigured (missing version qualifier); policy_without_principal; "
    "ecs_service_admin_role_is_present (a role named admin); k8s permissive_access_to_create_pods, "
    "service_account_allows_access_secrets, rbac_roles_with_* (specific verbs); "
    "gcp google_project_iam_*_has_admin_role / token_creator (specific roles: escalation); and every "
    "query about keys, groups, users, session length, default service accounts"
)

# cfn_nag rule id -> (JEP rules expected, reason). The rule ids come from expected.json.
CFN_NAG_IN_SCOPE: dict[str, tuple[tuple[str, ...], str]] = {
    "F3": (("JEP101", "JEP102"), "role with a wildcard Action in its permissions policy"),
    "F4": (("JEP101", "JEP102"), "AWS::IAM::Policy with a wildcard Action"),
    "F5": (("JEP101", "JEP102"), "AWS::IAM::ManagedPolicy with a wildcard Action"),
    "W11": (("JEP105",), 'role with Resource "*" in its permissions policy'),
    "W12": (("JEP105",), 'AWS::IAM::Policy with Resource "*"'),
    "W13": (("JEP105",), 'AWS::IAM::ManagedPolicy with Resource "*"'),
    "W15": (("JEP103",), "role with NotAction in its permissions policy"),
    "W16": (("JEP103",), "AWS::IAM::Policy with NotAction"),
    "W17": (("JEP103",), "AWS::IAM::ManagedPolicy with NotAction"),
    "W21": (("JEP103",), "role with NotResource in its permissions policy"),
    "W22": (("JEP103",), "AWS::IAM::Policy with NotResource"),
    "W23": (("JEP103",), "AWS::IAM::ManagedPolicy with NotResource"),
    "F38": (("JEP105", "JEP101", "JEP102"), 'role policy with iam:PassRole on Resource "*"'),
    "F39": (("JEP105", "JEP101", "JEP102"), 'AWS::IAM::Policy with iam:PassRole on Resource "*"'),
    "F40": (("JEP105", "JEP101", "JEP102"), 'AWS::IAM::ManagedPolicy with iam:PassRole on Resource "*"'),
    "W43": (("JEP106",), "role with the AWS managed AdministratorAccess policy"),
    "W44": (("JEP106",), "role with PowerUserAccess or IAMFullAccess"),
    "W38": (("JEP101",), 'AWS::IoT::Policy with Action "*" (identity policy of a device certificate)'),
    "W39": (("JEP105",), 'AWS::IoT::Policy with Resource "*"'),
}
CFN_NAG_OUT_OF_SCOPE: dict[str, tuple[tuple[str, ...], str]] = {
    "F2": ((), "wildcard Action in a role's " + TRUST),
    "W14": ((), "NotAction in a role's " + TRUST),
    "F6": ((), "NotPrincipal in a role's " + TRUST),
    "F20": (("JEP101", "JEP102"), "SQS queue policy (resource policy) with a wildcard Action"),
    "F76": ((), "KMS key policy (resource policy) with a wildcard Principal: a principal wildcard, no JEP1 rule"),
}
CFN_NAG_NOT_CONSIDERED = "F10, F11, F12 (policies on users), F2000 (user without group): not wildcard grants"

# kube-linter check -> (JEP rules, reason, YAML document indexes of the expected objects + why)
KUBE_LINTER_IN_SCOPE: dict[str, tuple[tuple[str, ...], str, tuple[int, ...], str]] = {
    "wildcard-in-rules": (
        ("JEP104",),
        'Role rule with "*" in verbs',
        (1,),
        'both objects are Role role1; the one message ("wildcard in verb") can only be document 1, the only rule with "*"',
    ),
    "cluster-admin-role-binding": (
        ("JEP106",),
        "ClusterRoleBinding to cluster-admin",
        (1,),
        "role-binding1 binds cluster-admin; dont-fire (ClusterRole admin) is expected to pass",
    ),
}
KUBE_LINTER_NOT_CONSIDERED = "access-to-create-pods, access-to-secrets, *-service-account*: specific access, not wildcards"

# Diagnosed reasons, where the automatic diagnosis (see `diagnose_miss`) is not specific enough.
# Key: (source, file relative to the corpus, expected line or logical id).
MISS_NOTES: dict[tuple[str, str, str], str] = {
    (
        "cfn_nag",
        "cfn_nag/spec/test_templates/yaml/iam_role/embedded_ref.yml",
        "HelperRole",
    ): "value given at audit time: Resource is !Ref to a parameter without default; cfn_nag's spec passes "
    'Parameters {"Resource": "*"} and jeplint has no parameter-values input',
}
MISS_NOTES[("kics", "kics/terraform/gcp/service_account_with_improper_privileges/test/positive2.tf", "3")] = (
    "label broader than the rule: roles/container.admin is a predefined admin role, not one of JEP106's broad basic "
    "roles (roles/owner, roles/editor)"
)
MISS_NOTES[("kics", "kics/terraform/aws/lambda_function_with_privileged_role/test/positive.tf", "23")] = (
    "no wildcard to find: the function's role holds a custom policy ARN and AmazonPersonalizeFullAccess (KICS lists "
    "them as privileged; escalation, JEP4xx)"
)

# Diagnosed false positives. Key: (file relative to the corpus, rule id) -> (category, note).
BY_DESIGN = "by design"
FP_NOTES: dict[tuple[str, str], tuple[str, str]] = {
    ("kics/terraform/aws/iam_policies_with_full_privileges/test/negative.tf", "JEP101"): (
        BY_DESIGN,
        'Action "*" on arn:aws:s3:::* is every action on every S3 object; KICS needs Resource "*" too',
    ),
    ("kics/terraform/aws/iam_policy_grants_full_permissions/test/negative1.tf", "JEP102"): (
        BY_DESIGN,
        'ec2:*, s3:*, lambda:*, cloudwatch:* are service wildcards (JEP102); KICS only looks for "*"',
    ),
    ("kics/terraform/aws/iam_policy_grants_full_permissions/test/negative2.tf", "JEP102"): (
        BY_DESIGN,
        'ec2:*, s3:*, lambda:*, cloudwatch:* are service wildcards (JEP102); KICS only looks for "*"',
    ),
    ("kics/terraform/aws/iam_policy_grants_full_permissions/test/negative3.tf", "JEP101"): (
        BY_DESIGN,
        'Action "*" on a non-"*" resource (the AdministratorAccess ARN); KICS needs Resource "*" too',
    ),
    ("kics/cloudFormation/aws/iam_policy_grants_full_permissions/test/negative1.yaml", "JEP101"): (
        BY_DESIGN,
        'Action "*" on a non-"*" resource (the AdministratorAccess ARN); KICS needs Resource "*" too',
    ),
    ("kics/cloudFormation/aws/iam_policy_grants_full_permissions/test/negative2.json", "JEP101"): (
        BY_DESIGN,
        'Action "*" on a non-"*" resource (the AdministratorAccess ARN); KICS needs Resource "*" too',
    ),
    ("kics/terraform/aws/sso_policy_with_full_privileges/test/negative.tf", "JEP102"): (
        BY_DESIGN,
        "s3:ListBucket*, s3:Get* (notes: read-only) and s3:PutObject* (9 write actions) are action patterns "
        '(JEP102); KICS only looks for "*"',
    ),
    ("kics/terraform/aws/lambda_function_with_privileged_role/test/negative.tf", "JEP102"): (
        BY_DESIGN,
        'ec2:Describe* on Resource "*" is a read-only action pattern (a JEP102 note); KICS checks a fixed list '
        "of privileged actions",
    ),
    ("kics/terraform/aws/lambda_function_with_privileged_role/test/negative.tf", "JEP105"): (
        BY_DESIGN,
        'lambda:CreateFunction on Resource "*" is a write action on every resource (JEP105); KICS checks a '
        "fixed list of privileged actions",
    ),
    ("kics/terraform/gcp/service_account_with_improper_privileges/test/negative3.tf", "JEP106"): (
        BY_DESIGN,
        "roles/viewer held by a service account is a JEP106 note (it reads nearly every resource of the project, "
        "issue 14); KICS only looks for admin, editor and owner roles",
    ),
    ("kube-linter/tests/checks/cluster-admin-role-binding.yml", "JEP106"): (
        BY_DESIGN,
        "ClusterRole admin bound cluster-wide: JEP106 covers admin/edit, kube-linter's check only cluster-admin",
    ),
}

# ------------------------------------------------------------------------------------------------
# Source text: element extents and enclosing resources, independent of jeplint's parsers.
# ------------------------------------------------------------------------------------------------

_TF_HEADER = re.compile(r"^(resource|data|module|locals|variable|output|provider|terraform)\b([^{]*)\{")
_HEREDOC = re.compile(r"<<-?\s*\"?([A-Za-z_][A-Za-z0-9_]*)\"?\s*$")
_JSON_KEY = re.compile(r'^(\s*)"([^"]+)"\s*:')
_YAML_KEY = re.compile(r"""^(\s*)(?:-\s+)?("[^"]+"|'[^']+'|[^\s:#'"][^:#]*?)\s*:(\s|$)""")


@dataclass
class Container:
    """A top-level resource: Terraform block, CloudFormation resource or Kubernetes object."""

    kind: str  # resource | data | module | ... | cfn | k8s
    name: str  # Terraform labels / logical id / "Kind name"
    type: str  # resource type where there is one
    start: int
    end: int
    index: int = 0  # document index for Kubernetes objects


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


class SourceText:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        name = path.name.lower()
        if name.endswith(".tf"):
            self.flavor = "tf"
        elif name.endswith(".json"):
            self.flavor = "json"
        else:
            self.flavor = "yaml"
        self._containers: list[Container] | None = None

    # -- extents ---------------------------------------------------------------------------------

    def extent(self, line: int) -> tuple[int, int]:
        """The lines of the element that starts on `line` (1-based, inclusive)."""
        if not 1 <= line <= len(self.lines):
            return (line, line)
        text = self.lines[line - 1]
        if self.flavor in ("tf", "json") or text.rstrip().endswith(("{", "[", "(")):
            heredoc = _HEREDOC.search(text) if self.flavor == "tf" else None
            if heredoc:
                for i in range(line, len(self.lines)):
                    if self.lines[i].strip() == heredoc.group(1):
                        return (line, i + 1)
                return (line, len(self.lines))
            return self._bracket_extent(line)
        return self._yaml_extent(line)

    def _bracket_extent(self, start: int) -> tuple[int, int]:
        depth, opened = 0, False
        for i in range(start - 1, len(self.lines)):
            text, j, in_str = self.lines[i], 0, False
            while j < len(text):
                c = text[j]
                if in_str:
                    if c == "\\":
                        j += 2
                        continue
                    if c == '"':
                        in_str = False
                elif c == '"':
                    in_str = True
                elif self.flavor == "tf" and (c == "#" or text.startswith("//", j)):
                    break
                elif c in "{[(":
                    depth, opened = depth + 1, True
                elif c in "}])":
                    depth -= 1
                    if opened and depth <= 0:
                        return (start, i + 1)
                j += 1
            if not opened and not text.rstrip().endswith((":", "=")):
                return (start, start)
        return (start, len(self.lines))

    def _yaml_extent(self, start: int) -> tuple[int, int]:
        first = self.lines[start - 1]
        base, stripped = _indent(first), first.strip()
        is_item = stripped.startswith("- ") or stripped == "-"
        opens_block = stripped.endswith((":", "|", ">"))
        end = start
        for i in range(start, len(self.lines)):
            text = self.lines[i]
            body = text.strip()
            if not body or body.startswith("#"):
                continue
            if text.startswith("---"):
                break
            k = _indent(text)
            if k > base or (k == base and opens_block and not is_item and body.startswith("-")):
                end = i + 1
                continue
            break
        return (start, end)

    # -- containers ------------------------------------------------------------------------------

    def containers(self) -> list[Container]:
        if self._containers is None:
            if self.flavor == "tf":
                self._containers = self._tf_blocks()
            else:
                self._containers = self._cfn_resources() or (self._k8s_objects() if self.flavor == "yaml" else [])
        return self._containers

    def container(self, line: int) -> Container | None:
        for c in self.containers():
            if c.start <= line <= c.end:
                return c
        return None

    def _tf_blocks(self) -> list[Container]:
        out = []
        for i, text in enumerate(self.lines, start=1):
            m = _TF_HEADER.match(text)
            if m:
                labels = re.findall(r'"([^"]*)"', m.group(2))
                start, end = self._bracket_extent(i)
                rtype = labels[0] if m.group(1) in ("resource", "data") and labels else ""
                out.append(Container(m.group(1), ".".join(labels), rtype, start, end))
        return out

    def _cfn_resources(self) -> list[Container]:
        if self.flavor == "json":
            return self._json_resources()
        top = next((i for i, t in enumerate(self.lines, 1) if re.match(r"^Resources\s*:\s*$", t)), None)
        if top is None:
            return []
        _, top_end = self._yaml_extent(top)
        keys = [(i, m) for i in range(top + 1, top_end + 1) if (m := _YAML_KEY.match(self.lines[i - 1]))]
        if not keys:
            return []
        child = min(len(m.group(1)) for _, m in keys)
        out = []
        for i, m in keys:
            if len(m.group(1)) != child or self.lines[i - 1].lstrip().startswith("-"):
                continue
            start, end = self._yaml_extent(i)
            rtype = ""
            for j in range(start + 1, end + 1):
                t = re.match(r"""^(\s*)Type\s*:\s*["']?([A-Za-z0-9:]+)""", self.lines[j - 1])
                if t and len(t.group(1)) > child:
                    rtype = t.group(2)
                    break
            out.append(Container("cfn", m.group(2).strip("\"'"), rtype, start, end))
        return out

    def _json_resources(self) -> list[Container]:
        """Children of the top-level "Resources" object, found by a small JSON tokenizer (any layout)."""
        text = "\n".join(self.lines)
        stack: list[dict] = []  # open containers: kind, name (key in parent), name_line, expect_key, key, key_line, type
        out: list[Container] = []
        line, i, n = 1, 0, len(text)
        while i < n:
            c = text[i]
            if c == "\n":
                line += 1
            elif c == '"':
                j = i + 1
                while j < n and text[j] != '"':
                    j += 2 if text[j] == "\\" else 1
                value = text[i + 1 : j]
                frame = stack[-1] if stack else None
                if frame and frame["kind"] == "obj":
                    if frame["expect_key"]:
                        frame.update(key=value, key_line=line, expect_key=False)
                    elif frame["key"] == "Type" and len(stack) == 3:
                        frame["type"] = value
                i = j
            elif c in "{[":
                parent = stack[-1] if stack else None
                named = parent is not None and parent["kind"] == "obj"
                stack.append(
                    {
                        "kind": "obj" if c == "{" else "arr",
                        "name": parent["key"] if named else None,
                        "name_line": parent["key_line"] if named else line,
                        "expect_key": c == "{",
                        "key": None,
                        "key_line": line,
                        "type": "",
                    }
                )
            elif c in "}]":
                frame = stack.pop() if stack else None
                if frame and len(stack) == 2 and stack[1]["name"] == "Resources" and frame["kind"] == "obj":
                    out.append(Container("cfn", frame["name"], frame["type"], frame["name_line"], line))
            elif c == "," and stack and stack[-1]["kind"] == "obj":
                stack[-1]["expect_key"] = True
            i += 1
        return out

    def _k8s_objects(self) -> list[Container]:
        out: list[Container] = []
        start = 1
        bounds = [i for i, t in enumerate(self.lines, 1) if t.startswith("---")] + [len(self.lines) + 1]
        for stop in bounds:
            body = [(j, self.lines[j - 1]) for j in range(start, stop)]
            if any(t.strip() and not t.strip().startswith("#") for _, t in body):
                kind = next((m.group(1) for _, t in body if (m := re.match(r"^kind:\s*(\S+)", t))), "")
                name = ""
                in_meta = False
                for _, t in body:
                    if re.match(r"^metadata:\s*$", t):
                        in_meta = True
                    elif in_meta and (m := re.match(r"^\s+name:\s*['\"]?([^'\"\s]+)", t)):
                        name = m.group(1)
                        break
                    elif in_meta and t and not t.startswith(" "):
                        in_meta = False
                first = next(j for j, t in body if t.strip() and not t.strip().startswith("#"))
                out.append(Container("k8s", name, kind, first, stop - 1, index=len(out)))
            start = stop + 1
        return out

    def enclosing_keys(self, line: int) -> list[str]:
        """Keys / attribute names whose element encloses `line` (outermost first)."""
        c = self.container(line)
        lo = c.start if c else 1
        found = []
        for i in range(lo, line + 1):
            text = self.lines[i - 1]
            m = (
                re.match(r"^\s*([A-Za-z_][\w-]*)\s*(=|\{)", text)
                if self.flavor == "tf"
                else _JSON_KEY.match(text)
                if self.flavor == "json"
                else _YAML_KEY.match(text)
            )
            if m:
                s, e = self.extent(i)
                if s <= line <= e:
                    found.append((m.group(2) if self.flavor != "tf" else m.group(1)).strip("\"'"))
        return found


# ------------------------------------------------------------------------------------------------
# Running jeplint
# ------------------------------------------------------------------------------------------------


@dataclass
class Loc:
    path: str
    line: int
    end_line: int


@dataclass
class Finding:
    rule: str
    level: str
    message: str
    loc: Loc
    related: list[tuple[str, Loc]]

    def short(self) -> str:
        return f"{self.loc.path}:{self.loc.line} {self.rule} [{self.level}] {self.message[:150]}"


@dataclass
class GraphObject:
    """Something jeplint's permission graph holds, with its source location (for miss diagnosis)."""

    kind: str  # identity | policy | grant | binding | workload | credential | link | note
    platform: str
    loc: Loc
    text: str = ""


@dataclass
class Scan:
    target: str
    findings: list[Finding] = field(default_factory=list)
    problems: list[dict] = field(default_factory=list)
    error: str = ""
    seconds: float = 0.0
    graph: list[GraphObject] | None = None  # only from an in-process run

    def in_file(self, path: str) -> list[Finding]:
        return [f for f in self.findings if f.loc.path == path]

    def problem(self, path: str) -> str:
        return next((p["reason"] for p in self.problems if p["path"] == path and p.get("level") == "error"), "")


def _read_report(scan: Scan, report: dict, corpus: Path, cwd: Path) -> None:
    def loc(data: dict) -> Loc:
        path = os.path.relpath(os.path.normpath(cwd / data["path"]), corpus)
        return Loc(path, data["line"], data.get("end_line") or data["line"])

    for f in report["findings"]:
        related = [(r["message"], loc(r["location"])) for r in f.get("related", [])]
        scan.findings.append(Finding(f["rule_id"], f["level"], f["message"], loc(f["location"]), related))
    scan.problems = [
        {**p, "path": os.path.relpath(os.path.normpath(cwd / p["path"]), corpus)} for p in report.get("problems", [])
    ]


def run_cli(corpus: Path, target: str) -> Scan:
    """`python -m jeplint scan TARGET --format json` in a subprocess, from the corpus root."""
    cmd = [sys.executable, "-m", "jeplint", "scan", target, "--format", "json", "--select", "JEP1", "--fail-on", "never"]
    began = time.perf_counter()
    proc = subprocess.run(cmd, cwd=corpus, capture_output=True, text=True, check=False)
    scan = Scan(target, seconds=time.perf_counter() - began)
    last = (proc.stderr.strip().splitlines() or [""])[-1][:300]
    if proc.returncode not in (0, 1, 2):
        scan.error = f"jeplint exited {proc.returncode}: {last}"
        return scan
    try:
        _read_report(scan, json.loads(proc.stdout), corpus, corpus)
    except (json.JSONDecodeError, KeyError) as exc:
        scan.error = f"no JSON report ({type(exc).__name__}); stderr: {last}"
    return scan


def run_inprocess(corpus: Path, target: str) -> Scan:
    """`jeplint.run.scan` + the JSON report builder: the same report, without a process per scan."""
    began = time.perf_counter()
    scan = Scan(target)
    try:
        from jeplint.report.json_report import report
        from jeplint.run import Settings
        from jeplint.run import scan as jeplint_scan

        result = jeplint_scan([str(corpus / target)], Settings(select=("JEP1",), jobs=1))
        _read_report(scan, json.loads(json.dumps(report(result))), corpus, Path.cwd())
        scan.graph = _graph_objects(result.graph, corpus)
    except Exception as exc:  # a crash is a result too
        scan.error = f"{type(exc).__name__}: {exc}"
    scan.seconds = time.perf_counter() - began
    return scan


def _graph_objects(graph: object, corpus: Path) -> list[GraphObject]:
    """Every located element of jeplint's graph; read defensively, the model may grow."""
    out: list[GraphObject] = []

    def add(kind: str, platform: str, span: object, text: str = "") -> None:
        path, line = getattr(span, "path", None), getattr(span, "line", None)
        if path and line:
            rel = os.path.relpath(os.path.normpath(Path.cwd() / path), corpus)
            out.append(GraphObject(kind, platform, Loc(rel, line, getattr(span, "end_line", line) or line), text))

    for identity in getattr(graph, "identities", []):
        add("identity", identity.platform, identity.span)
    for policy in getattr(graph, "policies", []):
        add("policy", policy.platform, policy.span)
        for grant in policy.grants:
            add("grant", policy.platform, grant.span)
    for binding in getattr(graph, "bindings", []):
        add("binding", binding.policy.platform, binding.span)
    for kind in ("workloads", "credentials", "links"):
        for obj in getattr(graph, kind, []):
            add(kind[:-1], getattr(obj, "platform", ""), getattr(obj, "span", None))
    for span, message in getattr(graph, "notes", []):
        add("note", "", span, message)
    return out


# ------------------------------------------------------------------------------------------------
# Cases, matching and results
# ------------------------------------------------------------------------------------------------


@dataclass
class Item:
    """One expected item: a KICS (file, line), a cfn_nag logical id, a kube-linter object."""

    file: str
    key: str  # line number, logical id, or "doc N Kind name"
    found_by: str = ""  # criterion
    rules: tuple[str, ...] = ()  # rules of the matching findings
    hits: tuple[str, ...] = ()  # "line RULE" of the matching findings
    reason: str = ""  # diagnosed reason when missed


@dataclass
class Case:
    source: str
    name: str
    scope: str  # in | out
    rules: tuple[str, ...]
    reason: str
    items: list[Item] = field(default_factory=list)
    matched: list[Finding] = field(default_factory=list)
    fps: list[tuple[Finding, str, str]] = field(default_factory=list)  # finding, category, note
    extras: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        # A rule that defers to a stronger one (rule.yaml `defers_to`) is answered by the stronger
        # rule's finding on the same statement: one finding per root cause (issue 18).
        from jeplint.rules.base import catalogue

        stronger = {s for r in self.rules for s in catalogue()[r].defers_to} if self.rules else set()
        self.rules = self.rules + tuple(sorted(stronger - set(self.rules)))

    @property
    def found(self) -> int:
        return sum(1 for i in self.items if i.found_by)


class Texts:
    def __init__(self, corpus: Path) -> None:
        self.corpus = corpus
        self.cache: dict[str, SourceText] = {}

    def get(self, rel: str) -> SourceText:
        if rel not in self.cache:
            self.cache[rel] = SourceText(self.corpus / rel)
        return self.cache[rel]


def _fp(case: Case, finding: Finding) -> None:
    category, note = FP_NOTES.get((finding.loc.path, finding.rule), ("undiagnosed", ""))
    case.fps.append((finding, category, note))


def _no_rule(reason: str) -> str:
    """The miss reason of an out-of-scope case that no JEP1 rule is meant to report."""
    return TRUST if TRUST in reason else reason


def diagnose_miss(
    corpus: Path, texts: Texts, scan: Scan, rel: str, line: int | None, container: Container | None = None, fallback: str = ""
) -> str:
    """Why no finding: input error, trust policy, module call, construct absent from jeplint's graph, or read but no rule."""
    if scan.error:
        return f"jeplint failed: {scan.error}"
    problem = scan.problem(rel)
    if problem:
        return f"parse error: {problem}"
    text = texts.get(rel)
    c = container or (text.container(line) if line else None)
    keys = text.enclosing_keys(line) if line else []
    if any(k in ("assume_role_policy", "AssumeRolePolicyDocument") for k in keys):
        return TRUST
    what = f"{c.type or c.kind} {c.name}".strip() if c else f"line {line}"
    if c is not None and c.kind == "module":
        sources = (re.match(r'^\s*source\s*=\s*"([^"]*)"', t) for t in text.lines[c.start - 1 : c.end])
        source = next((m.group(1) for m in sources if m), "")
        where = "local" if source.startswith(("./", "../")) else "registry/remote"
        return f"input of a {where} Terraform module ({source or '?'}): the module's code is not in the scan"
    graph = scan.graph if scan.graph is not None else run_inprocess(corpus, scan.target).graph
    if graph is not None:
        lo, hi = (c.start, c.end) if c else (line, line)
        inside = [g for g in graph if g.loc.path == rel and lo <= g.loc.line <= hi]
        notes = [g.text for g in inside if g.kind == "note"]
        if notes:
            return f"jeplint could not follow it: {notes[0]}"
        if not inside:
            kind = c.type or c.kind if c else "this construct"
            return f"{kind} not modelled (nothing in jeplint's graph comes from it)"
        counts = Counter(f"{g.platform} {g.kind}".strip() for g in inside)
        summary = ", ".join(f"{n} {k}" for k, n in sorted(counts.items()))
        return f"read by jeplint ({summary}) but no JEP1 rule reports it: {what}"
    return f"no JEP1 finding: {fallback}" if fallback else "no JEP1 finding (undiagnosed)"


def kics_cases(corpus: Path, texts: Texts, scans: dict[str, Scan]) -> list[Case]:
    cases = []
    for query, scope, rules, reason in [
        *((q, "in", r, why) for q, (r, why) in KICS_IN_SCOPE.items()),
        *((q, "out", r, why) for q, (r, why) in KICS_OUT_OF_SCOPE.items()),
    ]:
        case = Case("kics", query, scope, rules, reason)
        rules = case.rules
        cases.append(case)
        test = f"kics/{query}/test"
        if not (corpus / test).is_dir():
            case.notes.append(f"missing folder {test}")
            continue
        scan = scans[test]
        names = sorted(p.name for p in (corpus / test).iterdir() if p.is_file())
        positives = [n for n in names if n.startswith("positive") and n != "positive_expected_result.json"]
        negatives = [n for n in names if n.startswith("negative")]
        labels = json.loads((corpus / test / "positive_expected_result.json").read_text(encoding="utf-8"))
        duplicates = 0
        for entry in labels:
            file_name = entry.get("fileName") or entry.get("filename")
            if not file_name:
                if len(positives) != 1:
                    case.notes.append(f"entry without fileName but {len(positives)} positive files: {entry}")
                    continue
                file_name = positives[0]
            key = (f"{test}/{file_name}", str(entry["line"]))
            if any((i.file, i.key) == key for i in case.items):
                duplicates += 1  # KICS lists one entry per issue; jeplint is matched by location only
                continue
            case.items.append(Item(*key))
        if duplicates:
            case.notes.append(f"{duplicates} duplicate (file, line) label entries counted once")
        matched_ids: set[int] = set()
        for item in case.items:
            line = int(item.key)
            text = texts.get(item.file)
            findings = scan.findings
            ext = text.extent(line)
            home = text.container(line)
            criteria = (
                ("line", lambda f: f.loc.path == item.file and f.loc.line == line),
                ("related", lambda f: any(loc.path == item.file and loc.line <= line <= loc.end_line for _, loc in f.related)),
                ("element", lambda f: f.loc.path == item.file and ext[0] <= f.loc.line <= ext[1]),
                (
                    "resource",
                    lambda f: (
                        f.rule in rules and home is not None and f.loc.path == item.file and text.container(f.loc.line) is home
                    ),
                ),
                (
                    "related-resource",
                    lambda f: (
                        f.rule in rules
                        and home is not None
                        and any(loc.path == item.file and text.container(loc.line) is home for _, loc in f.related)
                    ),
                ),
            )
            for name, test_fn in criteria:
                hits = [f for f in findings if test_fn(f)]
                if hits and not item.found_by:
                    item.found_by, item.rules = name, tuple(sorted({f.rule for f in hits}))
                    item.hits = tuple(f"{f.loc.line} {f.rule}" for f in hits)
                for f in hits:  # element/resource are coarse: they only vouch for the rule the case is about
                    if name in ("line", "related") or f.rule in rules:  # (the coarse criteria already demand it)
                        matched_ids.add(id(f))
            if not item.found_by:
                item.reason = (
                    MISS_NOTES.get(("kics", item.file, item.key))
                    or (_no_rule(reason) if not rules else "")
                    or diagnose_miss(corpus, texts, scan, item.file, line, fallback=reason if scope == "out" else "")
                )
        for f in scan.findings:
            base = os.path.basename(f.loc.path)
            if id(f) in matched_ids:
                case.matched.append(f)
            elif base in negatives:
                _fp(case, f)
            else:
                case.extras.append(f)
    return cases


def cfn_nag_cases(corpus: Path, texts: Texts, scans: dict[str, Scan]) -> list[Case]:
    data = json.loads((corpus / "cfn_nag" / "expected.json").read_text(encoding="utf-8"))
    cases = []
    for raw in data["cases"]:
        groups: list[tuple[str, list[str]]] = []
        if "expected_offending_logical_resource_ids" in raw:
            groups.append((raw["rule_id"], raw["expected_offending_logical_resource_ids"]))
        for violation in raw.get("expected_violations", []):
            groups.append((violation["rule_id"], violation["logical_resource_ids"]))
        for rule_id, ids in groups:
            if rule_id in CFN_NAG_IN_SCOPE:
                scope, (rules, reason) = "in", CFN_NAG_IN_SCOPE[rule_id]
            elif rule_id in CFN_NAG_OUT_OF_SCOPE:
                scope, (rules, reason) = "out", CFN_NAG_OUT_OF_SCOPE[rule_id]
            else:
                continue
            for template in raw["templates"]:
                rel = f"cfn_nag/spec/test_templates/{template}"
                case = Case("cfn_nag", f"{rule_id} {template}", scope, rules, reason)
                rules = case.rules
                cases.append(case)
                scan = scans[rel]
                text = texts.get(rel)
                resources = {c.name: c for c in text.containers()}
                if rel.endswith(".json"):
                    try:  # the line heuristic must agree with a real JSON parser
                        real = set(json.loads((corpus / rel).read_text(encoding="utf-8")).get("Resources", {}))
                        if real != set(resources):
                            case.notes.append(f"resource scan disagrees with json: {sorted(real ^ set(resources))}")
                    except ValueError as exc:
                        case.notes.append(f"not JSON: {exc}")

                def owner(loc: Loc) -> str:
                    c = text.container(loc.line) if loc.path == rel else None
                    return c.name if c else ""

                matched: set[int] = set()
                for logical in ids:
                    item = Item(rel, logical)
                    case.items.append(item)
                    for name, test_fn in (
                        ("resource", lambda f: owner(f.loc) == logical),
                        ("related", lambda f: any(owner(loc) == logical for _, loc in f.related)),
                    ):
                        hits = [f for f in scan.findings if test_fn(f) and f.rule in rules]
                        if hits and not item.found_by:
                            item.found_by, item.rules = name, tuple(sorted({f.rule for f in hits}))
                            item.hits = tuple(f"{f.loc.line} {f.rule}" for f in hits)
                        matched.update(id(f) for f in hits)
                    other = sorted({f.rule for f in scan.findings if owner(f.loc) == logical and f.rule not in rules})
                    if not item.found_by:
                        if not rules:  # out of scope, no JEP1 rule is meant to report it
                            item.reason = _no_rule(reason)
                        elif other:
                            item.reason = (
                                f"only {', '.join(other)} in this resource, about another statement "
                                f"(expected {', '.join(rules) or 'no JEP1 rule'}): {reason}"
                            )
                        elif logical not in resources:
                            item.reason = f"logical id {logical} not located in the template"
                        else:
                            item.reason = MISS_NOTES.get(("cfn_nag", rel, logical)) or diagnose_miss(
                                corpus, texts, scan, rel, None, resources[logical], fallback=reason if scope == "out" else ""
                            )
                for f in scan.findings:
                    if id(f) in matched:
                        case.matched.append(f)
                    elif not ids:
                        _fp(case, f)
                    else:
                        case.extras.append(f)
    return cases


def kube_linter_cases(corpus: Path, texts: Texts, scans: dict[str, Scan]) -> list[Case]:
    cases = []
    for check, (rules, reason, docs, why) in KUBE_LINTER_IN_SCOPE.items():
        rel = f"kube-linter/tests/checks/{check}.yml"
        label = json.loads((corpus / f"kube-linter/tests/checks/{check}.expected.json").read_text(encoding="utf-8"))
        case = Case("kube-linter", check, "in", rules, reason)
        rules = case.rules
        case.notes.append(f"expected documents {list(docs)}: {why}")
        cases.append(case)
        scan = scans[rel]
        text = texts.get(rel)
        objects = {o["doc_index"]: o for o in label["objects_in_file"]}
        kinds = Counter(m.split(":", 1)[0] for m in label["expected_messages_kind_prefixed"])
        if len(docs) != label["expected_report_count"] or Counter(objects[d]["kind"] for d in docs) != kinds:
            case.notes.append("WARNING: the expected documents above disagree with the label's messages/count")
        by_doc = {c.index: c for c in text.containers()}
        if [(c.type, c.name) for c in by_doc.values()] != [(o["kind"], o["name"]) for o in label["objects_in_file"]]:
            case.notes.append("WARNING: the document scan disagrees with objects_in_file")
        matched: set[int] = set()
        for d in docs:
            obj = objects[d]
            item = Item(rel, f"doc {d} {obj['kind']} {obj['name']}")
            case.items.append(item)
            container = by_doc.get(d)
            hits = [
                f
                for f in scan.findings
                if container
                and container.start <= f.loc.line <= container.end
                and re.search(rf"\b{re.escape(obj['name'])}\b", f.message)
            ]
            if hits:
                item.found_by, item.rules = "object", tuple(sorted({f.rule for f in hits}))
                item.hits = tuple(f"{f.loc.line} {f.rule}" for f in hits)
                matched.update(id(f) for f in hits)
            else:
                item.reason = diagnose_miss(corpus, texts, scan, rel, container.start if container else None, container)
        for f in scan.findings:
            if id(f) in matched:
                case.matched.append(f)
            else:
                _fp(case, f)  # every object not named in the messages is expected to pass
    return cases


# ------------------------------------------------------------------------------------------------
# Report
# ------------------------------------------------------------------------------------------------


def pct(num: int, den: int) -> str:
    return f"{100 * num / den:5.1f}%" if den else "   n/a"


def table(rows: list[list[str]], header: list[str]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]

    def fmt(row: list[str]) -> str:  # the first two columns are text, the others numbers
        return "  ".join(str(c).ljust(w) if i < 2 else str(c).rjust(w) for i, (c, w) in enumerate(zip(row, widths)))

    return "\n".join([fmt(header), "  ".join("-" * w for w in widths), *(fmt(r) for r in rows)])


@dataclass
class Totals:
    expected: int = 0
    found: int = 0
    matched: int = 0
    fp: int = 0
    fp_by_design: int = 0
    extras: int = 0

    def add(self, case: Case) -> None:
        self.expected += len(case.items)
        self.found += case.found
        self.matched += len(case.matched)
        self.fp += len(case.fps)
        self.fp_by_design += sum(1 for _, cat, _ in case.fps if cat == BY_DESIGN)
        self.extras += len(case.extras)

    def row(self, label: str) -> list[str]:
        return [
            label,
            "",
            str(self.expected),
            str(self.found),
            str(self.expected - self.found),
            pct(self.found, self.expected),
            str(self.matched),
            str(self.fp),
            str(self.fp_by_design),
            str(self.extras),
            pct(self.matched, self.matched + self.fp),
            pct(self.matched, self.matched + self.fp - self.fp_by_design),
        ]


HEADER = ["case", "rules", "exp", "found", "missed", "recall", "TP", "FP", "bd", "unlab", "prec", "prec*"]
LEGEND = """columns: exp = expected items (KICS lines, cfn_nag logical ids, kube-linter objects); recall = found / exp;
TP = findings matching an expected item; FP = findings on files/objects labeled clean, bd = of which by design
(the rule is deliberately broader than the label); unlab = findings in positive files matching no label (not
counted); prec = TP / (TP + FP); prec* = the same without the by-design FPs"""


def case_row(case: Case) -> list[str]:
    t = Totals()
    t.add(case)
    row = t.row(case.name)
    row[1] = ",".join(case.rules) if case.rules else "-"
    return row


def jeplint_state() -> str:
    try:
        from jeplint import __version__ as version
    except Exception:
        version = "?"
    try:
        rev = subprocess.run(
            ["git", "-C", str(REPO), "describe", "--always", "--dirty"], capture_output=True, text=True, check=False, timeout=10
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        rev = ""
    return f"jeplint {version}" + (f" at {rev}" if rev else "")


def report(cases: list[Case], scans: dict[str, Scan], verbose: bool, elapsed: float, mode: str) -> None:
    sources = ("kics", "kube-linter", "cfn_nag")
    print(f"{jeplint_state()}: JEP1 accuracy on the labeled corpus (wildcard / over-broad grant cases)")
    print(LEGEND + "\n")
    overall, overall_out = Totals(), Totals()
    for scope, title in (("in", "IN SCOPE"), ("out", "OUT OF SCOPE TODAY (counted separately, so the gap is visible)")):
        print(f"=== {title}")
        for source in sources:
            rows = [c for c in cases if c.source == source and c.scope == scope]
            if not rows:
                continue
            total = Totals()
            for c in rows:
                total.add(c)
                (overall if scope == "in" else overall_out).add(c)
            print(f"\n--- {source}")
            print(table([case_row(c) for c in rows] + [total.row(f"TOTAL {source}")], HEADER))
        print()
    print("=== TOTALS")
    print(table([overall.row("overall, in scope"), overall_out.row("overall, out of scope today")], HEADER))

    print("\n=== Scope (why each case is in or out: the tables at the top of this script)")
    print("in scope:")
    for q, (rules, why) in KICS_IN_SCOPE.items():
        print(f"  kics {q} [{','.join(rules)}]: {why}")
    for r, (rules, why) in CFN_NAG_IN_SCOPE.items():
        print(f"  cfn_nag {r} [{','.join(rules)}]: {why}")
    for k, (rules, why, _, _) in KUBE_LINTER_IN_SCOPE.items():
        print(f"  kube-linter {k} [{','.join(rules)}]: {why}")
    print("out of scope today:")
    for q, (_, why) in KICS_OUT_OF_SCOPE.items():
        print(f"  kics {q}: {why}")
    for r, (_, why) in CFN_NAG_OUT_OF_SCOPE.items():
        print(f"  cfn_nag {r}: {why}")
    print(
        f"not considered: KICS {KICS_NOT_CONSIDERED}; cfn_nag {CFN_NAG_NOT_CONSIDERED}; kube-linter {KUBE_LINTER_NOT_CONSIDERED}"
    )
    for c in cases:
        for note in c.notes:
            print(f"  note [{c.source} {c.name}]: {note}")

    print("\n=== How expected items were found (first criterion that holds)")
    for scope in ("in", "out"):
        counts: Counter[tuple[str, str]] = Counter()
        for c in cases:
            if c.scope == scope:
                for i in c.items:
                    if i.found_by:
                        counts[(c.source, i.found_by)] += 1
        print(f"  {scope} scope: " + (", ".join(f"{s} {k}: {n}" for (s, k), n in sorted(counts.items())) or "nothing found"))
    off_rule = [
        (c, i) for c in cases if c.scope == "in" for i in c.items if i.found_by and c.rules and not set(i.rules) & set(c.rules)
    ]
    print(f"  found only by a JEP1 rule other than the expected one: {len(off_rule)}")
    for c, i in off_rule:
        print(f"    {c.source} {c.name} {i.file}:{i.key}: expected {','.join(c.rules)}, found {','.join(i.rules)}")

    if verbose:
        print("\n=== FOUND: expected item -> criterion, matching findings (line rule)")
        for c in cases:
            for i in c.items:
                if i.found_by:
                    print(f"  [{c.scope}] {c.source} {i.file}:{i.key} -> {i.found_by}: {', '.join(i.hits)}")

    for scope, title in (("in", "MISSES, in scope, by reason"), ("out", "MISSES, out of scope today, by reason")):
        by_reason: dict[str, list[tuple[Case, Item]]] = defaultdict(list)
        for c in cases:
            if c.scope == scope:
                for i in c.items:
                    if not i.found_by:
                        by_reason[i.reason].append((c, i))
        print(f"\n=== {title} ({sum(len(v) for v in by_reason.values())})")
        for reason, items in sorted(by_reason.items(), key=lambda kv: (-len(kv[1]), kv[0])):
            print(f"  [{len(items)}] {reason}")
            shown = items if verbose or scope == "in" else items[:3]
            for c, i in shown:
                where = f"{i.file}:{i.key}" if c.source == "kics" else f"{i.file} {i.key}"
                print(f"      {c.source} {c.name}: {where}")
            if len(shown) < len(items):
                print(f"      ... and {len(items) - len(shown)} more (--verbose)")

    print("\n=== FALSE POSITIVES (findings on files or objects labeled clean), grouped by file and rule")
    groups: dict[tuple, list[Finding]] = defaultdict(list)
    for c in cases:
        for f, category, note in c.fps:
            groups[(c.scope, category, c.source, c.name, f.loc.path, f.rule, note)].append(f)
    for (scope, category, source, name, path, rule, note), found in groups.items():
        lines = ",".join(str(f.loc.line) for f in found)
        levels = "/".join(sorted({f.level for f in found}))
        print(f"  [{scope} scope, {category}] {source} {name}: {path}:{lines} {rule} [{levels}] x{len(found)}")
        print(f"      {note or found[0].message[:160]}")
    if not groups:
        print("  none")

    extras = [(c, f) for c in cases for f in c.extras]
    print(f"\n=== UNLABELED findings in positive files/templates ({len(extras)}; not counted, listed with --verbose)")
    by_rule = Counter((c.scope, f.rule, f.level) for c, f in extras)
    print("  " + (", ".join(f"{s} scope {r} {lvl}: {n}" for (s, r, lvl), n in sorted(by_rule.items())) or "none"))
    if verbose:
        for c, f in extras:
            print(f"    {c.source} {c.name}: {f.short()}")

    problems = sorted(
        {(p["path"], p.get("line"), p["reason"]) for s in scans.values() for p in s.problems if p.get("level") == "error"}
    )
    errors = [s for s in scans.values() if s.error]
    print(f"\n=== jeplint problems: {len(problems)} input error(s), {len(errors)} failed run(s)")
    for path, line, reason in problems:
        print(f"  {path}:{line or 1}: {reason}")
    for s in errors:
        print(f"  {s.target}: {s.error}")
    slowest = max(scans.values(), key=lambda s: s.seconds) if scans else None
    print(
        f"\n{len(scans)} jeplint runs ({mode}) in {elapsed:.1f}s"
        + (f" (slowest {slowest.seconds:.2f}s: {slowest.target})" if slowest else "")
    )


# ------------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--verbose", "-v", action="store_true", help="list every miss and every unlabeled finding")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help=f"labeled corpus (default: {DEFAULT_CORPUS})")
    parser.add_argument(
        "--subprocess",
        action="store_true",
        help="run `python -m jeplint scan --format json` per target instead of importing jeplint.run.scan",
    )
    parser.add_argument("--jobs", "-j", type=int, default=os.cpu_count() or 2, help="parallel runs with --subprocess")
    args = parser.parse_args(argv)
    corpus = args.corpus.resolve()
    if not (corpus / "kics").is_dir() and not (corpus / "cfn_nag").is_dir():
        print(
            f"accuracy: skipped: labeled corpus not found at {corpus} (expected ../shared/corpus/labeled next to the repository)"
        )
        return 0

    targets: list[str] = []
    for query in [*KICS_IN_SCOPE, *KICS_OUT_OF_SCOPE]:
        if (corpus / f"kics/{query}/test").is_dir():
            targets.append(f"kics/{query}/test")
    for check in KUBE_LINTER_IN_SCOPE:
        targets.append(f"kube-linter/tests/checks/{check}.yml")
    cfn = json.loads((corpus / "cfn_nag/expected.json").read_text(encoding="utf-8"))
    for raw in cfn["cases"]:
        ids = {raw.get("rule_id")} | {v["rule_id"] for v in raw.get("expected_violations", [])}
        if ids & (set(CFN_NAG_IN_SCOPE) | set(CFN_NAG_OUT_OF_SCOPE)):
            targets += [f"cfn_nag/spec/test_templates/{t}" for t in raw["templates"]]
    targets = list(dict.fromkeys(targets))

    began = time.perf_counter()
    if args.subprocess:
        with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            scans = dict(zip(targets, pool.map(lambda t: run_cli(corpus, t), targets)))
    else:
        scans = {t: run_inprocess(corpus, t) for t in targets}
    elapsed = time.perf_counter() - began

    failed = [s for s in scans.values() if s.error]
    if failed and len(failed) == len(scans):
        print(f"accuracy: jeplint could not run on any target ({failed[0].error}); no numbers reported")
        return 2
    texts = Texts(corpus)
    cases = kics_cases(corpus, texts, scans) + kube_linter_cases(corpus, texts, scans) + cfn_nag_cases(corpus, texts, scans)
    report(cases, scans, args.verbose, elapsed, "subprocess" if args.subprocess else "in-process")
    return 0


if __name__ == "__main__":
    sys.exit(main())
