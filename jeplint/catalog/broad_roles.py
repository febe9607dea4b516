"""Built-in roles that are broad by design, per platform, with what each grants in words.

AWS managed policies of that kind (AdministratorAccess, ...) are in `jeplint.graph.aws_managed.BROAD`
beside their documents; these are the GCP basic roles, the Azure privileged built-ins and the
Kubernetes user-facing ClusterRoles.
"""

from __future__ import annotations

K8S_BROAD = {
    "cluster-admin": "every verb on every resource in the cluster",
    "admin": "read and write of nearly every namespaced resource, including Roles and RoleBindings",
    "edit": "write of nearly every namespaced resource, including Secrets and workloads",
}
GCP_BROAD = {
    "roles/owner": "full control of every resource, including IAM policy",
    "roles/editor": "write access to nearly every resource",
}
AZURE_BROAD = {
    "Owner": "full control of every resource, including role assignments",
    "Contributor": "write access to every resource except role assignments",
    "User Access Administrator": "the power to assign any role to anyone",
}
