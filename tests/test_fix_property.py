"""No fix ever widens a grant: properties over generated policies, purposes and syntaxes."""

from __future__ import annotations

import fnmatch
import json
import os
import tempfile
from collections import Counter

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from jeplint.catalog import aws_actions, k8s
from jeplint.fix import apply
from jeplint.fix.attach import attach_scan
from jeplint.fix.wildcard import narrowed
from jeplint.rules.jep302_purpose_mismatch import PURPOSES
from jeplint.run import ScanResult, Settings, scan

SERVICES = ("s3", "sqs", "dynamodb", "kms", "secretsmanager", "logs", "sns", "ecr", "lambda", "iam")
PATTERNS = st.one_of(
    st.just("*"),
    st.sampled_from(SERVICES).map(lambda s: f"{s}:*"),
    st.tuples(st.sampled_from(SERVICES), st.sampled_from(("Get*", "List*", "*Object*", "Put*", "Delete*", "*Message*"))).map(
        lambda t: f"{t[0]}:{t[1]}"
    ),
    st.sampled_from(("s3:GetObject", "sqs:SendMessage", "kms:Decrypt", "iam:PassRole")),
)
FUNCTION_LISTS = st.lists(
    st.tuples(st.sampled_from(SERVICES), st.sampled_from(("data-read", "data-write", "modify", "observe", "destroy", "*"))).map(
        lambda t: f"{t[0]}:{t[1]}"
    ),
    min_size=1,
    max_size=3,
).map(", ".join)
PURPOSE = st.one_of(st.sampled_from(sorted(PURPOSES)), FUNCTION_LISTS)


def granted(actions: list[str]) -> set[str]:
    out: set[str] = set()
    for action in actions:
        if action in ("*", "*:*"):
            out.add("*")
        else:
            out |= {a.full.lower() for a in aws_actions.expand(action) or ()} or {action.lower()}
    return out


def within(after: set[str], before: set[str]) -> bool:
    return "*" in before or after <= before


@settings(max_examples=300, deadline=None)
@given(PATTERNS, PURPOSE)
def test_narrowed_actions_are_matched_by_the_pattern(pattern: str, purpose: str) -> None:
    from jeplint.rules.jep302_purpose_mismatch import allowed_patterns

    patterns = allowed_patterns(purpose)
    result = narrowed(pattern, patterns or ())
    if result is None:
        return
    assert result == sorted(set(result))
    for action in result:
        assert aws_actions.expand(action), action
        if pattern not in ("*", "*:*"):
            assert fnmatch.fnmatchcase(action.lower(), pattern.lower()), (action, pattern)


ROLE_HEAD = """AWSTemplateFormatVersion: "2010-09-09"
Resources:
  R:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Service: lambda.amazonaws.com}
            Action: sts:AssumeRole
"""


def _template(actions: list[str], resource: str, purpose: str, style: str) -> tuple[str, str]:
    if style == "json":
        statement = {"Effect": "Allow", "Action": actions, "Resource": resource}
        role = {
            "Type": "AWS::IAM::Role",
            "Properties": {
                "AssumeRolePolicyDocument": {
                    "Statement": [
                        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
                    ]
                },
                "Tags": [{"Key": "jeplint.io/purpose", "Value": purpose}],
                "Policies": [{"PolicyName": "p", "PolicyDocument": {"Statement": [statement]}}],
            },
        }
        return "t.json", json.dumps({"AWSTemplateFormatVersion": "2010-09-09", "Resources": {"R": role}}, indent=2)
    if style == "block":
        listed = "".join(f"\n                  - '{a}'" for a in actions)
    else:
        listed = " [" + ", ".join(f'"{a}"' for a in actions) + "]"
    text = (
        ROLE_HEAD
        + f"""      Tags:
        - Key: jeplint.io/purpose
          Value: "{purpose}"
      Policies:
        - PolicyName: p
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action:{listed}
                Resource: "{resource}"
"""
    )
    return "t.yaml", text


def _found(findings) -> Counter[tuple[str, tuple[str, ...]]]:
    """Findings by rule and identities: a fix may rewrite a finding (its fingerprint follows the
    statement's text), never add one."""
    return Counter((f.rule_id, f.identities) for f in findings)


def _fixed(name: str, text: str) -> tuple[ScanResult, apply.Outcome, ScanResult]:
    """Write `text` to a file of a fresh folder, scan it with fixes, apply them all, scan again:
    (the scan before, what was applied, the scan after)."""
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, name)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
        result = scan([path])
        attach_scan(result, Settings())
        outcome = apply.plan(result.findings)
        event(f"{len(outcome.changed)} file(s) fixed")
        apply.write(outcome)
        return result, outcome, scan([path])


def _assert_narrower(result: ScanResult, again: ScanResult) -> None:
    """Policy p grants after the fixes only what it granted before, and no finding was added."""
    (before, findings_before), (after, findings_after) = _aws_actions(result), _aws_actions(again)
    assert within(granted(after), granted(before)), (before, after)
    assert not findings_after - findings_before


def _aws_actions(result: ScanResult) -> tuple[list[str], Counter[tuple[str, tuple[str, ...]]]]:
    assert not [p for p in result.problems if p.level == "error"], result.problems
    actions = [v.text or "" for g in result.graph.grants() if g.policy.name == "p" for v in g.actions]
    return actions, _found(result.findings)


@st.composite
def statements(draw: st.DrawFn) -> tuple[list[str], str]:
    """Patterns and a purpose that mostly share a service (so that most examples are fixable)."""
    service = draw(st.sampled_from(SERVICES))
    own = st.sampled_from((f"{service}:*", f"{service}:Get*", f"{service}:List*", f"{service}:*Object*", "*"))
    actions = draw(st.lists(st.one_of(own, PATTERNS), min_size=1, max_size=3, unique=True))
    capability = st.sampled_from(("data-read", "data-write", "modify", "observe", "destroy", "*"))
    purpose = draw(st.one_of(PURPOSE, capability.map(lambda c: f"{service}:{c}")))
    return actions, purpose


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    statements(),
    st.sampled_from(("*", "arn:aws:s3:::bucket/*", "arn:aws:sqs:eu-west-1:111122223333:q")),
    st.sampled_from(("json", "block", "flow")),
)
def test_applied_fixes_never_widen_and_add_no_finding(statement: tuple[list[str], str], resource: str, style: str) -> None:
    actions, purpose = statement
    result, _, again = _fixed(*_template(actions, resource, purpose, style))
    _assert_narrower(result, again)


RBAC = """apiVersion: v1
kind: ServiceAccount
metadata:
  name: sa
  namespace: ns
  annotations:
    jeplint.io/purpose: "{purpose}"
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: r
  namespace: ns
rules:
  - apiGroups: {groups}
    resources: {resources}
    verbs: {verbs}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: b
  namespace: ns
subjects:
  - kind: ServiceAccount
    name: sa
    namespace: ns
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: r
"""


def _covered(permission: str, granted: set[str]) -> bool:
    """A `verb group/resource` is within a set of them, `*` in any part of those matching anything."""
    verb, _, target = permission.partition(" ")
    group, _, resource = target.partition("/")
    for other in granted:
        v, _, t = other.partition(" ")
        g, _, r = t.partition("/")
        if v in ("*", verb) and g in ("*", group) and r in ("*", resource):
            return True
    return False


def _rule_lists(result) -> tuple[list[str], list[str], list[str]]:
    [rule] = [g for g in result.graph.grants() if g.policy.kind == "Role"]
    return tuple([v.text or "" for v in values] for values in (rule.actions, rule.api_groups, rule.resources))  # type: ignore[return-value]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.sampled_from(("*", "get", "list", "create", "delete", "patch")), min_size=1, max_size=3, unique=True),
    st.sampled_from(([""], ["*"], ["", "apps"], ["apps"])),
    st.lists(
        st.sampled_from(("*", "configmaps", "pods", "services", "secrets", "deployments")), min_size=1, max_size=2, unique=True
    ),
    st.lists(
        st.tuples(
            st.sampled_from(("core/configmaps", "core/pods", "core/services", "core/*", "apps/deployments")),
            st.sampled_from(("modify", "observe", "destroy", "*")),
        ).map(lambda t: f"{t[0]}:{t[1]}"),
        min_size=1,
        max_size=2,
    ).map(", ".join),
)
def test_rbac_fixes_never_widen(verbs: list[str], groups: list[str], resources: list[str], purpose: str) -> None:
    """Verbs, resources and API groups alike: what the fixed rule grants is within what it granted."""
    text = RBAC.format(purpose=purpose, groups=json.dumps(groups), resources=json.dumps(resources), verbs=json.dumps(verbs))
    result, _, again = _fixed("rbac.yaml", text)
    granted_before = k8s.expand(*_rule_lists(result))
    after = _rule_lists(again)
    assert all(_covered(p, granted_before) for p in k8s.expand(*after)), after
    for new, old in zip(after, _rule_lists(result)):
        assert "*" in old or set(new) <= set(old), (old, new)
    assert not _found(again.findings) - _found(result.findings)


GITHUB = "token.actions.githubusercontent.com"


def _trust(conditions: dict[str, dict[str, object]], style: str, inline: bool) -> tuple[str, str]:
    statement = {
        "Effect": "Allow",
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Principal": {"Federated": f"arn:aws:iam::111122223333:oidc-provider/{GITHUB}"},
    }
    if conditions:
        statement["Condition"] = conditions
    template = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Parameters": {"Repository": {"Type": "String", "Default": "acme/deploy"}},
        "Resources": {"R": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {"Statement": [statement]}}}},
    }
    if style == "json":
        return "t.json", json.dumps(template, indent=None if inline else 2)
    import yaml

    return "t.yaml", yaml.safe_dump(template, default_flow_style=inline, sort_keys=False)


def _subs_and_others(result) -> tuple[list[str] | None, set[tuple[str, str, tuple[object, ...]]]]:
    [grant] = [g for i in result.graph.identities if i.trust is not None for g in i.trust.grants]
    subs = [str(v) for c in grant.conditions if c.key.lower() == f"{GITHUB}:sub" for v in c.values]
    others = {(c.operator, c.key, c.values) for c in grant.conditions if c.key.lower() != f"{GITHUB}:sub"}
    return (subs or None), others


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        st.none(), st.sampled_from(("*", "repo:acme/*", "repo:*", "repo:acme/deploy:*", "repo:other/x:ref:refs/heads/main"))
    ),
    st.sampled_from(("StringLike", "StringEquals")),
    st.booleans(),
    st.sampled_from(("json", "yaml")),
    st.booleans(),
)
def test_trust_fixes_never_widen(sub: str | None, operator: str, audience: bool, style: str, inline: bool) -> None:
    """Pinning or adding a `sub` condition: every subject admitted after was admitted before, and the
    other conditions stay as they were."""
    conditions: dict[str, dict[str, object]] = {}
    if audience:
        conditions["StringEquals"] = {f"{GITHUB}:aud": "sts.amazonaws.com"}
    if sub is not None:
        conditions.setdefault(operator, {})[f"{GITHUB}:sub"] = sub
    result, outcome, again = _fixed(*_trust(conditions, style, inline))
    (subs_before, others_before), (subs_after, others_after) = _subs_and_others(result), _subs_and_others(again)
    assert others_after == others_before
    if subs_before is not None:
        assert subs_after is not None
        assert all(any(fnmatch.fnmatchcase(new, old) for old in subs_before) for new in subs_after), (subs_before, subs_after)
    elif outcome.changed:  # a condition added where there was none: the file's repository
        assert subs_after == ["repo:acme/deploy:*"]
    assert not _found(again.findings) - _found(result.findings)


HELD = (
    ROLE_HEAD.replace("{", "{{").replace("}", "}}")
    + """      Policies:
        - PolicyName: p
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: {listed}
                Resource: "{resource}"
              - Effect: Allow
                Action: {wildcard}
                Resource: "{resource}"
"""
)


FUNCTION_ACTIONS = {  # per service, actions of one or two functions (as an identity that holds one would list them)
    "s3": ("s3:GetObject", "s3:PutObject", "s3:DeleteObject"),
    "sqs": ("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:SendMessage", "sqs:ChangeMessageVisibility"),
    "dynamodb": ("dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem"),
    "kms": ("kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"),
    "secretsmanager": ("secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue", "secretsmanager:RotateSecret"),
    "sns": ("sns:Publish", "sns:Subscribe"),
    "logs": ("logs:FilterLogEvents", "logs:GetLogEvents", "logs:PutLogEvents"),
    "ecr": ("ecr:PutImage", "ecr:BatchGetImage", "ecr:InitiateLayerUpload"),
    "lambda": ("lambda:InvokeFunction", "lambda:UpdateFunctionConfiguration", "lambda:GetFunction"),
    "iam": ("iam:GetRole", "iam:TagRole", "iam:PassRole"),
}


@st.composite
def held_statements(draw: st.DrawFn) -> tuple[list[str], list[str]]:
    """Actions listed by name (mostly of one service, now and then another's) and the patterns of a
    second statement."""
    service = draw(st.sampled_from(SERVICES))
    choices = st.one_of(
        st.sampled_from(FUNCTION_ACTIONS[service]), st.sampled_from(("s3:GetObject", "kms:Decrypt", "sts:GetCallerIdentity"))
    )
    listed = draw(st.lists(choices, min_size=1, max_size=3, unique=True))
    patterns = st.sampled_from((f"{service}:*", f"{service}:Get*", "*", f"{service}:*Message*"))
    return listed, draw(st.lists(patterns, min_size=1, max_size=2, unique=True))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(held_statements(), st.sampled_from(("*", "arn:aws:s3:::bucket/*", "arn:aws:sqs:eu-west-1:111122223333:q")))
def test_held_function_fixes_never_widen(statements: tuple[list[str], list[str]], resource: str) -> None:
    """No purpose declared: a wildcard narrowed to the functions the other statement holds grants
    only what it granted, and no finding is added."""
    listed, wildcard = statements
    result, _, again = _fixed("t.yaml", HELD.format(listed=json.dumps(listed), wildcard=json.dumps(wildcard), resource=resource))
    _assert_narrower(result, again)


POD = """apiVersion: v1
kind: ServiceAccount
metadata:
  name: app
  namespace: ns
{account}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
  namespace: ns
spec:
  template:
    metadata:
      annotations: {annotations}
    spec:
      serviceAccountName: {name}
{setting}      containers:
        - name: app
          image: example/app:1
{binding}"""
BINDING = """---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: b
  namespace: ns
subjects:
  - kind: {kind}
    name: {subject}
    namespace: ns
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: view
"""


def _mostly(first: str, *others: str) -> st.SearchStrategy[str]:
    """`first` half the time (the fixable shape), else any of them."""
    return st.one_of(st.just(first), st.sampled_from((first, *others)))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    _mostly("", "automountServiceAccountToken: false", "automountServiceAccountToken: true"),
    _mostly("", "      automountServiceAccountToken: true\n", "      automountServiceAccountToken: false\n"),
    _mostly("app", "default", "elsewhere"),
    _mostly("", "ServiceAccount:app", "Group:system:serviceaccounts:ns", "Group:system:authenticated"),
    _mostly("{}", '{"vault.hashicorp.com/agent-inject": "true"}', '{"example.com/x": "y"}'),
)
def test_automount_fixes_only_take_tokens_nothing_uses(
    account: str, setting: str, name: str, binding: str, annotations: str
) -> None:
    """The fix only turns a token off (never on), only where nothing in the scan uses it, and adds no finding."""
    kind, _, subject = binding.partition(":")
    bound = BINDING.format(kind=kind, subject=subject) if binding else ""
    text = POD.format(account=account, setting=setting, name=name, binding=bound, annotations=annotations)
    result, outcome, again = _fixed("app.yaml", text)
    [before] = [w.token for w in result.graph.workloads]
    [after] = [w.token for w in again.graph.workloads]
    assert before is not None and after is not None
    assert not after.mounted or before.mounted
    if outcome.changed:
        assert (before.pod, after.pod) == ("unset", "false") and before.mounted
        assert name == "app" and not binding.startswith(("ServiceAccount", "Group")) and "vault" not in annotations
    assert not _found(again.findings) - _found(result.findings)
