"""JEP205 expired-access-still-declared: a time-bound grant or credential whose end has passed is
still declared — an IAM statement whose `DateLessThan aws:CurrentTime` is in the past, a GCP IAM
binding whose condition `request.time < timestamp(...)` has passed, an Azure PIM assignment whose
expiration has passed, a client secret or Key Vault secret whose end date has passed.

It grants nothing any more, but it is configuration nobody reads correctly: remove it. A note.
Documentation: `rules/JEP205-expired-access-still-declared/`.
"""

from __future__ import annotations

from collections.abc import Iterator

from jeplint.graph.model import Graph, PimAssignment
from jeplint.options import Options
from jeplint.rules.base import Finding, Rule, fingerprint
from jeplint.rules.common import allows, binding_locations, identities_of, path_locations, source_grants, who
from jeplint.rules.common.expiry import aws_grant_end, credential_finding, gcp_condition_end, lifetime_of, owner, subject
from jeplint.timeparse import day_of

STILL = "it has expired and is still declared: remove it"


def check(graph: Graph, options: Options) -> Iterator[Finding]:
    now = options.now
    for credential in graph.credentials:
        lifetime = lifetime_of(credential)
        if lifetime is None or lifetime.ends is None or not lifetime.expired(now):
            continue
        until = f"{day_of(lifetime.ends)} ({lifetime.text})"
        if isinstance(credential.detail, PimAssignment):
            pim = credential.detail
            scope = f" on {pim.scope}" if pim.scope else ""
            text = f"{credential.name} gave {owner(credential)} {pim.role}{scope} until {until}; {STILL}"
        else:
            text = f"{subject(credential)} expired on {until} and is still declared: remove it, and whatever still uses it"
        yield credential_finding("JEP205", graph, credential, text, lifetime.span)
    for binding in graph.bindings:
        end = gcp_condition_end(binding.condition)
        if end is None or end > now:
            continue
        scope = f" on {binding.scope}" if binding.scope else ""
        text = f"{binding.via} gave {binding.identity.label} {binding.policy.name}{scope} until {day_of(end)} through its IAM condition; {STILL}"
        yield Finding(
            "JEP205",
            text,
            binding.span,
            binding_locations(binding, graph),
            fingerprint("JEP205", binding.span.path, binding.identity.key, binding.policy.key, binding.via),
            identities=(binding.identity.key,),
        )
    for grant in source_grants(graph):
        bound = aws_grant_end(grant) if allows(grant) else None
        if bound is None or bound[0] > now:
            continue
        end, condition = bound
        holders = identities_of(graph, grant.policy)
        whom = who(holders) if holders else "its holders"
        text = f"{grant.where} grants {whom} access until {day_of(end)} ({condition}); {STILL}"
        span = grant.key_spans.get("Condition", grant.span)
        keys = tuple(sorted(i.key for i in holders))
        yield Finding(
            "JEP205",
            text,
            span,
            path_locations(graph, grant),
            fingerprint("JEP205", span.path, grant.policy.key, str(grant.index), *keys),
            identities=keys,
        )


RULE = Rule("JEP205", check)
