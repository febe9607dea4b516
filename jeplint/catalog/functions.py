"""The function taxonomy: every permission -> a function = (domain, capability), with the reason.

Domain is the service namespace (AWS prefix, GCP service, Azure provider, Kubernetes API group).
Capability is the first class that matches, in this order (after the proposal in
`permissions-knowledge.md` §7, adapted):

  identity-admin   change who can do what (permissions management, IAM/RBAC writes, PassRole, actAs)
  credential-issue mint or reveal credentials, tokens or keys
  code-execution   run code or commands as another identity or resource
  resource-policy  change who may use a resource (bucket, key and queue policies, sharing)
  data-read        read the data a store holds (objects, items, secrets, messages)
  data-write       write or delete the data a store holds
  rotate           rotate secrets and keys
  approve          approve, accept, reject or authorize requests
  export-report    export, copy, replicate or snapshot data elsewhere; billing and cost reports
  destroy          delete, terminate, disable or stop infrastructure (and logging)
  modify           any other change
  tag              tagging only
  observe          list and describe

`observe` and `tag` never make an identity multi-function, and the baseline every workload needs
(logs, metrics, traces, image pulls, VPC network interfaces, `sts:GetCallerIdentity`, leader-election
leases, events) is left out before counting. High-impact capabilities are listed in HIGH_IMPACT.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache

from jeplint.catalog import aws_actions
from jeplint.datafiles import data_file

CAPABILITIES = (
    "identity-admin",
    "credential-issue",
    "code-execution",
    "resource-policy",
    "data-read",
    "data-write",
    "rotate",
    "approve",
    "export-report",
    "destroy",
    "modify",
    "tag",
    "observe",
)
HIGH_IMPACT = frozenset({"identity-admin", "credential-issue", "code-execution", "approve", "destroy", "export-report"})
NOT_COUNTED = frozenset({"observe", "tag"})

BASELINE_AWS = frozenset(
    {
        "logs:createloggroup",
        "logs:createlogstream",
        "logs:putlogevents",
        "logs:describelogstreams",
        "logs:describeloggroups",
        "logs:putretentionpolicy",
        "xray:puttracesegments",
        "xray:getsamplingrules",
        "xray:getsamplingtargets",
        "xray:puttelemetryrecords",
        "cloudwatch:putmetricdata",
        "sts:getcalleridentity",
        "ecr:getauthorizationtoken",
        "ecr:batchgetimage",
        "ecr:getdownloadurlforlayer",
        "ecr:batchchecklayeravailability".replace(" ", ""),
        "ec2:createnetworkinterface",
        "ec2:describenetworkinterfaces",
        "ec2:deletenetworkinterface",
        "ec2:assignprivateipaddresses",
        "ec2:unassignprivateipaddresses",
        # lets an AWS-authorized service account attach an ENI (AWS allows no other grantee): the
        # ECS and Lambda VPC plumbing, not a permission anyone else can use
        "ec2:createnetworkinterfacepermission",
        "ssm:updateinstanceinformation",
        # the ECS container agent of a container instance (AmazonEC2ContainerServiceforEC2Role)
        "ecs:createcluster",
        "ecs:registercontainerinstance",
        "ecs:deregistercontainerinstance",
        "ecs:discoverpollendpoint",
        "ecs:poll",
        "ecs:starttelemetrysession",
        "ecs:submitcontainerstatechange",
        "ecs:submittaskstatechange",
        "ecs:submitattachmentstatechanges",
        "ecs:updatecontainerinstancesstate",
        # an identity pool's role obtains its own credentials through these: plumbing of Cognito
        "cognito-identity:getid",
        "cognito-identity:getcredentialsforidentity",
        "cognito-identity:getopenidtoken",
    }
)
# Plumbing when the statement names its resources (the workload's own key, its own parameters):
# decrypting with one's own key or reading one's own configuration is part of running, not a function.
OWN_RESOURCE_AWS = re.compile(
    r"^(kms:(decrypt|encrypt|generatedatakey\w*|reencrypt\w*|describekey)|"
    r"ssm:getparameters?|ssm:getparametersbypath|secretsmanager:(getsecretvalue|describesecret)|"
    r"appconfig:(getconfiguration|getlatestconfiguration|startconfigurationsession))$"
)
BASELINE_AWS_SERVICES = frozenset({"ssmmessages", "ec2messages"})
BASELINE_GCP = frozenset(
    {
        "logging.logentries.create",
        "monitoring.timeseries.create",
        "cloudtrace.traces.patch",
        "artifactregistry.repositories.downloadartifacts",
        "resourcemanager.projects.get",
    }
)
BASELINE_AZURE = ("microsoft.support/", "microsoft.insights/alertrules/", "microsoft.resourcehealth/")
BASELINE_K8S = ("coordination.k8s.io/leases", "/events", "events.k8s.io/events")

SERVICE_LINKED_ROLE_ACTIONS = frozenset(
    {"iam:createservicelinkedrole", "iam:deleteservicelinkedrole", "iam:getservicelinkedroledeletionstatus"}
)
IDENTITY_SERVICES = frozenset(
    {"iam", "sso", "sso-directory", "identitystore", "organizations", "sts"}
)  # RAM shares resources: resource-policy
CODE_EXECUTION_AWS = frozenset(
    {
        "ssm:sendcommand",
        "ssm:startsession",
        "ssm:startautomationexecution",
        "ecs:executecommand",
        "ecs:runtask",
        "ec2-instance-connect:sendsshpublickey",
        "ec2:runinstances",
        "lambda:updatefunctioncode",
        "lambda:createfunction",
        "lambda:invokefunction",
        "glue:createdevendpoint",
        "glue:updatedevendpoint",
        "sagemaker:createpresignednotebookinstanceurl",
        "codebuild:startbuild",
        "codebuild:updateproject",
        "cloudformation:createstack",
        "cloudformation:updatestack",
        "cloudformation:executechangeset",
        "datapipeline:putpipelinedefinition",
        "autoscaling:createlaunchconfiguration",
    }
)
DATA_WRITE_AWS = re.compile(
    r"^(s3:(put|delete)object\w*|s3:restoreobject|dynamodb:(putitem|updateitem|deleteitem|batchwriteitem|partiql(insert|update|delete))|"
    r"sqs:(sendmessage\w*|deletemessage\w*|purgequeue)|sns:publish\w*|kinesis:putrecords?|firehose:putrecord\w*|"
    r"secretsmanager:putsecretvalue|ssm:putparameter|rds-data:executestatement|efs:clientwrite|elasticfilesystem:clientwrite|"
    r"es:eshttp(put|post|delete)|timestream:writerecords)$"
)
DATA_SERVICES = frozenset(
    {
        "s3",
        "dynamodb",
        "sqs",
        "sns",
        "kinesis",
        "firehose",
        "secretsmanager",
        "ssm",
        "rds-data",
        "glacier",
        "efs",
        "elasticfilesystem",
        "es",
        "timestream",
    }
)
_ROTATE = re.compile(r"^(rotate|cancelrotate|updatesecretversionstage|updateaccesskey)")
_APPROVE = re.compile(r"^(approve|accept|reject|authorize|confirm)")
_EXPORT = re.compile(r"^(export|copy|download|replicate|create\w*snapshot|createexport|startexport|getexport)")
_DESTROY = re.compile(r"^(delete|terminate|purge|deregister|disable|stop|cancel|remove)")
_LOGGING_DESTROY = frozenset(
    {
        "cloudtrail:stoplogging",
        "cloudtrail:deletetrail",
        "guardduty:deletedetector",
        "config:stopconfigurationrecorder",
        "config:deleteconfigurationrecorder",
        "logs:deleteloggroup",
    }
)


@dataclass(frozen=True, slots=True)
class Function:
    domain: str
    capability: str
    reason: str

    @property
    def name(self) -> str:
        return f"{self.domain} {self.capability}"


@lru_cache(maxsize=1)
def _sets() -> dict[str, frozenset[str]]:
    with (data_file("aws_function_sets.json")).open("r", encoding="utf-8") as handle:
        raw = json.load(handle)
    return {k: frozenset(v) for k, v in raw.items() if isinstance(v, list)}


def baseline(permission: str, platform: str) -> bool:
    """Actions every workload needs: never counted as a function."""
    lower = permission.lower()
    if platform == "aws":
        return lower in BASELINE_AWS or lower.split(":", 1)[0] in BASELINE_AWS_SERVICES
    if platform == "gcp":
        return lower in BASELINE_GCP
    if platform == "kubernetes":
        return any(lower.endswith(suffix) for suffix in BASELINE_K8S) or lower.startswith("create ") and lower.endswith("/events")
    if platform == "azure":
        return lower.startswith(BASELINE_AZURE)
    return False


# Cryptographic use of a key: the catalogue lists these as Write, but they change nothing (no key,
# resource or data is modified); what they reach is bounded by each key's key policy.
KEY_USE_AWS = re.compile(
    r"^kms:(encrypt|decrypt|reencrypt(from|to)?|generatedatakey\w*|generatemac|verifymac|sign|verify|generaterandom|derivesharedsecret)$"
)


def changes(action: aws_actions.Action) -> bool:
    """An AWS action that changes something: a write or permissions-management action that is not a
    Describe or List call, not the cryptographic use of a key, nor a tag action outside the identity services (tags on roles
    and users are `aws:PrincipalTag`: they decide tag-based conditions, so tagging them counts)."""
    if not action.writes or KEY_USE_AWS.match(action.full.lower()):
        return False
    if action.name.lower().startswith(("describe", "list")):
        return False  # a read the catalogue files under another level (quicksight:DescribeTopicPermissions)
    tag = "Tagging" in action.access and "Permissions management" not in action.access
    return not tag or action.service in IDENTITY_SERVICES


def plumbing(permission: str, platform: str, named: bool) -> bool:
    """Operational plumbing: the baseline every workload needs, and (`named`: the granting statement
    names its resources) decrypting with its own key or reading its own configuration."""
    if baseline(permission, platform):
        return True
    return platform == "aws" and named and OWN_RESOURCE_AWS.match(permission.lower()) is not None


def classify(permission: str, platform: str) -> Function:
    if platform == "aws":
        return _aws(permission)
    if platform == "gcp":
        return _gcp(permission)
    if platform == "azure":
        return _azure(permission)
    return _kubernetes(permission)


@lru_cache(maxsize=65536)
def _aws(action: str) -> Function:
    prefix, _, name = action.partition(":")
    lower, lname = action.lower(), name.lower()
    entry = (aws_actions.service(prefix) or {}).get(lname)
    access = entry.access if entry else ()
    sets = _sets()
    if lower in SERVICE_LINKED_ROLE_ACTIONS:
        # a service-linked role's trust and permissions are defined by AWS, not by the caller: the
        # AWS managed policies of most services carry these; they administer no identity
        return Function(prefix, "modify", "creates or deletes an AWS-defined service-linked role")
    if lower == "iam:createvirtualmfadevice":
        # a new MFA device protects nothing and grants nothing until EnableMFADevice ties it to a
        # user (AWS's own "manage your MFA" policy allows it on mfa/*)
        return Function(prefix, "modify", "creates an MFA device, unassigned")
    if lower == "iam:passrole":
        # hands a role to a service it deploys: delegation, not identity administration (JEP401
        # reports the PassRole paths that escalate)
        return Function(prefix, "modify", "passes roles to services")
    if prefix in IDENTITY_SERVICES and lower in sets["privilege_escalation"]:
        return Function(prefix, "identity-admin", "changes who can do what")
    if (
        prefix in IDENTITY_SERVICES
        and ("Write" in access or "Permissions management" in access)
        and not lname.startswith("tag")
        and prefix != "sts"
    ):
        return Function(prefix, "identity-admin", f"writes in {prefix}")
    if "Tagging" in access and "Permissions management" not in access:
        # the catalogue lists tag actions as ("Tagging", "Write"): they change labels, not resources
        return Function(prefix, "tag", "tagging")
    if lower in sets["credential_issue"]:
        return Function(prefix, "credential-issue", "returns or creates credentials")
    if lower in CODE_EXECUTION_AWS:
        return Function(prefix, "code-execution", "runs code or commands")
    if "Permissions management" in access:
        return Function(prefix, "resource-policy", "changes who may use a resource")
    if lower in sets["data_read"]:
        return Function(prefix, "data-read", "reads stored data")
    if DATA_WRITE_AWS.match(lower):
        return Function(prefix, "data-write", "writes stored data")
    if "Write" in access or not access:
        if _ROTATE.match(lname):
            return Function(prefix, "rotate", "rotates a secret or key")
        if _APPROVE.match(lname):
            return Function(prefix, "approve", "approves or accepts a request")
        if _EXPORT.match(lname):
            return Function(prefix, "export-report", "copies data elsewhere")
        if lower in _LOGGING_DESTROY or _DESTROY.match(lname):
            return Function(prefix, "destroy", "deletes, stops or disables")
    if prefix in ("cur", "ce", "bcm-data-exports") and "Read" in access:
        return Function(prefix, "export-report", "billing and cost reports")
    if "Write" in access:
        return Function(prefix, "modify", "changes resources")
    return Function(prefix, "observe", "lists or describes")


def _gcp(permission: str) -> Function:
    parts = permission.split(".")
    service, verb = parts[0], parts[-1].lower()
    lower = permission.lower()
    if (
        verb in ("setiampolicy", "actas")
        or "policybinding" in verb
        or (service == "iam" and verb in ("create", "update", "delete", "undelete"))
    ):
        # IAM policy administration is one function whichever service's resources it covers.
        return Function("iam", "identity-admin", "changes who can do what")
    if verb in ("getaccesstoken", "getopenidtoken", "signblob", "signjwt", "implicitdelegation") or lower.endswith(
        ("keys.create", "hmackeys.create", "getkeystring")
    ):
        return Function(service, "credential-issue", "returns or creates credentials")
    if lower in (
        "compute.instances.setmetadata",
        "cloudbuild.builds.create",
        "run.services.create",
        "deploymentmanager.deployments.create",
    ) or (service == "cloudfunctions" and verb in ("create", "update", "sourcecodeset")):
        return Function(service, "code-execution", "runs code")
    if lower in (
        "storage.objects.get",
        "bigquery.tables.getdata",
        "secretmanager.versions.access",
        "pubsub.subscriptions.consume",
        "spanner.databases.read",
        "datastore.entities.get",
    ):
        return Function(service, "data-read", "reads stored data")
    if lower in (
        "storage.objects.create",
        "storage.objects.delete",
        "bigquery.tables.updatedata",
        "pubsub.topics.publish",
        "secretmanager.versions.add",
        "datastore.entities.create",
        "datastore.entities.update",
    ):
        return Function(service, "data-write", "writes stored data")
    if verb.startswith("rotate"):
        return Function(service, "rotate", "rotates")
    if verb.startswith(("approve", "accept", "reject")):
        return Function(service, "approve", "approves")
    if verb.startswith(("export", "copy")):
        return Function(service, "export-report", "copies data elsewhere")
    if verb in ("delete", "stop", "disable", "purge"):
        return Function(service, "destroy", "deletes or stops")
    if verb.startswith(("get", "list", "search", "query", "view", "describe", "analyze", "test", "lookup", "use")) or service in (
        "policysimulator",
        "policyanalyzer",
    ):
        return Function(service, "observe", "reads or analyses configuration")
    return Function(service, "modify", "changes resources")


def _azure(operation: str) -> Function:
    if operation in ("*", "*/read"):
        return Function(
            "*",
            "identity-admin" if operation == "*" else "observe",
            "every operation" if operation == "*" else "reads everything",
        )
    provider = operation.split("/", 1)[0]
    lower = operation.lower()
    if lower.startswith("microsoft.authorization/") and not lower.endswith("/read"):
        return Function(provider, "identity-admin", "changes role assignments or definitions")
    if lower.endswith(
        (
            "/listkeys/action",
            "/listcredentials/action",
            "/regeneratekey/action",
            "/listclusteradmincredential/action",
            "/beginGetAccess/action".lower(),
        )
    ):
        return Function(provider, "credential-issue", "returns keys or credentials")
    if "runcommand" in lower or lower.endswith("/extensions/write"):
        return Function(provider, "code-execution", "runs commands")
    if lower.endswith("/read"):
        return Function(provider, "observe", "reads")
    if lower.endswith("/delete"):
        return Function(provider, "destroy", "deletes")
    if lower.endswith("/*"):
        return Function(provider, "modify", "every operation of the provider")
    return Function(provider, "modify", "changes resources")


def _kubernetes(permission: str) -> Function:
    verb, _, target = permission.partition(" ")
    group, _, resource = target.partition("/")
    domain = f"{group or 'core'}/{resource.split('/', 1)[0]}"  # API group + resource family
    if (
        group == "rbac.authorization.k8s.io"
        and verb not in ("get", "list", "watch")
        or verb in ("bind", "escalate", "impersonate")
        or resource == "certificatesigningrequests/approval"
    ):
        return Function(domain, "identity-admin", "changes RBAC or impersonates")
    if resource == "serviceaccounts/token" and verb == "create":
        return Function(domain, "credential-issue", "mints ServiceAccount tokens")
    if resource in ("pods/exec", "pods/attach", "nodes/proxy") or (
        verb in ("create", "update", "patch")
        and resource in ("pods", "deployments", "daemonsets", "statefulsets", "jobs", "cronjobs", "replicasets")
    ):
        return Function(domain, "code-execution", "runs code in the cluster")
    if resource == "secrets" and verb in ("get", "list", "watch", "*"):
        return Function(domain, "data-read", "reads Secrets")
    if verb in ("delete", "deletecollection"):
        return Function(domain, "destroy", "deletes")
    if verb in ("get", "list", "watch"):
        return Function(domain, "observe", "reads")
    if verb == "*":
        return Function(domain, "identity-admin" if resource in ("*", "roles", "clusterroles") else "modify", "every verb")
    return Function(domain, "modify", "changes resources")
