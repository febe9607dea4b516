"""The expiry rules (JEP2xx) beyond their catalogue fixtures: date and duration parsing, lifetimes
computed against a pinned clock, configurable thresholds, rotation links, owners named through
module inputs, and hostile shapes that must not break a scan.

Every scan here pins `Options.now`: no assertion depends on the day the tests run.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from jeplint.graph.conditions import from_document
from jeplint.graph.model import Grant, Policy
from jeplint.options import Options
from jeplint.parse.nodes import Span
from jeplint.rules.base import Finding
from jeplint.rules.common.expiry import aws_grant_end, gcp_condition_end
from jeplint.run import Settings, scan
from jeplint.timeparse import calendar_duration, day_of, humanize, parse_duration, parse_timestamp

NOW = datetime(2026, 6, 1, tzinfo=timezone.utc)


def run(tmp_path: Path, files: dict[str, str], now: datetime = NOW, options: Options | None = None) -> list[Finding]:
    """JEP2 findings of a scan of `files`, with the clock pinned to `now` (or `options`)."""
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    result = scan([str(tmp_path)], Settings(select=("JEP2",), options=options or Options(now=now)))
    assert not [p for p in result.problems if p.level == "error"], result.problems
    return result.findings


def brief(findings: list[Finding]) -> list[tuple[str, int, str]]:
    return [(f.rule_id, f.span.line, f.message) for f in findings]


# -- timeparse -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-01-31T00:00:00Z", datetime(2026, 1, 31, tzinfo=timezone.utc)),
        ("2026-01-31T02:30:00+02:00", datetime(2026, 1, 31, 0, 30, tzinfo=timezone.utc)),
        ("2026-01-31T00:00:00.123-0100", datetime(2026, 1, 31, 1, 0, tzinfo=timezone.utc)),
        ("2026-01-31", datetime(2026, 1, 31, tzinfo=timezone.utc)),
        ("2026-02-30T00:00:00Z", None),
        ("tomorrow", None),
        ("", None),
    ],
)
def test_parse_timestamp(text: str, expected: datetime | None) -> None:
    assert parse_timestamp(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2160h", timedelta(days=90)),
        ("1h30m", timedelta(minutes=90)),
        ("1.5h", timedelta(minutes=90)),
        ("30d", timedelta(days=30)),
        ("3600", timedelta(hours=1)),
        (43200, timedelta(hours=12)),
        ("PT1H", timedelta(hours=1)),
        ("P90D", timedelta(days=90)),
        ("PT1H1M", timedelta(minutes=61)),
        ("P1Y", timedelta(days=365)),
        ("-5", None),
        (-5, None),
        (True, None),
        ("P", None),
        ("1 hour", None),
        ("h", None),
    ],
)
def test_parse_duration(text: str | int, expected: timedelta | None) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (timedelta(days=730), "2 years"),
        (timedelta(days=365), "1 year"),
        (timedelta(days=800), "2.2 years"),
        (timedelta(days=400), "400 days"),
        (timedelta(days=90), "90 days"),
        (timedelta(hours=60), "2.5 days"),
        (timedelta(hours=36), "36 hours"),
        (timedelta(hours=1), "1 hour"),
        (timedelta(minutes=90), "90 minutes"),
        (timedelta(seconds=3601), "1 hours"),
        (timedelta(seconds=45), "45 seconds"),
    ],
)
def test_humanize(delta: timedelta, text: str) -> None:
    assert humanize(delta) == text


def test_calendar_duration_and_day_of() -> None:
    assert calendar_duration({"months": 3, "days": 1}) == timedelta(days=91)
    assert day_of(datetime(2026, 1, 31, tzinfo=timezone.utc)) == "2026-01-31"
    assert day_of(datetime(2026, 1, 31, 23, 59, 59, tzinfo=timezone.utc)) == "2026-01-31T23:59:59Z"


# -- conditions --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "end"),
    [
        ('request.time < timestamp("2027-01-01T00:00:00Z")', datetime(2027, 1, 1, tzinfo=timezone.utc)),
        ("request.time <= timestamp('2027-01-01T00:00:00Z')", datetime(2027, 1, 1, tzinfo=timezone.utc)),
        ('timestamp("2027-01-01T00:00:00Z") > request.time', datetime(2027, 1, 1, tzinfo=timezone.utc)),
        (
            'request.time < timestamp("2028-01-01T00:00:00Z") && request.time < timestamp("2027-01-01T00:00:00Z")',
            datetime(2027, 1, 1, tzinfo=timezone.utc),
        ),
        ('request.time > timestamp("2027-01-01T00:00:00Z")', None),  # a start, not an end
        ('request.time < timestamp("2027-01-01T00:00:00Z") || resource.name == "x"', None),
        ('resource.name.startsWith("projects/p")', None),
        ("", None),
    ],
)
def test_gcp_condition_end(expression: str, end: datetime | None) -> None:
    assert gcp_condition_end(expression) == end


def _grant(conditions: dict[str, object]) -> Grant:
    span = Span("p.json", 1, 1, 1, 2)
    return Grant(policy=Policy("aws", "document", "p", "p", span), index=1, span=span, conditions=from_document(conditions))


@pytest.mark.parametrize(
    ("conditions", "end"),
    [
        (
            {"DateLessThan": {"aws:CurrentTime": "2027-01-01T00:00:00Z"}},
            (datetime(2027, 1, 1, tzinfo=timezone.utc), "DateLessThan aws:CurrentTime"),
        ),
        (
            {"DateLessThanEquals": {"AWS:currenttime": ["2027-01-01T00:00:00Z"]}},
            (datetime(2027, 1, 1, tzinfo=timezone.utc), "DateLessThanEquals AWS:currenttime"),
        ),
        (
            {"NumericLessThan": {"aws:EpochTime": "1798761600"}},
            (datetime(2027, 1, 1, tzinfo=timezone.utc), "NumericLessThan aws:EpochTime"),
        ),
        ({"NumericLessThan": {"aws:CurrentTime": "1798761600"}}, None),  # numbers compare epoch seconds only
        ({"DateGreaterThan": {"aws:CurrentTime": "2027-01-01T00:00:00Z"}}, None),
        ({"DateLessThan": {"aws:CurrentTime": "${var.until}"}}, None),
        ({"DateLessThan": {"aws:TokenIssueTime": "2027-01-01T00:00:00Z"}}, None),
    ],
)
def test_aws_grant_end(conditions: dict[str, object], end: tuple[datetime, str] | None) -> None:
    assert aws_grant_end(_grant(conditions)) == end


# -- lifetimes against the pinned clock ----------------------------------------------------------------

PASSWORD = """
resource "azuread_application" "app" {{
  display_name = "exporter"
}}
resource "azuread_application_password" "p" {{
  application_id = azuread_application.app.id
  {end}
}}
"""


@pytest.mark.parametrize(
    ("end", "now", "expected"),
    [
        # An end date with no start: judged by what is left from now.
        ('end_date = "2026-07-01T00:00:00Z"', NOW, []),
        (
            'end_date = "2026-07-01T00:00:00Z"',
            datetime(2026, 1, 1, tzinfo=timezone.utc),
            [
                (
                    "JEP202",
                    7,
                    (
                        "application exporter has a client secret (azuread_application_password.p) that is valid until 2026-07-01, "
                        '181 days from now (end_date = "2026-07-01T00:00:00Z"), over the 90-day limit; use a federated identity '
                        "credential or a managed identity instead, or set end_date within 90 days"
                    ),
                )
            ],
        ),
        # timeadd() of a literal date: an absolute end, then expired once the clock passes it.
        ('end_date = timeadd("2026-05-10T00:00:00Z", "720h")', NOW, []),
        (
            'end_date = timeadd("2026-04-01T00:00:00Z", "720h")',
            NOW,
            [
                (
                    "JEP205",
                    7,
                    (
                        "application exporter has a client secret (azuread_application_password.p) that expired on 2026-05-01 "
                        '(end_date = timeadd("2026-04-01T00:00:00Z", "720h")) and is still declared: remove it, and whatever still uses it'
                    ),
                )
            ],
        ),
        ('end_date_relative = "2160h"', NOW, []),  # exactly the limit
        ("end_date = timeadd(timestamp(), var.lifetime)", NOW, []),  # unknown: no finding
    ],
)
def test_password_lifetime(tmp_path: Path, end: str, now: datetime, expected: list[tuple[str, int, str]]) -> None:
    assert brief(run(tmp_path, {"main.tf": PASSWORD.format(end=end)}, now)) == expected


def test_thresholds_are_options(tmp_path: Path) -> None:
    files = {
        "main.tf": PASSWORD.format(end='end_date_relative = "4320h"')
        + 'resource "aws_iam_role" "r" {\n  name = "r"\n  max_session_duration = 7200\n  assume_role_policy = "{}"\n}\n',
        "pod.yaml": """apiVersion: v1
kind: Pod
metadata: {name: p, namespace: n}
spec:
  volumes:
    - name: t
      projected:
        sources:
          - serviceAccountToken: {path: t, expirationSeconds: 7200}
""",
    }
    assert sorted(f.rule_id for f in run(tmp_path, files)) == ["JEP202", "JEP202", "JEP203"]
    relaxed = Options(
        now=NOW,
        max_secret_age=timedelta(days=180),
        max_token_lifetime=timedelta(hours=2),
        max_session_duration=timedelta(hours=2),
    )
    assert run(tmp_path, files, options=relaxed) == []


def test_pim_schedule_against_the_clock(tmp_path: Path) -> None:
    pim = """
resource "azuread_service_principal" "sp" {
  client_id = "11111111-1111-1111-1111-111111111111"
}
resource "azurerm_pim_active_role_assignment" "a" {
  scope              = "/subscriptions/0"
  role_definition_id = "/providers/Microsoft.Authorization/roleDefinitions/18d7d88d-d35e-4fb5-a5c3-7773c20a72d9"
  principal_id       = azuread_service_principal.sp.object_id
  schedule {
    start_date_time = "2026-05-01T00:00:00Z"
    expiration {
      duration_days = 30
    }
  }
}
"""
    assert run(tmp_path, {"main.tf": pim}, datetime(2026, 5, 20, tzinfo=timezone.utc)) == []
    (late,) = run(tmp_path, {"main.tf": pim}, NOW)
    assert (late.rule_id, late.span.line, late.level) == ("JEP205", 12, "note")
    assert late.message == (
        "azurerm_pim_active_role_assignment.a gave service principal azuread_service_principal.sp User Access Administrator "
        "on /subscriptions/0 until 2026-05-31 (duration_days = 30); it has expired and is still declared: remove it"
    )


# -- rotation, owners, modules ---------------------------------------------------------------------------


def test_rotation_bounds_keys_and_is_named_when_too_slow(tmp_path: Path) -> None:
    files = {
        "main.tf": """
resource "aws_iam_user" "ci" {
  name = "ci-bot"
}
resource "time_rotating" "quarterly" {
  rotation_months = 4
}
resource "aws_iam_access_key" "ci" {
  user = aws_iam_user.ci.name
  lifecycle {
    replace_triggered_by = [time_rotating.quarterly]
  }
}
"""
    }
    (finding,) = run(tmp_path, files)
    assert finding.message.startswith(
        "user ci-bot has an access key (aws_iam_access_key.ci) that never expires; time_rotating.quarterly replaces it "
        "every 120 days, over the 90-day limit; let the workload assume a role instead"
    )
    assert [(r.span.line, r.message) for r in finding.related] == [
        (2, "user ci-bot is declared here"),
        (5, "time_rotating.quarterly replaces it every 120 days"),
    ]
    assert run(tmp_path, files, options=Options(now=NOW, max_secret_age=timedelta(days=120))) == []


def test_owner_through_module_inputs_and_one_finding_per_token(tmp_path: Path) -> None:
    files = {
        "root/main.tf": """
module "a" {
  source = "../keys"
  user   = "deployer"
}
module "b" {
  source = "../keys"
  user   = "deployer"
}
resource "aws_iam_user" "deployer" {
  name = "deployer"
}
""",
        "keys/main.tf": """
variable "user" {}
resource "aws_iam_access_key" "this" {
  user = var.user
}
""",
    }
    (finding,) = run(tmp_path, files)
    assert finding.span.path.endswith("keys/main.tf") and finding.span.line == 3
    assert finding.message.startswith("user deployer has an access key (aws_iam_access_key.this) that never expires")


def test_unresolved_and_undeclared_owners_are_said_so(tmp_path: Path) -> None:
    files = {
        "main.tf": """
resource "aws_iam_access_key" "a" {
  user = var.name
}
resource "google_service_account_key" "k" {
  service_account_id = "projects/p/serviceAccounts/exporter@p.iam.gserviceaccount.com"
}
""",
        "secret.yaml": """apiVersion: v1
kind: Secret
metadata: {name: t, namespace: ci, annotations: {kubernetes.io/service-account.name: builder}}
type: kubernetes.io/service-account-token
""",
    }
    owners = [f.message.split(" has ")[0].split(" holds a token of ")[-1].split(" that ")[0] for f in run(tmp_path, files)]
    assert owners == [
        "user ${var.name} (unresolved)",
        "service account exporter@p.iam.gserviceaccount.com (not declared in the scan)",
        "serviceaccount ci/builder (not declared in the scan)",
    ]


def test_workloads_of_the_identity_are_related(tmp_path: Path) -> None:
    manifest = """apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  template:
    spec:
      serviceAccountName: api
      volumes:
        - name: t
          projected:
            sources:
              - serviceAccountToken: {path: t, expirationSeconds: 86400}
"""
    (finding,) = run(tmp_path, {"d.yaml": manifest})
    assert "Deployment shop/api runs as serviceaccount shop/api" in [r.message for r in finding.related]
    assert finding.identities == ("sa:shop/api",)


# -- hostile shapes ------------------------------------------------------------------------------------


def test_odd_shapes_neither_crash_nor_report(tmp_path: Path) -> None:
    files = {
        "main.tf": """
resource "aws_iam_role" "r" {
  max_session_duration = "twelve hours"
  assume_role_policy   = 42
}
resource "azuread_application_password" "p" {
  application_id = 7
  end_date       = 42
  rotate_when_changed = "never"
}
resource "vault_token" "t" {
  explicit_max_ttl = "soon"
}
resource "vault_approle_auth_backend_role" "a" {
  role_name     = "a"
  secret_id_ttl = var.ttl
  token_max_ttl = "1h"
}
resource "kubernetes_secret_v1" "s" {
  metadata {
    annotations = "none"
  }
  type = "kubernetes.io/service-account-token"
}
resource "azurerm_pim_active_role_assignment" "x" {
  role_definition_id = 12
  principal_id       = []
}
resource "google_org_policy_policy" "p" {
  name = "organizations/1/policies/iam.serviceAccountKeyExpiryHours"
  spec {
    rules {
      values {
        allowed_values = ["forever"]
      }
    }
  }
}
""",
        "cfn.yaml": """AWSTemplateFormatVersion: "2010-09-09"
Resources:
  R:
    Type: AWS::IAM::Role
    Properties:
      MaxSessionDuration: [1, 2]
  P:
    Type: AWS::RolesAnywhere::Profile
    Properties:
      DurationSeconds: {"Fn::GetAtt": [R, Arn]}
  K:
    Type: AWS::IAM::AccessKey
    Properties: 3
""",
        "pod.yaml": """apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  volumes: 3
---
apiVersion: v1
kind: Pod
metadata: {name: q}
spec:
  volumes:
    - projected: {sources: [{serviceAccountToken: {expirationSeconds: soon}}]}
""",
    }
    # Unreadable lifetimes make no finding; a credential that never expires is one whatever its owner.
    assert [(f.rule_id, Path(f.span.path).name, f.span.line, f.message.split(" that ")[0]) for f in run(tmp_path, files)] == [
        ("JEP201", "cfn.yaml", 11, "an unnamed user has an access key (AWS::IAM::AccessKey K)"),
        ("JEP201", "main.tf", 23, "kubernetes_secret_v1.s holds a token of an unnamed serviceaccount of namespace default"),
    ]


def test_password_policy_bounds_console_passwords_and_github_secrets_name_the_key_owner(tmp_path: Path) -> None:
    files = {
        "main.tf": """
resource "aws_iam_user" "bot" {
  name = "bot"
}
resource "aws_iam_access_key" "bot" {
  user = aws_iam_user.bot.name
}
resource "aws_iam_user_login_profile" "bot" {
  user = aws_iam_user.bot.name
}
resource "aws_iam_account_password_policy" "strict" {
  max_password_age = 60
}
resource "google_service_account" "ci" {
  account_id = "ci"
}
resource "google_service_account_key" "ci" {
  service_account_id = google_service_account.ci.name
}
resource "github_actions_secret" "gcp" {
  repository      = "shop"
  secret_name     = "DEPLOY_KEY"
  plaintext_value = base64decode(google_service_account_key.ci.private_key)
}
"""
    }
    assert [(f.span.line, f.message.split(";")[0]) for f in run(tmp_path, files)] == [
        (5, "user bot has an access key (aws_iam_access_key.bot) that never expires"),
        (17, "service account ci has a user-managed key (google_service_account_key.ci) that never expires"),
        (
            23,
            (
                "GitHub Actions secret DEPLOY_KEY (github_actions_secret.gcp) stores the key of service account ci "
                "(google_service_account_key.ci), which never expires"
            ),
        ),
    ]
    slower = files["main.tf"].replace("max_password_age = 60", "max_password_age = 365")
    (profile,) = [f for f in run(tmp_path, {"main.tf": slower}) if f.span.line == 8]
    assert profile.message.split("; a machine")[0] == (
        "user bot has an access key and also a console password (aws_iam_user_login_profile.bot) that never expires; the "
        "account password policy aws_iam_account_password_policy.strict expires passwords after 1 year, over the 90-day limit"
    )
