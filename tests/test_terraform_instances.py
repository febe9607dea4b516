"""Terraform as real modules write it: count / for_each instances, references with an index,
module inputs and outputs, identities declared outside the scan, and every unresolved IAM
reference counted (testdata/terraform-instances)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from jeplint.graph.terraform import traversal
from jeplint.graph.tf_functions import call
from jeplint.graph.tf_instances import split_reference
from jeplint.parse.nodes import Expr, Mapping, Scalar, Sequence, Span
from jeplint.report import json_report
from jeplint.report.text import summary
from jeplint.run import scan

BASE = "testdata/terraform-instances"
ADMIN = "holds AWS managed policy AdministratorAccess (every action on every resource) through"


def findings(case: str, rules: tuple[str, ...] = ("JEP106",)) -> list[tuple[str, int, int, str]]:
    """The findings of the rules that say who holds what (what linking changes), in order."""
    result = scan([f"{BASE}/{case}"])
    return [(f.rule_id, f.span.line, f.span.col, f.message) for f in result.findings if f.rule_id.startswith(rules)]


def notes(case: str) -> list[tuple[str, int, int, str]]:
    result = scan([f"{BASE}/{case}"])
    return [(p.path.rsplit("/", 1)[-1], p.line or 0, p.col or 0, p.reason) for p in result.problems]


def test_count_instance_linked_by_its_index(in_root: Path) -> None:
    """terraform-aws-modules style: `count = var.create ? 1 : 0`, `role = aws_iam_role.this[0].name`,
    and the role's name unknown (a required variable): linked by reference, not by name."""
    assert findings("this_index") == [
        (
            "JEP106",
            19,
            16,
            f"role aws_iam_role.this[0] (name var.name: known only at apply) {ADMIN} aws_iam_role_policy_attachment.admin[0]",
        )
    ]
    assert notes("this_index") == []


def test_count_zero_makes_no_instance(in_root: Path) -> None:
    assert findings("count_zero", ("JEP",)) == []
    assert notes("count_zero") == []


def test_credentials_of_a_resource_with_count_zero_do_not_exist(in_root: Path) -> None:
    """A module instance called with `create_access_key = false`: its key's `count` is 0, so the
    key and the console password are not created (only the other instance's are reported)."""
    keys = [(rule, line, message.split(" (")[0]) for rule, line, _, message in findings("key_count", ("JEP201",))]
    assert keys == [
        ("JEP201", 21, "user uploader has an access key and also a console password"),
        ("JEP201", 26, "user uploader has an access key"),
    ]


def test_for_each_over_a_map_of_policies_one_binding_per_key(in_root: Path) -> None:
    """`for` expression over a local map, `each.value` as the policy, `aws_iam_role.ci[each.key]`."""
    assert findings("for_each_policies") == [
        ("JEP106", 18, 16, f'role ci-deploy {ADMIN} aws_iam_role_policy_attachment.ci["deploy"]')
    ]
    result = scan([f"{BASE}/for_each_policies"])
    roles = sorted(i.name for i in result.graph.identities if i.kind == "role")
    assert roles == ["ci-audit", "ci-deploy"]
    held = sorted((b.identity.name, b.policy.name, b.via) for b in result.graph.bindings)
    assert held == [
        ("ci-audit", "ReadOnlyAccess", 'aws_iam_role_policy_attachment.ci["audit"]'),
        ("ci-deploy", "AdministratorAccess", 'aws_iam_role_policy_attachment.ci["deploy"]'),
    ]


def test_fabric_style_iam_map_into_a_local_module(in_root: Path) -> None:
    assert findings("fabric_iam") == [
        (
            "JEP106",
            13,
            14,
            "user alice@example.com holds GCP role roles/owner (full control of every resource, including IAM "
            'policy) on project my-project through module.project.google_project_iam_binding.authoritative["roles/owner"]',
        )
    ]
    result = scan([f"{BASE}/fabric_iam"])
    (finding,) = result.findings
    assert [(r.span.path.rsplit("/", 3)[-3:], r.span.line, r.span.col, r.message) for r in finding.related] == [
        (
            ["modules", "project", "main.tf"],
            13,
            14,
            'module.project.google_project_iam_binding.authoritative["roles/owner"] binds GCP role roles/owner to user alice@example.com',
        ),
        (  # the module call that supplies the `iam` map: where a reviewer changes it
            ["terraform-instances", "fabric_iam", "main.tf"],
            1,
            8,
            "module.project instantiates testdata/terraform-instances/fabric_iam/modules/project and supplies its inputs",
        ),
    ]
    held = sorted((b.identity.name, b.policy.name) for b in result.graph.bindings)
    assert held == [("alice@example.com", "roles/owner"), ("staff@example.com", "roles/viewer")]


def test_role_returned_by_a_local_module_output(in_root: Path) -> None:
    """`name = null` with `name_prefix`: only the reference links the attachment to the role."""
    assert findings("module_output") == [
        (
            "JEP106",
            8,
            16,
            f'role module.ci.aws_iam_role.this (name generated at apply from prefix "ci-") {ADMIN} aws_iam_role_policy_attachment.ci_admin',
        )
    ]


def test_document_feeding_a_module_outside_the_scan_is_checked_as_a_document(in_root: Path) -> None:
    result = scan([f"{BASE}/remote_module_document"])
    # the service wildcards of the statement are JEP105's finding (JEP102 defers to it)
    assert [(f.rule_id, f.span.line, f.span.col) for f in result.findings] == [("JEP105", 4, 18)]
    related = [(r.span.line, r.span.col, r.message) for r in result.findings[0].related]
    assert related[-1] == (11, 17, "module.ci_role receives this document; its source is not in the scan")
    assert notes("remote_module_document")[-1] == (
        "main.tf",
        8,
        8,
        "module.ci_role (cloudposse/iam-role/aws) is not in the scan: what it does with "
        "its IAM inputs (policy_json) is not analysed",
    )
    assert result.graph.unresolved[0][1] == "registry modules not in the scan"


def test_identity_outside_the_scan_is_still_reported(in_root: Path) -> None:
    assert findings("outside") == [
        (
            "JEP106",
            7,
            16,
            f"role var.ci_role (declared outside the scan) {ADMIN} aws_iam_role_policy_attachment.ci_admin",
        )
    ]


def test_unknown_for_each_is_said_and_counted_never_guessed(in_root: Path) -> None:
    assert findings("unknown_for_each", ("JEP",)) == []
    assert notes("unknown_for_each") == [
        (
            "main.tf",
            11,
            16,
            "for_each of aws_iam_role_policy_attachment.app is not known (var.policies): read as one instance",
        )
    ]
    result = scan([f"{BASE}/unknown_for_each"])
    assert summary(result) == (
        "No findings in 1 file.\n1 IAM reference unresolved (1 unknown for_each); see the notes on stderr."
    )
    report = json.loads(json_report.dumps(result))
    assert report["summary"]["unresolved"] == {"unknown for_each": 1}


SPAN = Span("t.tf", 1, 1, 1, 2)


def s(value: object) -> Scalar:
    return Scalar(value, SPAN)


def plain(node: object) -> object:
    if isinstance(node, Scalar):
        return node.value
    if isinstance(node, Sequence):
        return [plain(i) for i in node.items]
    if isinstance(node, Mapping):
        return {k: plain(v) for k, v in node.items.items()}
    return node


@pytest.mark.parametrize(
    ("name", "args", "expected"),
    [
        ("merge", [Mapping({"a": s(1)}, {}, SPAN), Mapping({"b": s(2)}, {}, SPAN)], {"a": 1, "b": 2}),
        ("concat", [Sequence([s("a")], SPAN), Sequence([s("b")], SPAN)], ["a", "b"]),
        ("flatten", [Sequence([Sequence([s("a")], SPAN), s("b")], SPAN)], ["a", "b"]),
        ("toset", [Sequence([s("a"), s("a"), s("b")], SPAN)], ["a", "b"]),
        ("keys", [Mapping({"b": s(1), "a": s(2)}, {}, SPAN)], ["a", "b"]),
        ("values", [Mapping({"b": s(1), "a": s(2)}, {}, SPAN)], [2, 1]),
        ("lookup", [Mapping({"a": s(1)}, {}, SPAN), s("b"), s(0)], 0),
        ("coalesce", [s(None), s(""), s("x")], "x"),
        ("zipmap", [Sequence([s("a")], SPAN), Sequence([s(1)], SPAN)], {"a": 1}),
        ("format", [s("arn:aws:iam::%s:role/%s"), s("123"), s("ci")], "arn:aws:iam::123:role/ci"),
        ("join", [s("-"), Sequence([s("a"), s("b")], SPAN)], "a-b"),
        ("split", [s(","), s("a,b")], ["a", "b"]),
        ("replace", [s("a-b"), s("-"), s("_")], "a_b"),
        ("lower", [s("AB")], "ab"),
        ("upper", [s("ab")], "AB"),
        ("compact", [Sequence([s("a"), s(""), s(None)], SPAN)], ["a"]),
        (
            "toset",
            [Sequence([Mapping({"r": s("a")}, {}, SPAN), Mapping({"r": s("a")}, {}, SPAN)], SPAN)],
            [{"r": "a"}],
        ),
        ("setproduct", [Sequence([s("a"), s("b")], SPAN), Sequence([s(1)], SPAN)], [["a", 1], ["b", 1]]),
        ("setproduct", [Sequence([s("a")], SPAN), Sequence([], SPAN)], []),
        ("one", [Sequence([s("a")], SPAN)], "a"),
        ("one", [Sequence([], SPAN)], None),
        ("contains", [Sequence([s("a"), s("b")], SPAN), s("b")], True),
        ("contains", [Sequence([s("a")], SPAN), s("b")], False),
        ("basename", [s("arn:aws:iam::aws:policy/job-function/ViewOnlyAccess")], "ViewOnlyAccess"),
        ("trimprefix", [s("https://oidc.example"), s("https://")], "oidc.example"),
        ("trimsuffix", [s("a.json"), s(".json")], "a"),
        ("startswith", [s("roles/owner"), s("roles/")], True),
        ("endswith", [s("roles/owner"), s("/admin")], False),
        ("coalescelist", [Sequence([], SPAN), Sequence([s("sts.amazonaws.com")], SPAN)], ["sts.amazonaws.com"]),
        ("try", [Expr("error", "cfg.policy_arns", SPAN), Sequence([], SPAN)], []),  # a missing attribute fails
        ("can", [Expr("error", "cfg.policy_arns", SPAN)], False),
        ("can", [Sequence([s("a")], SPAN)], True),
    ],
)
def test_functions_over_known_values(name: str, args: list, expected: object) -> None:
    assert plain(call(name, args, SPAN)) == expected


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("merge", [Mapping({"a": s(1)}, {}, SPAN), Expr("ref", "var.x", SPAN)]),
        ("coalesce", [Expr("ref", "var.x", SPAN), s("x")]),  # an unknown first argument may win
        ("toset", [Sequence([Expr("ref", "var.x", SPAN), s("a")], SPAN)]),  # unknowns may collapse
        ("flatten", [Sequence([Expr("ref", "var.x", SPAN)], SPAN)]),
        ("replace", [s("a"), s("/a/"), s("b")]),  # a regular expression: not evaluated
        ("one", [Sequence([s("a"), s("b")], SPAN)]),  # an error in Terraform
        ("coalescelist", [Expr("ref", "var.x", SPAN), Sequence([s("a")], SPAN)]),
        ("can", [Expr("ref", "var.x", SPAN)]),
        ("contains", [Sequence([Expr("ref", "var.x", SPAN)], SPAN), s("a")]),
        ("setproduct", [Sequence([s("a")], SPAN), Expr("ref", "var.x", SPAN)]),
        ("no_such_function", [s("a")]),
    ],
)
def test_functions_over_unknown_values_stay_unknown(name: str, args: list) -> None:
    assert call(name, args, SPAN) is None


def test_variable_files_and_overrides_in_terraforms_order(in_root: Path) -> None:
    """`a.auto.tfvars` beats `terraform.tfvars` (auto files come later, whatever their name),
    `*.auto.tfvars.json` is read, and `*_override.tf` is merged last."""
    assert findings("loading_order") == [
        ("JEP106", 17, 16, f"role from-json {ADMIN} aws_iam_role_policy_attachment.app"),
        ("JEP106", 2, 16, f"role ops {ADMIN} aws_iam_role_policy_attachment.ops"),
    ]
    result = scan([f"{BASE}/loading_order"])
    assert [f.span.path.rsplit("/", 1)[-1] for f in result.findings] == ["main.tf", "ops_override.tf"]
    assert result.problems == []


def test_eks_access_policies_pod_identity_and_exclusive_attachments(in_root: Path) -> None:
    assert findings("eks") == [
        (
            "JEP106",
            19,
            19,
            "user ops (IAM role, EKS access entry) holds built-in ClusterRole cluster-admin (every verb on every "
            "resource in the cluster) through ClusterRoleBinding aws_eks_access_policy_association.ops "
            "(AmazonEKSClusterAdminPolicy)",
        ),
        (
            "JEP106",
            46,
            18,
            f"role app {ADMIN} aws_iam_role_policy_attachments_exclusive.app",
        ),
    ]
    result = scan([f"{BASE}/eks"])
    bindings = sorted((b.identity.name, b.policy.name, b.via) for b in result.graph.bindings)
    assert bindings == [
        ("app", "AdministratorAccess", "aws_iam_role_policy_attachments_exclusive.app"),
        (
            "app (IAM role, EKS access entry)",
            "view",
            "RoleBinding shop/aws_eks_access_policy_association.app_view (AmazonEKSViewPolicy)",
        ),
        (
            "ops (IAM role, EKS access entry)",
            "cluster-admin",
            "ClusterRoleBinding aws_eks_access_policy_association.ops (AmazonEKSClusterAdminPolicy)",
        ),
    ]
    links = [(link.source.key, link.target.name, link.via, link.span.line) for link in result.graph.links]
    assert links == [("sa:shop/api", "app", "aws_eks_pod_identity_association.app", 41)]


def test_aws_managed_policy_by_data_source_or_unknown_partition(in_root: Path) -> None:
    power = "holds AWS managed policy PowerUserAccess (every action except IAM, Organizations and Account management)"
    assert findings("managed_lookup") == [
        ("JEP106", 18, 16, f"role ops {ADMIN} aws_iam_role_policy_attachment.admin"),
        ("JEP106", 23, 16, f"role ops {power} through aws_iam_role_policy_attachment.power"),
    ]
    assert notes("managed_lookup") == [
        ("main.tf", 28, 16, "IAM reference not resolved: the policy read by data.aws_iam_policy.team")
    ]


def test_local_module_in_a_folder_discovery_skips_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "node_modules" / "iam-mod").mkdir(parents=True)
    (tmp_path / "venv" / "unused").mkdir(parents=True)
    (tmp_path / "main.tf").write_text('module "iam" {\n  source = "./node_modules/iam-mod"\n  role   = "ci"\n}\n')
    (tmp_path / "node_modules" / "iam-mod" / "main.tf").write_text(
        'variable "role" {\n  type = string\n}\n\n'
        'resource "aws_iam_role" "this" {\n  name               = var.role\n  assume_role_policy = "{}"\n}\n\n'
        'resource "aws_iam_role_policy_attachment" "admin" {\n  role       = aws_iam_role.this.name\n'
        '  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"\n}\n'
    )
    (tmp_path / "venv" / "unused" / "main.tf").write_text('resource "aws_iam_user" "x" {\n  name = "x"\n}\n')
    result = scan(["."])
    assert [(f.rule_id, f.span.path, f.span.line, f.span.col, f.message) for f in result.findings] == [
        (
            "JEP106",
            "node_modules/iam-mod/main.tf",
            12,
            16,
            f"role ci {ADMIN} module.iam.aws_iam_role_policy_attachment.admin",
        )
    ]
    assert sorted(f.path for f in result.files) == ["main.tf", "node_modules/iam-mod/main.tf"]  # venv/unused: not called


def _initialised(root: Path, module_dir: str) -> None:
    (root / "main.tf").write_text(
        'module "ci_role" {\n  source  = "example-org/ci-role/aws"\n  version = "5.0.0"\n  role_name = "ci"\n}\n'
    )
    (root / ".terraform" / "modules").mkdir(parents=True)
    (root / ".terraform" / "modules" / "modules.json").write_text(
        '{"Modules":[{"Key":"","Source":"","Dir":"."},{"Key":"ci_role","Source":"registry.terraform.io/'
        f'example-org/ci-role/aws","Version":"5.0.0","Dir":"{module_dir}"}}]}}'
    )


MODULE_BODY = (
    'variable "role_name" {\n  type = string\n}\n\n'
    'resource "aws_iam_role" "this" {\n  name               = var.role_name\n  assume_role_policy = "{}"\n}\n\n'
    'resource "aws_iam_role_policy_attachment" "admin" {\n  role       = aws_iam_role.this.name\n'
    '  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"\n}\n'
)


def test_registry_module_installed_by_terraform_init_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    _initialised(tmp_path, ".terraform/modules/ci_role")
    (tmp_path / ".terraform" / "modules" / "ci_role").mkdir()
    (tmp_path / ".terraform" / "modules" / "ci_role" / "main.tf").write_text(MODULE_BODY)
    result = scan(["."])
    assert [(f.rule_id, f.span.path, f.span.line, f.message) for f in result.findings] == [
        (
            "JEP106",
            ".terraform/modules/ci_role/main.tf",
            12,
            f"role ci {ADMIN} module.ci_role.aws_iam_role_policy_attachment.admin",
        )
    ]
    assert result.graph.unresolved == []


def test_installed_module_outside_the_scan_is_not_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "main.tf").write_text(MODULE_BODY)
    (tmp_path / "root").mkdir()
    monkeypatch.chdir(tmp_path / "root")
    _initialised(tmp_path / "root", "../elsewhere")
    result = scan(["."])
    assert result.findings == []
    assert [category for _s, category, _m in result.graph.unresolved] == ["registry modules not in the scan"]


def test_name_with_unknown_parts_links_when_written_alike_in_the_module(in_root: Path) -> None:
    """cloudgoat style: `role = "ops-${var.cgid}"` names the role whose name is written the same
    way in the same module instance; another name with unknown parts is said, not guessed."""
    assert findings("template_name") == [
        (
            "JEP106",
            12,
            16,
            "role aws_iam_role.ops (name ops-${var.cgid}: known only at apply) " + f"{ADMIN} aws_iam_role_policy_attachment.ops",
        ),
    ]
    assert notes("template_name") == [
        ("main.tf", 16, 16, 'IAM reference not resolved: the role named by "other-${var.cgid}"'),
    ]


def test_role_of_a_file_outside_the_scan_is_an_identity_declared_elsewhere(tmp_path: Path) -> None:
    """One file checked alone (an editor, a pre-commit hook): the role it references lives in a
    file that is not in the scan; the attachment is reported against it, without a note."""
    (tmp_path / "attach.tf").write_text(
        'resource "aws_iam_role_policy_attachment" "admin" {\n  role       = aws_iam_role.app.name\n'
        '  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"\n}\n'
    )
    result = scan([str(tmp_path / "attach.tf")])
    assert [(f.rule_id, f.span.line, f.message) for f in result.findings] == [
        ("JEP106", 3, f"role aws_iam_role.app (declared outside the scan) {ADMIN} aws_iam_role_policy_attachment.admin")
    ]
    assert result.problems == [] and result.graph.unresolved == []


def test_unknown_name_is_said_alike_by_every_rule(tmp_path: Path, monkeypatch) -> None:
    """One helper (`Identity.label`): the address, and why it stands for the name."""
    (tmp_path / "main.tf").write_text(
        'resource "aws_iam_user" "chris" {\n  name = "chris-${var.cgid}"\n}\n\n'
        'resource "aws_iam_access_key" "chris" {\n  user = aws_iam_user.chris.name\n}\n\n'
        'resource "aws_iam_user_policy_attachment" "chris" {\n  user       = aws_iam_user.chris.name\n'
        '  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"\n}\n\n'
        'resource "aws_iam_role" "generated" {\n  assume_role_policy = "{}"\n}\n\n'
        'resource "aws_iam_role_policy_attachment" "generated" {\n  role       = aws_iam_role.generated.name\n'
        '  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"\n}\n\n'
        'variable "cgid" {\n  type = string\n}\n'
    )
    monkeypatch.chdir(tmp_path)
    got = [(f.rule_id, f.span.line, f.message.split(" holds ")[0].split(" has ")[0]) for f in scan(["."]).findings]
    assert got == [
        ("JEP201", 5, "user aws_iam_user.chris (name chris-${var.cgid}: known only at apply)"),
        ("JEP106", 11, "user aws_iam_user.chris (name chris-${var.cgid}: known only at apply)"),
        ("JEP106", 20, "role aws_iam_role.generated (name generated at apply)"),
    ]


def test_iterating_over_another_resources_instances(in_root: Path) -> None:
    """`for_each = aws_iam_policy.x` is a map of its instances by key, each `each.value` a reference
    to one of them (`each.value.arn`); a `for` over it and `count = length(...)` read it too."""
    result = scan([f"{BASE}/over_resource_instances"])
    held = sorted((b.identity.name, b.policy.name, b.via) for b in result.graph.bindings)
    assert held == [
        ("app", "write-data", 'aws_iam_role_policy_attachment.each["data"]'),
        ("app", "write-logs", 'aws_iam_role_policy_attachment.each["logs"]'),
        ("svc", "tables-0", "aws_iam_role_policy_attachment.counted[0]"),
        ("svc", "tables-1", "aws_iam_role_policy_attachment.counted[1]"),
        ("svc", "write-data", "managed_policy_arns of aws_iam_role.svc"),
        ("svc", "write-logs", "managed_policy_arns of aws_iam_role.svc"),
    ]
    assert notes("over_resource_instances") == []
    assert result.graph.unresolved == []


def test_gcp_members_and_custom_roles_named_by_an_instance_index(in_root: Path) -> None:
    """`google_service_account.sa[each.value.sa].email` and `google_project_iam_custom_role.c[each.key].id`
    name one instance each (before: no binding at all, and nothing said); an index or a role that
    is not known is said."""
    result = scan([f"{BASE}/gcp_member_instances"])
    held = sorted((b.identity.name, b.policy.name, b.via) for b in result.graph.bindings)
    assert held == [
        ("deployer", "roles/owner", 'google_project_iam_member.pairs["deployer-roles/owner"]'),
        ("deployer", "roles/run.admin", 'google_project_iam_member.pairs["deployer-roles/run.admin"]'),
        ("reader", "custom_releaser", 'google_project_iam_member.custom["releaser"]'),
        ("reader", "roles/viewer", 'google_project_iam_member.pairs["reader-roles/viewer"]'),
    ]
    assert findings("gcp_member_instances") == [
        (
            "JEP106",
            21,
            14,
            "service account deployer holds GCP role roles/owner (full control of every resource, including IAM policy) "
            'on project acme-prod through google_project_iam_member.pairs["deployer-roles/owner"]',
        )
    ]
    assert notes("gcp_member_instances") == [
        ("main.tf", 42, 13, "IAM reference not resolved: the role var.extra_role"),
        ("main.tf", 49, 13, "IAM reference not resolved: which instance of google_service_account.sa is meant"),
    ]


def test_azure_identities_and_role_definitions_named_by_an_instance_index(in_root: Path) -> None:
    """`azurerm_user_assigned_identity.app[each.value.app].principal_id` is that instance's managed
    identity (before: one made-up principal holding both instances' roles), `each.value.identity[0]
    .principal_id` over `for_each = azurerm_linux_web_app.web` each app's system identity, and
    `each.value.role_definition_resource_id` that custom role (before: the assignment was dropped)."""
    result = scan([f"{BASE}/azure_instances"])
    held = sorted((b.identity.kind, b.identity.name, b.policy.name, b.via) for b in result.graph.bindings)
    assert held == [
        ("managed-identity", "id-api", "Reader", 'azurerm_role_assignment.app["api-Reader"]'),
        ("managed-identity", "id-api", "custom-ops", 'azurerm_role_assignment.custom["ops"]'),
        ("managed-identity", "id-worker", "Contributor", 'azurerm_role_assignment.app["worker-Contributor"]'),
        (
            "managed-identity",
            "id-worker",
            "Storage Blob Data Owner",
            'azurerm_role_assignment.app["worker-Storage Blob Data Owner"]',
        ),
        ("system-identity", 'azurerm_linux_web_app.web["blue"]', "Owner", 'azurerm_role_assignment.web["blue"]'),
        ("system-identity", 'azurerm_linux_web_app.web["green"]', "Owner", 'azurerm_role_assignment.web["green"]'),
    ]
    assert sorted(i.kind for i in result.graph.identities) == ["managed-identity"] * 2 + ["system-identity"] * 2
    assert [(f.rule_id, f.span.line, f.span.col) for f in result.findings if f.rule_id in ("JEP106", "JEP403")] == [
        ("JEP403", 12, 43),
        ("JEP106", 22, 26),
        ("JEP106", 41, 26),
    ]
    assert notes("azure_instances") == [("main.tf", 63, 24, "IAM reference not resolved: the role var.role_id")]


def test_role_policy_pairs_from_a_set_of_objects_and_setproduct(in_root: Path) -> None:
    """`toset(flatten([for ... : [for ... : { role, policy }]]))` keyed with `basename()`, and
    `setproduct` read with `count.index`: `local.combos[count.index][0]` is two indexes in a row
    inside an index (before: the pairs unknown, one made-up role `aws_iam_role.r]` for the product)."""
    result = scan([f"{BASE}/pairs_and_products"])
    held = sorted((b.identity.name, b.policy.name, b.via) for b in result.graph.bindings)
    assert held == [
        ("pipeline-ingest", "AmazonSQSFullAccess", 'aws_iam_role_policy_attachment.pairs["ingest/AmazonSQSFullAccess"]'),
        ("pipeline-ingest", "IAMFullAccess", 'aws_iam_role_policy_attachment.pairs["ingest/IAMFullAccess"]'),
        ("pipeline-ingest", "ReadOnlyAccess", "aws_iam_role_policy_attachment.combos[0]"),
        ("pipeline-publish", "AmazonSQSFullAccess", 'aws_iam_role_policy_attachment.pairs["publish/AmazonSQSFullAccess"]'),
        ("pipeline-publish", "IAMFullAccess", 'aws_iam_role_policy_attachment.pairs["publish/IAMFullAccess"]'),
        ("pipeline-publish", "ReadOnlyAccess", "aws_iam_role_policy_attachment.combos[1]"),
    ]
    assert sorted(i.name for i in result.graph.identities) == ["pipeline-ingest", "pipeline-publish"]
    assert findings("pairs_and_products") == [
        (
            "JEP106",
            22,
            16,
            "role pipeline-ingest holds AWS managed policy IAMFullAccess (full IAM administration (iam:*)) through "
            'aws_iam_role_policy_attachment.pairs["ingest/IAMFullAccess"]',
        )
    ]
    assert notes("pairs_and_products") == []


def test_a_reference_with_an_index_inside_an_index() -> None:
    assert traversal("aws_iam_role.r[local.combos[count.index][0]].name") == ["aws_iam_role", "r", "name"]
    assert traversal('aws_iam_role.r["a"].arn') == ["aws_iam_role", "r", "arn"]
    assert split_reference("local.combos[count.index][0]") == [("local", None), ("combos", "count.index"), ("", "0")]


def test_iterating_over_a_module_calls_instances(in_root: Path) -> None:
    """`for_each = module.service` is a map of the call's instances by key (`each.value.role_name` an
    output of one), `length(module.batch)` and `[for m in module.batch : m.role_name]` read the
    instances of a call with count (before: for_each and count not known, nothing linked)."""
    result = scan([f"{BASE}/over_module_instances"])
    held = sorted((b.identity.name, b.policy.name, b.via) for b in result.graph.bindings)
    assert held == [
        ("batch-0", "ReadOnlyAccess", "aws_iam_role_policy_attachment.readers[0]"),
        ("batch-0", "logs", "aws_iam_policy_attachment.logs"),
        ("batch-1", "ReadOnlyAccess", "aws_iam_role_policy_attachment.readers[1]"),
        ("batch-1", "logs", "aws_iam_policy_attachment.logs"),
        ("svc-billing", "AdministratorAccess", 'aws_iam_role_policy_attachment.admin["billing"]'),
        ("svc-search", "AdministratorAccess", 'aws_iam_role_policy_attachment.admin["search"]'),
    ]
    assert notes("over_module_instances") == []
    assert result.graph.unresolved == []


def test_policy_documents_with_for_each_read_per_instance(in_root: Path) -> None:
    """`data "aws_iam_policy_document"` with for_each: `for_each = data.aws_iam_policy_document.per`
    with `each.value.json`, and `data.aws_iam_policy_document.per[each.key].json` from a resource
    whose own `each.value` is something else, read that document's instance (before: the first
    was not known, the second read `each.value.actions` of the wrong `each`); an instance that
    cannot be told is said."""
    result = scan([f"{BASE}/data_document_instances"])
    held = sorted(
        (
            b.identity.name,
            b.policy.name,
            b.via,
            [([a.text for a in g.actions], [r.text for r in g.resources]) for g in b.policy.grants],
        )
        for b in result.graph.bindings
    )
    assert held == [
        ("etl", "etl-reader", 'aws_iam_role_policy_attachment.per["reader"]', [(["s3:GetObject"], ["arn:aws:s3:::exports/*"])]),
        ("etl", "etl-writer", 'aws_iam_role_policy_attachment.per["writer"]', [(["s3:*"], ["*"])]),
        ("etl", "inline-writer", 'aws_iam_role_policy.inline["writer"]', [(["s3:*"], ["*"])]),
        ("etl", "unknown", "aws_iam_role_policy.unknown", []),
    ]
    assert [(f.rule_id, f.span.line, f.span.col) for f in result.findings] == [("JEP105", 5, 49)]
    assert notes("data_document_instances") == [
        ("main.tf", 44, 12, "IAM reference not resolved: which instance of data.aws_iam_policy_document.per is meant")
    ]


def test_templatefile_policy_filled_with_its_variables(in_root: Path) -> None:
    """`templatefile("....json.tpl", { service = "s3", bucket = each.key, key_arn = ... })`: each
    interpolating string of the JSON is evaluated with the template's variables (before: read as
    written, so `${service}:*` was reported as an unknown service); a part not known stays unknown;
    a template with directives is said, not guessed."""
    result = scan([f"{BASE}/template_policy"])
    held = sorted(
        (b.policy.name, [([a.text for a in g.actions], [r.text for r in g.resources]) for g in b.policy.grants])
        for b in result.graph.bindings
    )
    assert held == [
        ("bucket-exports", [(["s3:*"], ["arn:aws:s3:::exports", "arn:aws:s3:::exports/*"]), (["kms:Decrypt"], [None])]),
        ("bucket-imports", [(["s3:*"], ["arn:aws:s3:::imports", "arn:aws:s3:::imports/*"]), (["kms:Decrypt"], [None])]),
        ("queues", []),
    ]
    assert [(f.rule_id, f.span.path.rsplit("/", 1)[-1], f.span.line, f.span.col) for f in result.findings] == [
        ("JEP102", "service.json.tpl", 7, 18)
    ]
    assert "every s3 action" in result.findings[0].message
    assert notes("template_policy")[1:] == [
        (
            "main.tf",
            27,
            12,
            f"templatefile() not read: {BASE}/template_policy/policies/queues.json.tpl is not JSON (expected a JSON value)",
        )
    ]


def test_count_decided_by_comparisons_and_arithmetic(in_root: Path) -> None:
    """`length(var.admins) > 0 ? 1 : 0`, `var.max_roles - 2 >= 1`, `var.max_roles * 2 > 10` decide how
    many instances there are (before: not known, read as one instance each, the last one wrongly),
    and `coalescelist` / `trimprefix` let the GitHub trust be judged (before: not judged)."""
    result = scan([f"{BASE}/comparisons"])
    held = sorted((b.identity.name, b.policy.name, b.via) for b in result.graph.bindings)
    assert held == [
        ("admins", "AdministratorAccess", "aws_iam_group_policy_attachment.admins[0]"),
        ("ops-bot", "AdministratorAccess", "aws_iam_group_membership.admins[0] (member of group admins)"),
    ]
    assert [(f.rule_id, f.span.line, f.span.col) for f in result.findings] == [
        ("JEP106", 3, 14),
        ("JEP106", 27, 16),
        ("JEP404", 39, 22),
    ]
    assert result.findings[2].message == (
        "role deploy trusts OIDC tokens of GitHub Actions (token.actions.githubusercontent.com) with sub like "
        "repo:acme/*:*: a workflow of any repository of owner acme can assume it"
    )
    assert notes("comparisons") == []


def test_dynamic_inline_policies_and_named_iterators(in_root: Path) -> None:
    """`dynamic "inline_policy"` over a map gives one inline policy per element (before: none), and
    `iterator = doc` / `iterator = table` name the iterator of dynamic inline policies and statements
    (before: read as `inline_policy` / `statement`, so nothing resolved); an unknown for_each is said."""
    result = scan([f"{BASE}/dynamic_inline"])
    held = sorted(
        (b.policy.name, [([a.text for a in g.actions], [r.text for r in g.resources]) for g in b.policy.grants])
        for b in result.graph.bindings
    )
    assert held == [
        ("logs", [(["logs:PutLogEvents"], ["*"])]),
        ("tables", [(["dynamodb:*"], ["arn:aws:dynamodb:eu-west-1:123456789012:table/orders"])]),
        ("worker-admin", [(["*"], ["*"])]),
        ("worker-queue", [(["sqs:SendMessage"], ["arn:aws:sqs:eu-west-1:123456789012:jobs"])]),
    ]
    assert [(f.rule_id, f.span.line, f.span.col) for f in result.findings] == [("JEP101", 5, 78), ("JEP102", 40, 27)]
    assert notes("dynamic_inline") == [
        ("main.tf", 28, 16, "IAM reference not resolved: the inline policies of dynamic inline_policy over var.more_policies")
    ]


def test_gcp_members_listed_by_a_for_over_service_account_instances(in_root: Path) -> None:
    """`[for sa in google_service_account.runner : "serviceAccount:${sa.email}"]` (before: not
    resolved) and `[for n in keys(...) : google_service_account.runner[n].member]`."""
    result = scan([f"{BASE}/gcp_for_members"])
    held = sorted((b.identity.name, b.policy.name, b.via) for b in result.graph.bindings)
    assert held == [
        ("runner-build", "roles/editor", "google_project_iam_binding.editors"),
        ("runner-build", "roles/storage.objectAdmin", "google_project_iam_binding.writers"),
        ("runner-deploy", "roles/editor", "google_project_iam_binding.editors"),
        ("runner-deploy", "roles/storage.objectAdmin", "google_project_iam_binding.writers"),
    ]
    assert notes("gcp_for_members") == []


def test_spread_arguments_and_try_of_a_missing_attribute(in_root: Path) -> None:
    """`merge([for ... : {...}]...)` expands its list into arguments, and `try(cfg.policy_arns, [])`
    of an object without that attribute is `[]` (before: both unknown, for_each not known)."""
    result = scan([f"{BASE}/spread_and_try"])
    held = sorted((b.identity.name, b.policy.name, b.via) for b in result.graph.bindings)
    assert held == [
        ("admin", "AdministratorAccess", 'aws_iam_role_policy_attachment.this["admin/AdministratorAccess"]'),
        ("analyst", "AmazonAthenaFullAccess", 'aws_iam_role_policy_attachment.this["analyst/AmazonAthenaFullAccess"]'),
    ]
    assert [(f.rule_id, f.span.line, f.span.col) for f in result.findings] == [("JEP106", 28, 16)]
    assert notes("spread_and_try") == []


def test_oidc_provider_of_the_scan_named_by_reference(in_root: Path) -> None:
    """`Federated = aws_iam_openid_connect_provider.github.arn` is that provider's ARN, its issuer the
    provider's `url` (before: not followed, so a trust with no subject condition passed in silence);
    a provider whose url is a cluster's issuer, not known here, is said rather than passed."""
    assert findings("oidc_provider_arn", ("JEP404",)) == [
        (
            "JEP404",
            15,
            33,
            "role release trusts OIDC tokens of GitHub Actions (token.actions.githubusercontent.com) with no condition "
            "on the token's subject: a workflow of any repository on GitHub can assume it",
        )
    ]
    assert notes("oidc_provider_arn") == [
        (
            "main.tf",
            42,
            22,
            "role external-dns: trust of web identities not judged: the issuer of aws_iam_openid_connect_provider.eks.arn is not known",
        )
    ]


def test_identities_listed_with_splat_expressions(in_root: Path) -> None:
    """`aws_iam_user.bots[*].name`, `aws_iam_role.worker.*.name` and `element(aws_iam_role.worker[*].name,
    count.index)` name every instance (before: nothing linked, and nothing said for the lists); a
    list that is not known (`values(...)[*].name`) is said."""
    result = scan([f"{BASE}/splat_lists"])
    held = sorted((b.identity.name, b.policy.name, b.via) for b in result.graph.bindings)
    assert held == [
        ("admins", "AdministratorAccess", "aws_iam_group_policy_attachment.admins"),
        ("bot-0", "AdministratorAccess", "aws_iam_group_membership.bots (member of group admins)"),
        ("bot-1", "AdministratorAccess", "aws_iam_group_membership.bots (member of group admins)"),
        ("worker-0", "AmazonSQSFullAccess", "aws_iam_policy_attachment.workers"),
        ("worker-0", "ReadOnlyAccess", "aws_iam_role_policy_attachment.each_worker[0]"),
        ("worker-1", "AmazonSQSFullAccess", "aws_iam_policy_attachment.workers"),
        ("worker-1", "ReadOnlyAccess", "aws_iam_role_policy_attachment.each_worker[1]"),
    ]
    assert [(f.rule_id, f.span.line, f.span.col) for f in result.findings] == [("JEP106", 18, 16), ("JEP106", 24, 11)]
    assert notes("splat_lists") == [
        ("main.tf", 30, 11, "IAM reference not resolved: the users named by values(aws_iam_user.svc)[*].name")
    ]


def test_gke_workload_identity_on_one_service_account_is_a_link(in_root: Path) -> None:
    """`roles/iam.workloadIdentityUser` on one service account for `PROJECT.svc.id.goog[ns/name]` is
    the Kubernetes ServiceAccount acting as it (a link, what it may do is the service account's), not
    an escalation of its own (before: JEP403 on every such binding); at project scope it still is one."""
    result = scan([f"{BASE}/gke_workload_identity"])
    assert [(link.source.name, link.target.name, link.via, link.span.line) for link in result.graph.links] == [
        (
            "acme-prod.svc.id.goog[web/frontend]",
            "web-app",
            "google_service_account_iam_member.web_wi (GKE workload identity)",
            9,
        )
    ]
    held = sorted((b.identity.name, b.policy.name, b.via) for b in result.graph.bindings)
    assert held == [
        ("acme-prod.svc.id.goog[batch/runner]", "roles/iam.workloadIdentityUser", "google_project_iam_member.batch_wi"),
        ("web-app", "roles/storage.objectViewer", "google_project_iam_member.web"),
    ]
    assert [(f.rule_id, f.span.line, f.span.col) for f in result.findings] == [("JEP403", 22, 13)]
    assert "acme-prod.svc.id.goog[batch/runner] can escalate to administrator" in result.findings[0].message
