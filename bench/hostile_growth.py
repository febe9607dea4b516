"""Growth of each pipeline stage on hostile input (issue 20, item 3): time at 1x, 4x and 16x.

Generates its own inputs (nothing from the corpus): a chain of roles that all trust the account
root and hold sts:AssumeRole on "*" (JEP405's worst case), nested `${` placeholders in a
CloudFormation `Fn::Sub` and a policy `Resource`, Kubernetes verbs x resources through YAML
aliases, and exclude globs on a deep path. Run by hand:

    /work/venv/bin/python bench/hostile_growth.py              # every stage
    /work/venv/bin/python bench/hostile_growth.py roles 15 20 25 30   # JEP405 at these role counts

`tests/test_attacks.py` imports the generators and checks the same shapes under a deadline.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def roles_tf(count: int) -> str:
    """`count` roles; each trusts the account root and may assume any role."""
    parts = ['data "aws_caller_identity" "current" {}\n']
    for n in range(count):
        parts.append(
            f'resource "aws_iam_role" "r{n}" {{\n'
            f'  name = "r{n}"\n'
            "  assume_role_policy = jsonencode({\n"
            '    Version = "2012-10-17"\n'
            '    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole",'
            ' Principal = { AWS = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:root" } }]\n'
            "  })\n}\n"
            f'resource "aws_iam_role_policy" "p{n}" {{\n'
            f"  role = aws_iam_role.r{n}.id\n"
            "  policy = jsonencode({\n"
            '    Version = "2012-10-17"\n'
            '    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Resource = "*" }]\n'
            "  })\n}\n"
        )
    return "".join(parts)


def admin_role_tf() -> str:
    """One more role, administrator, trusting the account root: the end of every chain."""
    return (
        'resource "aws_iam_role" "admin" {\n  name = "admin"\n  assume_role_policy = jsonencode({\n'
        '    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole",'
        ' Principal = { AWS = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:root" } }]\n  })\n}\n'
        'resource "aws_iam_role_policy_attachment" "admin" {\n  role = aws_iam_role.admin.name\n'
        '  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"\n}\n'
    )


def nested_sub_yaml(kilobytes: int) -> str:
    """A CloudFormation template whose `Fn::Sub` and policy `Resource` are `${a${a${a...`."""
    nested = "${a" * (kilobytes * 1024 // 6)
    return (
        "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Role:\n    Type: AWS::IAM::Role\n    Properties:\n"
        "      AssumeRolePolicyDocument:\n        Statement:\n          - Effect: Allow\n"
        "            Principal: {Service: lambda.amazonaws.com}\n            Action: sts:AssumeRole\n"
        "      Policies:\n        - PolicyName: p\n          PolicyDocument:\n            Statement:\n"
        "              - Effect: Allow\n                Action: s3:GetObject\n"
        f"                Resource: {{'Fn::Sub': '{nested}'}}\n"
        "              - Effect: Allow\n                Action: s3:PutObject\n"
        f"                Resource: '{nested}'\n"
    )


def rbac_alias_yaml(copies: int) -> str:
    """A ClusterRole whose rules repeat aliased verb and resource lists `copies` times."""
    verbs = "&v [" + ", ".join(["get", "list", "watch", "create", "update", "patch", "delete"] * 4) + "]"
    resources = "&r [" + ", ".join(f"res{i}" for i in range(40)) + "]"
    rules = [f"- apiGroups: ['*']\n  verbs: {verbs}\n  resources: {resources}\n"]
    rules += ["- apiGroups: ['*']\n  verbs: *v\n  resources: *r\n"] * copies
    return "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: big\nrules:\n" + "".join(rules)


def _scan_seconds(files: dict[str, str], *args: str) -> tuple[float, int]:
    from jeplint.cli import main

    with tempfile.TemporaryDirectory() as folder:
        for name, text in files.items():
            Path(folder, name).parent.mkdir(parents=True, exist_ok=True)
            Path(folder, name).write_text(text)
        here = os.getcwd()
        os.chdir(folder)
        try:
            started = time.perf_counter()
            code = main(["scan", ".", "--no-cache", "--format", "json", "--output", "out.json", *args])
            return time.perf_counter() - started, code
        finally:
            os.chdir(here)


def main(argv: list[str]) -> int:
    _scan_seconds({"warm.tf": admin_role_tf()})  # the HCL parser tables into the cache: not part of any figure
    if argv[:1] == ["roles"]:
        for count in [int(a) for a in argv[1:]] or [15, 20, 25, 30]:
            seconds, code = _scan_seconds({"infra/main.tf": roles_tf(count) + admin_role_tf()}, "--select", "JEP405")
            print(f"JEP405, {count} roles: {seconds:.2f} s (exit {code})")
        return 0
    for scale in (1, 4, 16):
        stages = {
            "JEP405 roles": ({"infra/main.tf": roles_tf(5 * scale) + admin_role_tf()}, ("--select", "JEP405")),
            "nested ${ (KB)": ({"t.yaml": nested_sub_yaml(8 * scale)}, ()),
            "RBAC aliases": ({"r.yaml": rbac_alias_yaml(20 * scale)}, ()),
            "exclude glob depth": (
                {"/".join(["d"] * 6 * scale) + "/x.tf": "", ".jeplint.toml": "exclude = ['**/**/**/**/**/**/zz']\n"},
                (),
            ),
        }
        for name, (files, args) in stages.items():
            seconds, code = _scan_seconds(files, *args)
            print(f"{scale:>2}x {name:<20} {seconds:7.3f} s (exit {code})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
