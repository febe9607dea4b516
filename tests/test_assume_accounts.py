"""Role chains (JEP405) and the account of an ARN: a trust principal or an sts:AssumeRole resource
names a role by name *and* account; a scanned identity of that name in another known account is
not the one meant. Each deployment is a folder (one Terraform module)."""

from __future__ import annotations

import json
from pathlib import Path

from jeplint.graph.assume import assume_edges
from jeplint.rules.base import Finding
from jeplint.run import Settings, scan

ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"


def role(label: str, name: str, principal: str = "", resource: str = "", admin: bool = False) -> str:
    """A role `name` whose trust admits `principal` (an AWS principal as HCL: `"arn:..."` or an
    expression; a service when empty), holding sts:AssumeRole on `resource` (an HCL expression)
    when given, and AdministratorAccess when `admin`."""
    who = f"AWS = {principal}" if principal else 'Service = "ec2.amazonaws.com"'
    text = (
        f'resource "aws_iam_role" "{label}" {{\n  name = "{name}"\n  assume_role_policy = jsonencode({{\n'
        f'    Version = "2012-10-17"\n    Statement = [{{ Effect = "Allow", Action = "sts:AssumeRole", Principal = {{ {who} }} }}]\n'
        "  })\n}\n\n"
    )
    if resource:
        text += (
            f'resource "aws_iam_role_policy" "{label}" {{\n  name = "hop"\n  role = aws_iam_role.{label}.id\n'
            f'  policy = jsonencode({{\n    Version = "2012-10-17"\n'
            f'    Statement = [{{ Effect = "Allow", Action = "sts:AssumeRole", Resource = {resource} }}]\n  }})\n}}\n\n'
        )
    if admin:
        text += (
            f'resource "aws_iam_role_policy_attachment" "{label}" {{\n  role = aws_iam_role.{label}.name\n'
            f'  policy_arn = "{ADMIN}"\n}}\n\n'
        )
    return text


CALLER = 'data "aws_caller_identity" "current" {}\n\n'
OWN = '"arn:aws:iam::${data.aws_caller_identity.current.account_id}:role/ci"'


def chains(tmp_path: Path, deployments: dict[str, str]) -> list[Finding]:
    for folder, text in deployments.items():
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "main.tf").write_text(text)
    result = scan([str(tmp_path)], Settings(select=("JEP405",)))
    assert not result.problems, result.problems
    return result.findings


# `tools` declares ci; its audit role names ci by ARN in account 111111111111: ci is in that account.
TOOLS_111 = role("ci", "ci", resource='"*"') + role("audit", "audit", principal='"arn:aws:iam::111111111111:role/ci"')
# The same deployment with nothing that says its account.
TOOLS_UNKNOWN = role("ci", "ci", resource='"*"')


def test_principal_of_the_account_the_role_is_known_in_links(tmp_path: Path) -> None:
    found = chains(
        tmp_path, {"tools": TOOLS_111, "prod": role("admin", "admin", '"arn:aws:iam::111111111111:role/ci"', admin=True)}
    )
    assert [f.message for f in found] == [
        "role ci can escalate to administrator by assuming roles (role ci → role admin): "
        "role admin can perform nearly every AWS action (AWS managed policy AdministratorAccess)"
    ]


def test_principal_of_another_account_does_not_link(tmp_path: Path) -> None:
    prod = role("admin", "admin", '"arn:aws:iam::222222222222:role/ci"', admin=True)
    assert chains(tmp_path, {"tools": TOOLS_111, "prod": prod}) == []


def test_the_deployment_tells_the_account_of_its_other_identities(tmp_path: Path) -> None:
    """Only audit's ARN is written with an account (by ops); ci is in the same deployment, so the same account."""
    tools = (
        role("ci", "ci", resource='"*"')
        + role("audit", "audit")
        + role("ops", "ops", resource='"arn:aws:iam::111111111111:role/audit"')
    )
    prod = role("admin", "admin", '"arn:aws:iam::222222222222:role/ci"', admin=True)
    assert chains(tmp_path, {"tools": tools, "prod": prod}) == []
    (tmp_path / "prod" / "main.tf").write_text(prod.replace("222222222222", "111111111111"))
    assert len(scan([str(tmp_path)], Settings(select=("JEP405",))).findings) == 1


def test_unknown_account_links_and_says_so(tmp_path: Path) -> None:
    prod = role("admin", "admin", '"arn:aws:iam::222222222222:role/ci"', admin=True)
    found = chains(tmp_path, {"tools": TOOLS_UNKNOWN, "prod": prod})
    assert [f.message for f in found] == [
        "role ci can escalate to administrator by assuming roles (role ci → role admin) (step 1: role ci is named by "
        "ARN in account 222222222222, which the scan cannot tell is its own): "
        "role admin can perform nearly every AWS action (AWS managed policy AdministratorAccess)"
    ]


def test_unresolved_account_links_and_says_so(tmp_path: Path) -> None:
    prod = 'variable "tools" {}\n\n' + role("admin", "admin", '"arn:aws:iam::${var.tools}:role/ci"', admin=True)
    found = chains(tmp_path, {"tools": TOOLS_111, "prod": prod})
    assert len(found) == 1
    assert "(step 1: role ci is named by an ARN whose account the scan cannot resolve)" in found[0].message


def test_caller_identity_is_the_trusting_deployment_account(tmp_path: Path) -> None:
    """`${data.aws_caller_identity...}` in a deployment is its own account: ci declared beside is in it."""
    same = CALLER + role("ci", "ci", resource='"*"') + role("admin", "admin", OWN, admin=True)
    found = chains(tmp_path, {"prod": same})
    assert [f.message.split(":")[0] for f in found] == [
        "role ci can escalate to administrator by assuming roles (role ci → role admin)"
    ]


def test_caller_identity_of_a_deployment_known_in_another_account(tmp_path: Path) -> None:
    """prod's ops role names the admin role in account 222222222222: prod's caller identity is that
    account, not tools' 111111111111, so prod's admin role does not admit tools' ci; in 111111111111 it does."""
    prod = (
        CALLER + role("admin", "admin", OWN, admin=True) + role("ops", "ops", resource='"arn:aws:iam::222222222222:role/admin"')
    )
    assert chains(tmp_path, {"tools": TOOLS_111, "prod": prod}) == []
    (tmp_path / "prod" / "main.tf").write_text(prod.replace("222222222222", "111111111111"))
    found = scan([str(tmp_path)], Settings(select=("JEP405",))).findings
    assert [f.message.split(":")[0] for f in found] == [
        "role ci can escalate to administrator by assuming roles (role ci → role admin)"
    ]


def test_caller_identity_of_another_deployment_of_unknown_account_links_and_says_so(tmp_path: Path) -> None:
    prod = CALLER + role("admin", "admin", OWN, admin=True)
    found = chains(tmp_path, {"tools": TOOLS_111, "prod": prod})
    assert len(found) == 1
    assert "(step 1: role ci is named by an ARN whose account the scan cannot resolve)" in found[0].message


def test_assume_role_resource_of_another_account_does_not_reach(tmp_path: Path) -> None:
    """The grant side: sts:AssumeRole on `arn:aws:iam::222222222222:role/admin` is not on the admin
    role known to be in 111111111111, though its trust admits ci's account."""
    tools = role("ci", "ci", resource='"arn:aws:iam::222222222222:role/admin"') + role(
        "audit", "audit", principal='"arn:aws:iam::111111111111:role/ci"'
    )
    prod = role("admin", "admin", '"arn:aws:iam::111111111111:role/ci"', admin=True) + role(
        "ops", "ops", resource='"arn:aws:iam::111111111111:role/admin"'
    )
    assert chains(tmp_path, {"tools": tools, "prod": prod}) == []
    (tmp_path / "tools" / "main.tf").write_text(tools.replace("222222222222", "111111111111"))
    assert len(scan([str(tmp_path)], Settings(select=("JEP405",))).findings) == 1


def test_account_root_admits_the_identities_known_in_that_account(tmp_path: Path) -> None:
    prod = role("admin", "admin", '"arn:aws:iam::111111111111:root"', admin=True)
    found = chains(tmp_path, {"tools": TOOLS_111, "prod": prod})
    assert [f.message.split(":")[0] for f in found] == [
        "role ci can escalate to administrator by assuming roles (role ci → role admin)"
    ]
    graph = scan([str(tmp_path)]).graph
    steps = [s for edges in assume_edges(graph).values() for s in edges]
    assert [(s.source.name, s.target.name, s.principal.text, s.unsure) for s in steps] == [
        ("ci", "admin", "AWS:arn:aws:iam::111111111111:root", ""),
        ("ci", "audit", "AWS:arn:aws:iam::111111111111:role/ci", ""),
    ]


def test_account_root_of_an_account_no_identity_is_known_in_links_nothing(tmp_path: Path) -> None:
    prod = role("admin", "admin", json.dumps("arn:aws:iam::111111111111:root"), admin=True)
    assert chains(tmp_path, {"tools": TOOLS_UNKNOWN, "prod": prod}) == []


# -- JEP404: a literal account root that is the role's own account --------------------------------


def test_own_account_root_written_literally_is_not_open_trust(tmp_path: Path) -> None:
    """tools is known to be account 111111111111 (its audit role names ci there): a trust of that
    account's root is the own account, as `${data.aws_caller_identity...}` is; another account's is not."""
    own = TOOLS_111 + role("ops", "ops", '"arn:aws:iam::111111111111:root"')
    (tmp_path / "main.tf").write_text(own)
    assert scan([str(tmp_path)], Settings(select=("JEP404",))).findings == []
    (tmp_path / "main.tf").write_text(own.replace(":111111111111:root", ":222222222222:root"))
    (finding,) = scan([str(tmp_path)], Settings(select=("JEP404",))).findings
    assert "trusts every principal of account 222222222222" in finding.message
    (tmp_path / "main.tf").write_text(TOOLS_UNKNOWN + role("ops", "ops", '"arn:aws:iam::111111111111:root"'))
    (finding,) = scan([str(tmp_path)], Settings(select=("JEP404",))).findings  # the account is not known: reported
    assert "trusts every principal of account 111111111111" in finding.message


# -- JEP401: an ARN of the identity's own name in another account is not the identity ---------------


def policy_on(resource: str) -> str:
    """Role app (known to be in 111111111111 through audit's trust; what its own statements name
    does not count) that may write inline policies of `resource`."""
    return (
        role("app", "app", resource='"*"').replace('sts:AssumeRole", Resource', 'sts:AssumeRole", Resource', 1)
        + role("audit", "audit", principal='"arn:aws:iam::111111111111:role/app"')
        + 'resource "aws_iam_role_policy" "write" {\n  name = "write"\n  role = aws_iam_role.app.id\n'
        f'  policy = jsonencode({{ Version = "2012-10-17", Statement = [{{ Effect = "Allow", Action = "iam:PutRolePolicy", Resource = "{resource}" }}] }})\n}}\n'
    )


def test_own_name_in_another_account_is_not_itself(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(policy_on("arn:aws:iam::111111111111:role/app"))
    (finding,) = scan([str(tmp_path)], Settings(select=("JEP401",))).findings
    assert finding.message.startswith(
        "role app can escalate to administrator: iam:PutRolePolicy on arn:aws:iam::111111111111:role/app"
    )
    (tmp_path / "main.tf").write_text(policy_on("arn:aws:iam::222222222222:role/app"))
    assert scan([str(tmp_path)], Settings(select=("JEP401",))).findings == []
