"""Nested CloudFormation stacks: a parent's `AWS::CloudFormation::Stack` (or SAM
`AWS::Serverless::Application`) whose template is a file of the scan (`TemplateURL: ./child.yaml`,
`Location: nested/app.yaml`, as written before `aws cloudformation package` uploads it) passes
`Parameters` to that template. A child's `Ref` to such a parameter then names what the parent wrote
(`RoleArn: !GetAtt AppRole.Arn`), so a child's function runs as the parent's role.

Only templates already in the scan are matched, by path relative to the parent's folder: nothing is
read or fetched (an `https://` or `s3://` URL is another stack, outside the scan)."""

from __future__ import annotations

import posixpath

from jeplint.graph.cfn_template import Template
from jeplint.parse.nodes import Mapping, Scalar

NESTED = {"AWS::CloudFormation::Stack": "TemplateURL", "AWS::Serverless::Application": "Location"}


def link_nested_stacks(templates: list[Template]) -> None:
    """Set `inputs` of every template a parent in `templates` instantiates with parameters."""
    by_path = {posixpath.normpath(tpl.path): tpl for tpl in templates}
    for parent in templates:
        for logical in parent.resources:
            prop = NESTED.get(parent.type_of(logical))
            props = parent.properties(logical)
            location = props.items.get(prop) if props is not None and prop is not None else None
            location = parent.resolve(location) if location is not None else None
            if not isinstance(location, Scalar) or not isinstance(location.value, str) or "://" in location.value:
                continue
            folder = posixpath.dirname(parent.path)
            child = by_path.get(posixpath.normpath(posixpath.join(folder, location.value)))
            params = props.items.get("Parameters") if props is not None else None
            if child is None or child is parent or not isinstance(params, Mapping):
                continue
            for name, value in params.items.items():
                child.inputs.setdefault(name, (parent, value))
