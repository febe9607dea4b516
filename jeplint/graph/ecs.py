"""What the ECS agent does with a task definition's execution role, read from its container
definitions (Terraform `container_definitions`, CloudFormation `ContainerDefinitions`): pull an image
from a private registry, deliver logs (`awslogs`), inject secrets and parameters, decrypt them.

The agent uses the execution role only for what the containers ask: a task definition that pulls a
public image, sends no logs and injects nothing never uses it. What cannot be read (an image given by
a variable, a definition from a file) counts as used: never a false clean.
"""

from __future__ import annotations

from collections.abc import Callable

from jeplint.parse.nodes import Mapping, Node, Scalar, Sequence

AGENT_USES = ("image pulls", "log delivery", "secrets", "parameters", "decryption")


def agent_uses(definitions: Node | None, resolve: Callable[[Node], Node]) -> tuple[str, ...] | None:
    """The execution-role uses of a task definition's containers, in `AGENT_USES` order; None when
    the definitions cannot be read (every use is then possible)."""
    if definitions is None:
        return None
    value = resolve(definitions)
    if not isinstance(value, Sequence):
        return None
    uses: set[str] = set()
    for item in value.items:
        container = resolve(item)
        if not isinstance(container, Mapping):
            return None
        uses |= _container(container, resolve)
    return tuple(use for use in AGENT_USES if use in uses)


def _field(container: Mapping, name: str) -> Node | None:
    """A container definition key in either spelling (`logConfiguration`, `LogConfiguration`)."""
    for key, node in container.items.items():
        if key.lower() == name.lower():
            return node
    return None


def _container(container: Mapping, resolve: Callable[[Node], Node]) -> set[str]:
    uses: set[str] = set()
    image = _field(container, "image")
    text = resolve(image) if image is not None else None
    if not (isinstance(text, Scalar) and isinstance(text.value, str)) or ".dkr.ecr." in text.value:
        uses.add("image pulls")  # an ECR image, or one the scan cannot read
    if _field(container, "repositoryCredentials") is not None:
        uses.update(("image pulls", "secrets", "decryption"))  # a private registry's login, a secret
    logs = _field(container, "logConfiguration")
    config = resolve(logs) if logs is not None else None
    if config is not None:
        driver = _field(config, "logDriver") if isinstance(config, Mapping) else None
        written = resolve(driver) if driver is not None else None
        if not (isinstance(written, Scalar) and isinstance(written.value, str)) or written.value == "awslogs":
            uses.add("log delivery")
        if isinstance(config, Mapping) and _field(config, "secretOptions") is not None:
            uses.update(("secrets", "parameters", "decryption"))
    injected = _field(container, "secrets")
    if injected is not None:
        uses.update(_sources(resolve(injected), resolve) | {"decryption"})
    return uses


def _sources(injected: Node, resolve: Callable[[Node], Node]) -> set[str]:
    """Where injected secrets come from: Secrets Manager, Parameter Store, or both when not read."""
    if not isinstance(injected, Sequence):
        return {"secrets", "parameters"}
    found: set[str] = set()
    for item in injected.items:
        entry = resolve(item)
        source = _field(entry, "valueFrom") if isinstance(entry, Mapping) else None
        text = resolve(source) if source is not None else None
        if not (isinstance(text, Scalar) and isinstance(text.value, str)):
            found |= {"secrets", "parameters"}
        elif ":secretsmanager:" in text.value:
            found.add("secrets")
        else:
            found.add("parameters")  # a parameter ARN, or a parameter's name in the task's Region
    return found
