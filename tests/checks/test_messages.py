"""Messages must be true: what a finding says about the build or the data must hold for the files scanned.

MD301 says where a build variable's value goes (ENV: the image configuration; ARG: the history of the RUNs
that use it); MD306 names only what a context without an ignore file really holds; MD701 names the data
directory of the image's major version (rules/data/data-paths.yaml).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from medlint.api import lint


def _messages(root: Path, files: dict[str, str], rule: str) -> list[str]:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    report = lint(["."], cwd=root, safety_class="C")
    return sorted(finding.message for finding in report.result.findings if finding.rule_id == rule)


def test_md301_says_an_arg_is_in_the_run_history_and_an_env_in_the_configuration(tmp_path: Path) -> None:
    messages = _messages(
        tmp_path,
        {"Dockerfile": "FROM alpine:3.20\nARG NPM_TOKEN\nARG DB_PASSWORD=changeme\nENV API_SECRET=abc123\n"},
        "MD301",
    )
    assert messages == [
        "ARG declares the secret-like variable NPM_TOKEN; a value passed with --build-arg is recorded in the "
        "build history of every RUN that uses it.",
        "ARG sets the secret-like variable DB_PASSWORD; its default is in the Dockerfile and is recorded in the "
        "build history of every RUN that uses it.",
        "ENV sets the secret-like variable API_SECRET; its value is stored in the image configuration and history.",
    ]
    assert not any("image config" in message for message in messages if message.startswith("ARG"))


@pytest.mark.parametrize(
    "extra, says",
    [
        ({}, "so nothing keeps .git, .env files or keys out of the build"),
        ({".git/HEAD": "ref: refs/heads/main\n"}, "so its .git enters the build"),
        ({".env": "A=1\n", "certs/server.key": "-"}, "so its .env files and keys enter the build"),
        ({".git": "gitdir: ../.git/worktrees/app\n", ".env.example": "A=\n"}, "so its .git enters the build"),
    ],
)
def test_md306_names_only_what_the_context_holds(tmp_path: Path, extra: dict[str, str], says: str) -> None:
    files = {"app/Dockerfile": "FROM alpine:3.20\nCOPY . /app\n", "app/main.py": "print()\n"}
    files.update({f"app/{name}": text for name, text in extra.items()})
    (tmp_path / "app").mkdir()
    messages = _messages(tmp_path, files, "MD306")
    ignore_file = [message for message in messages if "copies its whole build context" in message]
    assert len(ignore_file) == 1 and ignore_file[0].endswith(says + "."), ignore_file


def test_md701_names_the_data_directory_of_the_images_major_version(tmp_path: Path) -> None:
    compose = (
        "services:\n"
        "  old:\n    image: postgres:17.6\n"
        "  new:\n    image: postgres:18.1\n    volumes: [new-data:/var/lib/postgresql/data]\n"
        "volumes:\n  new-data:\n"
    )
    messages = _messages(tmp_path, {"compose.yaml": compose}, "MD701")
    assert [m.split(" keeps its data directory ")[1].split(" ")[0] for m in messages] == [
        "/var/lib/postgresql/18/docker",
        "/var/lib/postgresql/data",
    ]


def test_configured_data_stores_may_have_paths_per_version() -> None:
    from medlint.checks.data.stores import data_store_table
    from medlint.model.images import parse_image_reference
    from medlint.source import Location

    params = {
        "extra_data_stores": [
            {
                "name": "VendorDB",
                "images": ["vendor/db"],
                "data_paths": [
                    {"paths": ["/var/lib/vdb"], "until": 4},
                    {"paths": ["/srv/vdb/{major}"], "from": 5},
                ],
            }
        ]
    }
    store = data_store_table(params)[0]
    image = parse_image_reference("vendor/db:5.2", Location("x"))
    assert store.name == "VendorDB" and store.paths_for(store.major_of(image)) == ("/srv/vdb/5",)
