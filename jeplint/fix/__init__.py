"""Fixes: the narrower text for a finding, computed after the rules ran.

`model` holds the data (`Fix`, `Edit`), `text` the one place where spans become text edits, and
`attach` the post-pass that gives each finding its fix (or a suggestion in words) from the graph
facts: one small module per fix kind (`wildcard`, `lifetime`, `expiry`, `rbac`, `trust`).
Importing this package imports nothing else: the scan pays for fixes only when it asks for them.
"""
