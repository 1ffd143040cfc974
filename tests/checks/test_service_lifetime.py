"""Whether a Compose service runs to completion, from its command's nature (MD405's one-shot exemption)."""

from __future__ import annotations

import pytest

from medlint.checks.service_lifetime import FINITE, LASTING, UNKNOWN, command_lifetime


@pytest.mark.parametrize(
    "words, lifetime",
    [
        (["ip", "link", "show"], FINITE),
        (["kubectl", "get", "pods"], FINITE),
        (["python", "manage.py", "migrate"], FINITE),
        (["alembic", "upgrade", "head"], FINITE),
        (["npm", "run", "build"], FINITE),
        (["npm", "test"], FINITE),
        (["./scripts/seed-data.sh"], FINITE),
        (["/app/bin/upgrade-db", "--all"], FINITE),
        (["kafka-topics", "--bootstrap-server", "k:9092", "--create", "--topic", "t"], FINITE),
        (["psql", "-h", "db", "-f", "/init.sql"], FINITE),
        (["curl", "-fsS", "http://api/ready"], FINITE),
        (["ping", "-c", "1", "db"], FINITE),
        (["nc", "-z", "db", "5432"], FINITE),
        (["sleep", "5"], FINITE),
        (["env"], FINITE),
        (["sh", "-c", "migrate && exit"], FINITE),
        (["sh", "-c", "echo start; chown -R 1000 /data; exit 0"], FINITE),
        (["sh", "-c", "until pg_isready -h db; do sleep 1; done; ./migrate.sh"], FINITE),
        (["sh", "-c", "if [ -t 0 ]; then echo tty; else echo none; fi"], FINITE),
        (["sh", "-c", "return 111"], FINITE),
        (["npm", "start"], LASTING),
        (["npm", "run", "dev"], LASTING),
        (["node", "server.js"], LASTING),
        (["redis-server", "--appendonly", "yes"], LASTING),
        (["celery", "-A", "app", "worker"], LASTING),
        (["celery", "-A", "app", "beat"], LASTING),
        (["python", "manage.py", "runserver", "0.0.0.0:8000"], LASTING),
        (["sleep", "infinity"], LASTING),
        (["sleep", "86400"], LASTING),
        (["tail", "-f", "/dev/null"], LASTING),
        (["tail", "-F", "/var/log/app.log"], LASTING),
        (["ping", "db"], LASTING),
        (["nc", "-lk", "8080"], LASTING),
        (["sh", "-c", "while true; do date; sleep 60; done"], LASTING),
        (["sh", "-c", "while :; do sleep 1; done"], LASTING),
        (["sh", "-c", "migrate && exec gunicorn app:app"], LASTING),
        (["sh", "-c", "nginx; wait"], LASTING),
        (["nodemon", "--inspect=0.0.0.0", "index.js"], UNKNOWN),
        (["gunicorn", "app:app"], UNKNOWN),
        (["java", "-jar", "/app.jar"], UNKNOWN),
        (["docker-entrypoint.sh", "postgres"], UNKNOWN),
    ],
)
def test_command_lifetime(words: list[str], lifetime: str) -> None:
    assert command_lifetime(words) == lifetime
