"""Helm: findings on rendered objects are fixed in the values file behind them; templates are never edited."""

from __future__ import annotations

from typing import Any

CHART = "apiVersion: v2\nname: web\nversion: 1.0.0\nappVersion: 1.0.0\n"
TEMPLATE = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
          imagePullPolicy: {{ .Values.image.pullPolicy }}
          securityContext:
            {{- toYaml .Values.securityContext | nindent 12 }}
        - name: literal
          image: registry.example.com/literal:1.0.0
          imagePullPolicy: Always
          securityContext:
            runAsNonRoot: true
"""
VALUES = """\
# 镜像 (image)
image:
  repository: registry.example.com/web
  tag: "1.0.0"
  pullPolicy: IfNotPresent  # nodes keep what they have

securityContext:
  runAsNonRoot: true
  readOnlyRootFilesystem: true

# Resources come next
resources: {}
"""


def chart(project: Any) -> Any:
    return project(
        {
            "chart/Chart.yaml": CHART,
            "chart/values.yaml": VALUES,
            "chart/templates/deployment.yaml": TEMPLATE,
        }
    )


def test_settings_rendered_from_values_are_fixed_in_the_values_file(project: Any, run_fix: Any) -> None:
    root = chart(project)
    result = run_fix("--select", "MD202,MD204,MD209")
    assert (root / "chart/templates/deployment.yaml").read_text(encoding="utf-8") == TEMPLATE
    assert (root / "chart/values.yaml").read_text(encoding="utf-8") == VALUES.replace(
        "  readOnlyRootFilesystem: true\n",
        "  readOnlyRootFilesystem: true\n"
        "  allowPrivilegeEscalation: false\n"
        "  capabilities:\n"
        "    drop:\n"
        "      - ALL\n"  # no list in the file shows its style: indented, like `helm create`
        "  seccompProfile:\n"
        "    type: RuntimeDefault\n",
    )
    assert "(in chart/values.yaml)" in result.output
    # The container whose securityContext the template writes itself is left to a person.
    assert "only the chart's template writes this setting" in result.output
    remaining = [line for line in result.output.split("\n\n", 1)[1].splitlines() if " MD20" in line]
    assert not any('container "web"' in line for line in remaining)
    assert any('container "literal"' in line for line in remaining)


def test_a_value_read_into_the_template_is_changed_where_it_is_set(project: Any, run_fix: Any) -> None:
    root = chart(project)
    run_fix("--select", "MD102", "--unsafe-fixes")
    values = (root / "chart/values.yaml").read_text(encoding="utf-8")
    assert values == VALUES.replace("pullPolicy: IfNotPresent  #", "pullPolicy: Always  #")
    assert (root / "chart/templates/deployment.yaml").read_text(encoding="utf-8") == TEMPLATE


def test_a_second_run_on_the_chart_changes_nothing(project: Any, run_fix: Any) -> None:
    root = chart(project)
    run_fix("--unsafe-fixes")
    first = (root / "chart/values.yaml").read_text(encoding="utf-8")
    result = run_fix("--unsafe-fixes")
    assert (root / "chart/values.yaml").read_text(encoding="utf-8") == first
    assert result.output.startswith("Nothing to fix automatically.")
