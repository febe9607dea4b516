"""Registry modules whose interface jeplint knows (terraform-aws-modules/iam): the identities, trust,
attachments and policies a call's inputs describe enter the graph without the module's source, in
the shapes real repositories write them (testdata/terraform-known-modules)."""

from __future__ import annotations

from pathlib import Path

import pytest

from jeplint.catalog.module_interfaces import interface_for
from jeplint.run import scan

BASE = "testdata/terraform-known-modules"
KNOWN = (
    "uses a registry module whose interface jeplint knows: the identities and policies it creates are "
    "modelled from its inputs, its source is not read"
)
KNOWN_MANY = (
    "use registry modules whose interface jeplint knows: the identities and policies they create are "
    "modelled from their inputs, their source is not read"
)
ORIGIN = (
    "calls terraform-aws-modules/iam/aws//modules/{}, a registry module whose interface jeplint knows: "
    "what it creates is read from the call's inputs, not from the module's source"
)


def run(case: str) -> tuple[list[tuple[str, int, int, str]], list[tuple[int, int, str]]]:
    result = scan([f"{BASE}/{case}"])
    found = [(f.rule_id, f.span.line, f.span.col, f.message) for f in result.findings]
    notes = [(p.line or 0, p.col or 0, p.reason) for p in result.problems]
    return found, notes


@pytest.mark.parametrize(
    ("source", "module"),
    [
        ("terraform-aws-modules/iam/aws//modules/iam-user", "iam-user"),
        ("registry.terraform.io/terraform-aws-modules/iam/aws//modules/iam-group", "iam-group"),
        ("github.com/terraform-aws-modules/terraform-aws-iam//modules/iam-assumable-role?ref=e20e0b9a", "iam-assumable-role"),
        ("git::https://github.com/terraform-aws-modules/terraform-aws-iam.git//modules/iam-policy?ref=v5.0.0", "iam-policy"),
        ("git@github.com:terraform-aws-modules/terraform-aws-iam.git//modules/iam-role", "iam-role"),
    ],
)
def test_a_call_is_matched_by_its_source_whatever_the_ref(source: str, module: str) -> None:
    found = interface_for(source)
    assert found is not None
    assert found[0] == f"terraform-aws-modules/iam/aws//modules/{module}"


@pytest.mark.parametrize(
    "source",
    [
        "terraform-aws-modules/iam/aws",  # the root module holds no IAM resources
        "terraform-aws-modules/iam/aws//modules/iam-account",  # not in the table
        "example-org/iam/aws//modules/iam-assumable-role",  # same module name, another publisher
        "./modules/iam-assumable-role",
    ],
)
def test_other_sources_are_not_matched(source: str) -> None:
    assert interface_for(source) is None


def test_assumable_role_with_count_and_an_attachment_to_its_output(in_root: Path) -> None:
    """modernisation-platform style: `count` on the call, a github source with a ref, and an
    attachment beside the call to `module.x[0].iam_role_name`: all bound to the role."""
    found, notes = run("assumable_role")
    assert found == [
        (
            "JEP203",
            13,
            27,
            "role ScannerRole allows sessions of up to 12 hours (max_session_duration = 43200), over the 1-hour limit; "
            "lower it to 1 hour: AWS SDKs renew the sessions of instances, tasks and pods themselves "
            "(a CI job gets one session: allow only as long as its longest job needs)",
        ),
        (
            "JEP106",
            17,
            5,
            "role ScannerRole holds AWS managed policy AdministratorAccess (every action on every resource) through "
            "module.scanner_role.aws_iam_role_policy_attachment.custom_role_policy_arns[1]",
        ),
        (
            "JEP106",
            24,
            16,
            "role ScannerRole holds AWS managed policy PowerUserAccess (every action except IAM, Organizations and "
            "Account management) through aws_iam_role_policy_attachment.extra",
        ),
    ]
    assert notes[0] == (5, 8, f"module.scanner_role (terraform-aws-modules/iam/aws//modules/iam-assumable-role) {KNOWN}")
    result = scan([f"{BASE}/assumable_role"])
    role = next(i for i in result.graph.identities if i.name == "ScannerRole")
    assert role.key == f"{BASE}/assumable_role/aws_iam_role.this[0]@module.scanner_role"
    assert (role.span.line, role.span.col) == (5, 8)  # the module call
    assert role.origin[0] == (role.span, "module.scanner_role " + ORIGIN.format("iam-assumable-role"))
    assert role.trust is not None
    grant = role.trust.grants[0]
    assert [a.text for a in grant.actions] == ["sts:AssumeRole", "sts:TagSession"]
    assert [p.text for p in grant.principals] == ["Service:malware-protection-plan.guardduty.amazonaws.com"]
    assert grant.conditions == ()  # role_requires_mfa = false
    held = sorted((b.policy.name, b.span.line) for b in result.graph.bindings)
    assert held == [("AdministratorAccess", 17), ("PowerUserAccess", 24), ("scan", 16)]
    assert "registry modules not in the scan" not in {c for _s, c, _m in result.graph.unresolved}


def test_user_and_group_modules_v6(in_root: Path) -> None:
    """iam-user's `policies` map, an inline policy written beside it on `module.x.name`, and
    iam-group's `users` list: the member holds the group's policy."""
    found, _notes = run("users_groups")
    assert [(r, line, col) for r, line, col, _m in found] == [("JEP106", 9, 13), ("JEP105", 16, 111)]
    assert found[0][3] == (
        "user deployer holds AWS managed policy AdministratorAccess (every action on every resource) through "
        'module.deployer.aws_iam_user_policy_attachment.policies["admin"]'
    )
    result = scan([f"{BASE}/users_groups"])
    held = sorted((b.identity.label, b.policy.name, b.via) for b in result.graph.bindings)
    assert held == [
        ("group operators", "ReadOnlyAccess", 'module.operators.aws_iam_group_policy_attachment.policies["ReadOnly"]'),
        ("user deployer", "AdministratorAccess", 'module.deployer.aws_iam_user_policy_attachment.policies["admin"]'),
        ("user deployer", "ReadOnlyAccess", "module.operators.aws_iam_group_membership.users (member of group operators)"),
        ("user deployer", "assume", "aws_iam_user_policy.assume"),
    ]
    assert result.graph.unresolved == []


def test_a_role_not_created_is_not_modelled_and_an_unknown_module_is_said(in_root: Path) -> None:
    """`create_role = false`, and v5's default (create_role false): no role, no finding; a module
    of another publisher with the same path is still "not in the scan"."""
    found, notes = run("not_created")
    assert found == []
    result = scan([f"{BASE}/not_created"])
    assert [i.name for i in result.graph.identities] == []
    assert [(line, col, m) for line, col, m in notes if "lookalike" in m] == [
        (
            17,
            8,
            "module.lookalike (example-org/iam/aws//modules/iam-assumable-role) is not in the scan: what it does with "
            "its IAM inputs (create_role, custom_role_policy_arns, role_name) is not analysed",
        )
    ]
    assert [c for _s, c, _m in result.graph.unresolved] == ["registry modules not in the scan"]


def test_unknown_inputs_are_counted_never_guessed(in_root: Path) -> None:
    found, notes = run("unknown_inputs")
    assert found == []
    assert notes[1:] == [
        (12, 17, "module.ci: whether it creates its role is not known (var.create)"),
        (16, 29, "module.ci: which policies it attaches through custom_role_policy_arns is not known (var.policy_arns)"),
        (17, 29, "module.ci: whether attach_admin_policy attaches a policy is not known (var.create)"),
        (
            18,
            29,
            "module.ci: role_policy_json is not an input of its known interface: what the module does with it is not analysed",
        ),
    ]
    result = scan([f"{BASE}/unknown_inputs"])
    role = next(i for i in result.graph.identities if i.name == "ci")  # an unknown create flag: read as created
    assert role.trust is not None
    conditions = sorted((c.operator, c.key) for c in role.trust.grants[0].conditions)
    assert conditions == [("Bool", "aws:MultiFactorAuthPresent"), ("NumericLessThan", "aws:MultiFactorAuthAge")]
    assert list(result.graph.bindings_of(role)) == []


def test_github_and_service_account_trust(in_root: Path) -> None:
    found, _notes = run("oidc_roles")
    assert found[0] == (
        "JEP404",
        6,
        14,
        "role github-deploy trusts OIDC tokens of GitHub Actions (token.actions.githubusercontent.com) with "
        "iss = https://token.actions.githubusercontent.com and sub like repo:my-org/*: a workflow of any repository of "
        "owner my-org can assume it",
    )
    assert [f[:3] for f in found] == [("JEP404", 6, 14), ("JEP106", 8, 14)]  # at the subjects it pins
    result = scan([f"{BASE}/oidc_roles"])
    verdicts = sorted((f.subject, f.issuer.provider, f.verdict) for f in result.graph.federations)
    assert verdicts == [
        ("role external-dns", "kubernetes", "repository"),
        ("role github-deploy", "github", "organisation"),
        ("role github-pinned", "github", "branch"),
    ]
    eks = next(f for f in result.graph.federations if f.subject == "role external-dns")
    assert [(c.claim, c.values) for c in eks.claims] == [
        ("sub", ("system:serviceaccount:kube-system:external-dns",)),
        ("aud", ("sts.amazonaws.com",)),
    ]


def test_policy_module_output_attached_through_a_role_module(in_root: Path) -> None:
    """iam-policy's document (a data document) reaches the role of iam-role v6 through
    `module.wide_policy.arn`: reported once, on the role, not again as a loose document."""
    found, _notes = run("managed_policy")
    assert [f[:3] for f in found] == [("JEP105", 4, 18)]
    # the count of s3 write actions is the catalogue's and JEP105's business; who and through what is ours
    assert found[0][3].startswith("role app can perform ")
    assert found[0][3].endswith("through policy wide, statement 1")
    result = scan([f"{BASE}/managed_policy"])
    role = next(i for i in result.graph.identities if i.name == "app")
    assert role.trust is not None
    assert [p.text for p in role.trust.grants[0].principals] == ["Service:ec2.amazonaws.com"]


def test_assumable_roles_defaults(in_root: Path) -> None:
    """iam-assumable-roles: the admin role's default name and AdministratorAccess, the read-only
    role's name from its input; the poweruser role is not created."""
    found, _notes = run("assumable_roles")
    assert found == [
        (
            "JEP106",
            1,
            8,
            "role admin holds AWS managed policy AdministratorAccess (every action on every resource) through "
            "module.roles.aws_iam_role_policy_attachment.admin_role_policy_arns[0]",
        )
    ]
    result = scan([f"{BASE}/assumable_roles"])
    assert sorted(i.name for i in result.graph.identities) == ["admin", "read-only"]
    readonly = next(i for i in result.graph.identities if i.name == "read-only")
    assert [b.policy.name for b in result.graph.bindings_of(readonly)] == ["ReadOnlyAccess"]


def test_user_module_v5_creates_an_access_key_by_default(in_root: Path) -> None:
    """v5 iam-user makes an access key unless `create_iam_access_key = false`; v6's
    `create_access_key = false` makes none. Inputs that make no IAM fact are not said."""
    found, notes = run("user_v5")
    assert found == [
        (
            "JEP201",
            1,
            8,
            "user ci has an access key (aws_iam_access_key.this) that never expires; let the workload assume a role "
            "instead (OIDC federation for CI, IRSA or EKS Pod Identity, IAM Roles Anywhere, an instance or task role)",
        )
    ]
    assert [reason for _line, _col, reason in notes] == [
        f"module.ci_user (terraform-aws-modules/iam/aws//modules/iam-user) and 1 other module calls {KNOWN_MANY}"
    ]
    result = scan([f"{BASE}/user_v5"])
    assert sorted(i.name for i in result.graph.identities) == ["alice", "ci"]
    assert [(c.kind, c.identity.name if c.identity else None) for c in result.graph.credentials] == [("aws-access-key", "ci")]


def test_role_v6_github_trust_and_a_name_used_as_prefix(in_root: Path) -> None:
    """v6 iam-role: `enable_github_oidc` with no subject trusts every repository; with
    `oidc_subjects` it pins one branch. `use_name_prefix` defaults to true, so the role's real name
    is not known: it is named by its address. SAML trust is said, not modelled."""
    found, notes = run("role_v6_github")
    assert found == [
        (
            "JEP404",
            6,
            24,  # enable_github_oidc = true, pinning nothing
            'role module.any_repo.aws_iam_role.this[0] (name generated at apply from prefix "gha-any") trusts OIDC '
            "tokens of GitHub Actions "
            "(token.actions.githubusercontent.com) with iss = https://token.actions.githubusercontent.com: a workflow of "
            "any repository on GitHub can assume it",
        )
    ]
    assert notes[1:] == [(24, 17, "module.saml: the trust enable_saml adds is not modelled from the module's interface")]
    result = scan([f"{BASE}/role_v6_github"])
    verdicts = sorted((f.subject, f.verdict) for f in result.graph.federations)
    assert verdicts == [
        ('role module.any_repo.aws_iam_role.this[0] (name generated at apply from prefix "gha-any")', "nothing"),
        ('role module.main_branch.aws_iam_role.this[0] (name generated at apply from prefix "gha-main")', "branch"),
    ]
    saml = next(i for i in result.graph.identities if i.name == "module.saml.aws_iam_role.this[0]")
    assert saml.trust is None


def test_a_whole_trust_policy_given_as_an_input(in_root: Path) -> None:
    """`create_custom_role_trust_policy` with a data document: the document is the role's trust
    (and is not reported again as a document that feeds a module outside the scan)."""
    found, notes = run("custom_trust")
    assert found == [("JEP404", 6, 22, 'role open can be assumed by any AWS principal of any account (Principal AWS "*")')]
    assert notes == [(11, 8, f"module.open (terraform-aws-modules/iam/aws//modules/iam-assumable-role) {KNOWN}")]


def test_a_fault_in_one_known_call_costs_that_call_only(in_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from jeplint.graph.tf_known_modules import KnownModule

    def broken(self: KnownModule, spec: dict[str, object]) -> None:
        raise RuntimeError("unforeseen shape")

    monkeypatch.delenv("JEPLINT_DEBUG", raising=False)
    monkeypatch.setattr(KnownModule, "_identity", broken)
    result = scan([f"{BASE}/users_groups"])
    # the inline policy beside the calls is still read and reported (its user is not known now)
    assert [(f.rule_id, f.span.line) for f in result.findings] == [("JEP401", 16), ("JEP105", 16)]
    assert result.graph.errors == [
        (
            f"{BASE}/users_groups/main.tf",
            "internal error while reading module.deployer (line 1): RuntimeError: unforeseen shape",
        ),
        (
            f"{BASE}/users_groups/main.tf",
            "internal error while reading module.operators (line 19): RuntimeError: unforeseen shape",
        ),
    ]


def test_for_each_on_the_call_and_a_workload_on_an_output(in_root: Path) -> None:
    """`for_each` over a local map, inputs from `each`, and a Lambda whose role is
    `module.x["audit"].iam_role_arn`: one role per key, each with its own trust and policies."""
    found, _notes = run("for_each_roles")
    assert found == [
        (
            "JEP106",
            5,
            19,
            "role svc-deploy holds AWS managed policy AdministratorAccess (every action on every resource) through "
            'module.service_roles["deploy"].aws_iam_role_policy_attachment.custom_role_policy_arns[0]',
        )
    ]
    result = scan([f"{BASE}/for_each_roles"])
    roles = {i.name: i for i in result.graph.identities}
    assert sorted(roles) == ["svc-audit", "svc-deploy"]
    assert roles["svc-audit"].key == f'{BASE}/for_each_roles/aws_iam_role.this[0]@module.service_roles["audit"]'
    audit_trust = roles["svc-audit"].trust
    assert audit_trust is not None
    assert [p.text for p in audit_trust.grants[0].principals] == ["Service:lambda.amazonaws.com"]
    assert [(w.kind, w.name, w.identity.name) for w in result.graph.workloads] == [("Lambda function", "audit", "svc-audit")]
    assert [(b.identity.name, b.policy.name) for b in result.graph.bindings_of(roles["svc-audit"])] == [
        ("svc-audit", "SecurityAudit")
    ]
