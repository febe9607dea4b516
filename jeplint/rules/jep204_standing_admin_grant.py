"""JEP204 standing-admin-grant: an administrator-grade role held by a non-human identity with no
time bound — a GCP role that sets IAM policy bound to a service account without an IAM condition
`request.time < timestamp(...)`; Azure Role Based Access Control Administrator assigned to a
service principal or managed identity through `azurerm_role_assignment` (which cannot expire);
Owner, User Access Administrator or Role Based Access Control Administrator through an active PIM
assignment with no expiration.

A binding JEP106 reports (GCP `roles/owner`, Azure Owner and User Access Administrator) is not
repeated while JEP106 runs: `defers_to: [JEP106]` in rule.yaml; with JEP106 off, this rule reports it.
Documentation: `rules/JEP204-standing-admin-grant/`.
"""

from __future__ import annotations

from collections.abc import Iterator

from jeplint.graph.model import Binding, Graph, PimAssignment
from jeplint.options import Options
from jeplint.rules.base import Finding, Rule, fingerprint
from jeplint.rules.common import binding_locations
from jeplint.rules.common.expiry import ADMIN_ROLES, NON_HUMAN, credential_finding, credentials, gcp_condition_end, owner

BUILTIN_KINDS = ("gcp-predefined", "azure-builtin")  # a custom role that happens to be called "Owner" is not Owner
ADVICE = {
    "gcp": "grant it just in time (Privileged Access Manager), or bound it with an IAM condition request.time < timestamp(...)",
    "azure": "make it a PIM eligible assignment (azurerm_pim_eligible_role_assignment), or an active one with schedule.expiration",
}


def standing(binding: Binding) -> bool:
    identity, policy = binding.identity, binding.policy
    platform = identity.platform
    return (
        platform in ADMIN_ROLES
        and identity.kind in NON_HUMAN[platform]
        and policy.kind in BUILTIN_KINDS
        and policy.name in ADMIN_ROLES[platform]
        and gcp_condition_end(binding.condition) is None
    )


def check(graph: Graph, options: Options) -> Iterator[Finding]:
    for binding in graph.bindings:
        if not standing(binding):
            continue
        identity, policy = binding.identity, binding.policy
        scope = f" on {binding.scope}" if binding.scope else ""
        why = " (its IAM condition does not limit time)" if binding.condition else ""
        message = f"{identity.label} holds {policy.name}{scope} through {binding.via} with no time bound{why}; {ADVICE[identity.platform]}"
        yield Finding(
            "JEP204",
            message,
            binding.span,
            binding_locations(binding, graph),
            fingerprint("JEP204", binding.span.path, identity.key, policy.key, binding.via),
            identities=(identity.key,),
            grants=(policy.key,),
        )
    for credential in credentials(graph, "grant"):
        principal, pim = credential.identity, credential.detail
        if not isinstance(pim, PimAssignment) or pim.eligible or pim.bounded or principal is None:
            continue
        role = pim.role
        if principal.kind not in NON_HUMAN["azure"] or role not in ADMIN_ROLES["azure"]:
            continue
        scope = f" on {pim.scope}" if pim.scope else ""
        message = (
            f"{owner(credential)} holds {role}{scope} through {credential.name}, an active PIM assignment with no expiration; "
            "give its schedule an expiration, or make it an eligible assignment"
        )
        yield credential_finding("JEP204", graph, credential, message)


RULE = Rule("JEP204", check)
