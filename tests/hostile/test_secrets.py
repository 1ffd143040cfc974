"""Family 1 of issue 8: secret values printed. A marker secret is planted wherever a message could quote it:
URLs with credentials, credential query parameters, git remotes, values-schema violations, `tpl` errors,
parse errors of each format, waiver justifications, render failures. It must appear in no output format.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.hostile.projects import MARKER, chart, check, problems, report, write


def test_dockerfile_secrets_stay_hidden(tmp_path: Path) -> None:
    project = write(
        tmp_path / "project",
        {
            # a missing backslash: the password line is read as an instruction
            "Dockerfile": f"FROM alpine:3.19\nENV DB_USER=admin\n    DB_PASSWORD={MARKER}\nUSER 1000\n",
            # the same in a continuation that holds only a token
            "Dockerfile.token": f"FROM alpine:3.19\nENV TOKEN=x\n{MARKER}\n",
            "Dockerfile.urls": (
                "FROM alpine:3.19\n"
                f"ADD https://deploy:{MARKER}@files.example.com/tool.tgz /tmp/\n"
                f"ADD https://files.example.com/a.tgz?private_token={MARKER} /tmp/\n"
                f"RUN curl -fsSL 'https://s3.example.com/b?X-Amz-Signature={MARKER}&X-Amz-Date=1' -o /tmp/b\n"
                f"RUN wget https://{MARKER}@github.com/org/repo/archive/main.tgz\n"
                f"ARG GITHUB_TOKEN={MARKER}\n"
                f"ENV API_KEY={MARKER}\n"
                f"LABEL password={MARKER}\n"
                f"# medlint: ignore[MD102] reason: rotated DB_PASSWORD={MARKER} last week\n"
                "USER 1000\n"
            ),
        },
    )
    found = problems(check(project, tmp_path / "out"))
    assert "'DB_PASSWORD=...' is not an instruction" in found["Dockerfile"]
    assert "backslash may be missing at the end of line 2" in found["Dockerfile"]
    assert "Dockerfile.token" in found


def test_compose_secrets_stay_hidden(tmp_path: Path) -> None:
    project = write(
        tmp_path / "project",
        {
            "a/compose.yaml": f'services:\n  web:\n    image: nginx\n    environment:\n      PW: "pw${{{MARKER}"\n',
            "b/compose.yaml": f'services:\n  web:\n    image: "nginx:${{1{MARKER}}}"\n',
            "c/compose.yaml": f'services:\n  web:\n    image: "nginx:${{X {MARKER}}}"\n',
            "d/compose.yaml": f"services:\n  web: {MARKER}\n",
            "e/compose.yaml": f"{MARKER}\n",
            "f/compose.yaml": (
                "services:\n  web:\n    image: nginx:1.27\n    environment:\n"
                f"      DB_PASSWORD: {MARKER}\n      - broken\n"
            ),
            "g/compose.yaml": (
                "services:\n  web:\n    image: nginx:1.27\n    environment:\n"
                f"      - DB_PASSWORD={MARKER}\n      - API_URL=https://bot:{MARKER}@api.example.com/v1\n"
            ),
        },
    )
    found = problems(check(project, tmp_path / "out"))
    assert "unterminated variable reference" in found["a/compose.yaml"]
    assert {"b/compose.yaml", "c/compose.yaml", "d/compose.yaml", "e/compose.yaml"} <= set(found)


def test_helm_secrets_stay_hidden(tmp_path: Path) -> None:
    schema = (
        '{"properties": {"db": {"properties": {"password": {"type": "string", "minLength": 40, '
        '"pattern": "^x", "enum": ["a", "b"]}, "port": {"type": "integer"}}}}}'
    )
    tpl_chart = chart("tpl", values=f'greeting: "{{{{ .Values.user }}}} {MARKER} {{{{"\nuser: x\n')
    tpl_chart["tpl/templates/greeting.yaml"] = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: g\ndata:\n  g: {{ tpl .Values.greeting . | quote }}\n"
    )
    exec_chart = chart("tplexec", values=f'greeting: "{{{{ include \\"missing\\" . }}}} {MARKER}"\n')
    exec_chart["tplexec/templates/greeting.yaml"] = tpl_chart["tpl/templates/greeting.yaml"]
    fail_chart = chart("failing", values=f"password: {MARKER}\n")
    fail_chart["failing/templates/fail.yaml"] = '{{ fail (printf "bad password=%s" .Values.password) }}\n'
    dependency_chart = chart("deps")
    dependency_chart["deps/Chart.yaml"] += (
        "dependencies:\n"
        f"  - name: db\n    version: 1.0.0\n    repository: https://user:{MARKER}@charts.example.com/stable\n"
        f"  - name: cache\n    version: 1.0.0\n    repository: https://charts.example.com/?token={MARKER}\n"
    )
    project = write(
        tmp_path / "project",
        {
            **chart("schema", values=f"db:\n  password: {MARKER}\n  port: {MARKER}\n"),
            "schema/values.schema.json": schema,
            **tpl_chart,
            **exec_chart,
            **fail_chart,
            **dependency_chart,
        },
    )
    run = check(project, tmp_path / "out")
    render_problems = problems(run, "MD003")
    assert "db.password: must be at least 40 characters long" in render_problems["schema/values.schema.json"]
    assert "db.port: must be of type integer, not string" in render_problems["schema/values.schema.json"]
    messages = [finding["message"] for finding in report(run)["findings"] if finding["rule_id"] == "MD003"]
    assert any("cannot parse the text given to tpl" in message for message in messages)
    assert any("https://***@charts.example.com/stable" in message for message in messages)
    assert any("https://charts.example.com/?token=***" in message for message in messages)


@pytest.mark.parametrize(
    "remote",
    [
        f"https://ci:tok@en{MARKER}@git.example.com/device/app.git",
        f"https://git.example.com/device/app.git?private_token={MARKER}",
        f"https://{MARKER}@git.example.com/device/app.git",
        f"https://x-access-token:{MARKER}@git.example.com/device/app.git#access_token={MARKER}",
    ],
    ids=["userinfo-with-at", "query-token", "token-as-user", "fragment"],
)
def test_git_remote_credentials_stay_hidden(tmp_path: Path, remote: str) -> None:
    project = write(
        tmp_path / "project",
        {
            "Dockerfile": "FROM alpine:3.19\nUSER 1000\n",
            ".git/HEAD": "ref: refs/heads/main\n",
            ".git/refs/heads/main": "0123456789abcdef0123456789abcdef01234567\n",
            ".git/config": f'[remote "origin"]\n\turl = {remote}\n',
        },
    )
    run = check(project, tmp_path / "out")
    assert "git.example.com/device/app.git" in run.outputs["sarif"]


def test_kubernetes_secrets_stay_hidden(tmp_path: Path) -> None:
    project = write(
        tmp_path / "project",
        {
            "deploy.yaml": (
                "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n"
                f"    backup-url: https://admin:{MARKER}@backup.example.com/\nspec:\n  containers:\n"
                f"    - name: c\n      image: nginx:1.27\n      args: ['--password={MARKER}']\n"
                f"      env:\n        - name: DB_PASSWORD\n          value: {MARKER}\n"
            ),
            "secret.yaml": (
                f"apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\nstringData:\n  token: {MARKER}\n"
            ),
            "broken.yaml": f'apiVersion: v1\nkind: ConfigMap\ndata:\n  password: "{MARKER}\n',
        },
    )
    run = check(project, tmp_path / "out")
    assert report(run)["findings"]
