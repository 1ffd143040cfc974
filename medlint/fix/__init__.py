"""`medlint fix`: safe, mechanical fixes for findings, applied at the exact positions medlint knows.

Modules: `yamldoc` (a YAML file's nodes as written), `yaml_edit` (proven edits through ruamel.yaml or text
splicing), `dockerfile_edit` (instruction-level edits), the planners per artifact kind (`plan_*`), `helm`
(fixes traced to a chart's values file), `writer` (atomic writes that never follow symlinks) and `runner`
(plan, apply, re-lint, roll back). `check` never imports this package.
"""
