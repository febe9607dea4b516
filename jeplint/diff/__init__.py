"""`jeplint diff`: what a change gives each identity, compared with a git revision.

`gitbase` reads the base revision with git into a temporary folder; `engine` scans both trees;
`snapshot` turns a scan into per-identity facts; `delta` compares them (and the findings);
`levels` weighs privilege; `text`, `markdown`, `json_out` and `sarif_out` render; `command` is the
command line.
"""
