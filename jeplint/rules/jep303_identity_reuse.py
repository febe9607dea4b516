"""JEP303 identity-reuse: one identity is used by several unrelated workloads.

A Kubernetes ServiceAccount run by several Deployments or CronJobs, an IAM role shared by several
Lambda functions, ECS services or instances, a GCP service account attached to several workloads:
each workload then holds the union of what all of them need, and a compromise of one is a
compromise of all. ECS execution roles (which only pull images and write logs) are not counted — but
a task definition whose execution role is also its task role is reported when the role holds what the
ECS agent uses it for (image pulls, log delivery, the secrets and parameters injected into the task,
as the container definitions ask: `graph.ecs`): the application then holds that access too. The
message names what the role holds of it that the agent uses. Identities that hold no grant in the scan are not
reported, nor are those that hold no function (`common.functions`: only operational plumbing,
listing, describing and tagging, as two instances that each tag their own root volume): sharing them
gives no workload more than every one of them needs.
Workloads with the same name (one Deployment declared twice) count once. Documentation:
`rules/JEP303-identity-reuse/`.
"""

from __future__ import annotations

from collections.abc import Iterator

from jeplint.graph.effective import effective
from jeplint.graph.model import Graph, Identity
from jeplint.options import Options
from jeplint.rules.base import Finding, Related, Rule, fingerprint
from jeplint.rules.common import identity_locations
from jeplint.rules.common.functions import functions_of

SHOWN = 4


# What the ECS agent does with an execution role, by the actions it calls.
AGENT_ACCESS = (
    ("image pulls", ("ecr:getauthorizationtoken", "ecr:batchgetimage", "ecr:getdownloadurlforlayer")),
    ("log delivery", ("logs:createlogstream", "logs:putlogevents")),
    ("secrets", ("secretsmanager:getsecretvalue",)),
    ("parameters", ("ssm:getparameters", "ssm:getparameter")),
    ("decryption", ("kms:decrypt",)),
)


def _agent_access(graph: Graph, identity: Identity) -> list[str]:
    """What of the ECS agent's access the role holds: ["image pulls", "secrets"]."""
    held = {a.lower() for a in effective(graph, identity).actions}
    return [what for what, actions in AGENT_ACCESS if held.intersection(actions)]


def _both_roles(graph: Graph, identity: Identity) -> Iterator[Finding]:
    """ECS task definitions that run as `identity` and use it as their execution role too, when the
    role holds agent access the application would then share."""
    workloads = graph.workloads_of(identity)
    executions = {
        (w.kind, w.name.removesuffix(" (execution role)")): w for w in workloads if w.name.endswith(" (execution role)")
    }
    for workload in workloads:
        execution = executions.get((workload.kind, workload.name))
        if workload.name.endswith(" (execution role)") or execution is None:
            continue
        access = _agent_access(graph, identity)
        if execution.agent_uses is not None:  # what the container definitions ask the agent to do
            access = [what for what in access if what in execution.agent_uses]
        if not access:
            continue  # the agent uses none of the role's access: sharing it gives the application nothing
        related = [Related(workload.span, f"{workload.kind} {workload.name} runs as {identity.label}")]
        related += [r for r in identity_locations(graph, identity) if r.span != workload.span]
        yield Finding(
            "JEP303",
            f"{identity.label} is both the task role and the execution role of {workload.kind} {workload.name}: the "
            f"application gets the access the ECS agent uses it for ({', '.join(access)}). Give the task a role of its own",
            workload.span,
            related[:100],
            fingerprint("JEP303", identity.key, "execution+task", workload.name),
            "",
            (identity.key,),
        )


def check(graph: Graph, options: Options) -> Iterator[Finding]:
    for identity in graph.identities:
        yield from _both_roles(graph, identity)
        users: dict[str, object] = {}
        for workload in graph.workloads_of(identity):
            if workload.name.endswith("(execution role)"):
                continue
            users.setdefault(f"{workload.kind} {workload.name}", workload)
        held = graph.bindings_of(identity)
        if len(users) < 2 or not held or not functions_of(graph, identity):
            continue  # no grant, or nothing beyond plumbing, listing and tags: nothing is shared
        workloads = list(users.values())
        span = identity.span or workloads[0].span  # type: ignore[attr-defined]
        names = list(users)
        shown = ", ".join(names[:SHOWN]) + (f" and {len(names) - SHOWN} more" if len(names) > SHOWN else "")
        what = f"each of them holds everything {identity.label} is granted"
        related = [Related(w.span, f"{w.kind} {w.name} runs as {identity.label}") for w in workloads]  # type: ignore[attr-defined]
        related += [
            r
            for r in identity_locations(graph, identity)
            if r.span != span and not r.message.endswith(f"runs as {identity.label}")
        ]
        yield Finding(
            "JEP303",
            f"{identity.label} is used by {len(names)} workloads: {shown}; {what}. Give each workload its own identity with just the permissions it needs",
            span,
            related[:100],
            fingerprint("JEP303", identity.key, *sorted(names)),
            identities=(identity.key,),
        )


RULE = Rule("JEP303", check)
