"""Whether a Compose service runs to completion (a job) or keeps running (a server).

Decided from what its command does and from the role the service plays in its project, never from a list of
program names alone:
- the command's nature: a query or a task (`ip link show`, `manage.py migrate`, `npm run build`, `kafka-topics
  --create`), a shell script that ends with `exit` or runs only commands that end, against one that hands over
  to a server (`exec gunicorn`), loops forever (`while true`), follows a log (`tail -f`) or sleeps forever;
- its role: others wait for it to complete (`service_completed_successfully`), it is declared a job (a label,
  `deploy.mode: replicated-job`, an on-demand profile with `restart: "no"`), or its name says it is one
  (`db-init`, `migrate`, `seed`) while nothing says it serves (published ports, a healthcheck, services that
  depend on it running).
"""

from __future__ import annotations

import re

from medlint.checks.data.stores import CLIENT_PROGRAMS
from medlint.model import ComposeProject, ComposeService
from medlint.model.shell import command_name, shell_c_script, split_shell, split_words

FINITE, LASTING, UNKNOWN = "finite", "lasting", "unknown"

#: Words (a sub-command, or an option without its dashes) that ask a program for one answer: it then ends.
_QUERY_WORDS = frozenset(
    {"show", "list", "ls", "get", "status", "version", "help", "check", "inspect", "describe", "info"}
    | {"validate", "verify", "lint", "diff", "plan", "print", "whoami", "dry-run"}
)
#: Words that name a task, which ends when it is done.
_TASK_WORDS = frozenset(
    {"migrate", "migration", "migrations", "upgrade", "downgrade", "init", "initialize", "initdb", "setup"}
    | {"seed", "bootstrap", "install", "build", "compile", "generate", "collectstatic", "createsuperuser"}
    | {"backup", "restore", "dump", "load", "import", "sync", "provision", "apply", "create", "mb", "test"}
    | {"tests", "prune", "cleanup", "flush", "reindex", "db:migrate", "db:seed", "db:setup", "db:create"}
    | {"db:prepare", "wait-for", "wait-for-it", "healthcheck", "once", "oneshot", "one-shot", "pytest"}
    | {"tox", "jest", "mocha", "behave", "newman", "k6", "locust"}
)
#: Options that make an administrative command answer or act once (`kafka-topics --create`, `--version`).
_FINITE_OPTIONS = frozenset({"version", "help", "list", "describe", "create", "delete", "alter", "dry-run"})
#: Words that name serving: the program keeps running.
_LASTING_WORDS = frozenset(
    {"serve", "server", "start", "up", "daemon", "agent", "worker", "listen", "watch", "dev", "runserver"}
    | {"foreground", "consume", "consumer", "scheduler", "beat", "proxy", "gateway", "monitor"}
)
#: POSIX and core utilities: each does one thing to files, text or the network and ends.
_UTILITIES = frozenset(
    {"echo", "printf", "true", "false", "test", "[", "ls", "cat", "env", "date", "id", "whoami", "hostname"}
    | {"pwd", "uname", "chmod", "chown", "chgrp", "mkdir", "rmdir", "cp", "mv", "rm", "ln", "touch", "tr"}
    | {"cut", "sort", "head", "wc", "grep", "sed", "awk", "find", "tar", "gzip", "gunzip", "zcat", "unzip"}
    | {"base64", "sha256sum", "md5sum", "stat", "du", "df", "basename", "dirname", "readlink", "realpath"}
    | {"envsubst", "getent", "nslookup", "dig", "host", "openssl", "ssh-keygen", "seq", "expr", "curl"}
    | {"wget", "install", "ip", "exit", "export", "set", "cd", "source", ".", "mktemp", "sync"}
)
#: Name parts of a service that say it is a job.
_JOB_NAME_PARTS = frozenset(
    {"init", "initializer", "migrate", "migrator", "migration", "migrations", "setup", "seed", "seeder"}
    | {"bootstrap", "provision", "provisioner", "createbuckets", "job", "oneshot", "once", "wait"}
)
#: `while true; do`, `while :; do`, `while [ 1 ]`, `until false`, `for (( ; ; ))`: loops that never end.
_INFINITE_LOOP = re.compile(
    r"\b(?:while\s+(?:true|:|\[\s*(?:1|true)\s*\])|until\s+false)\s*;?\s*do\b|\bfor\s*\(\(\s*;\s*;\s*\)\)"
)
_LONG_SLEEP = 24 * 3600


def _positionals(arguments: list[str]) -> list[str]:
    return [word for word in arguments if not word.startswith("-")]


def _option_words(arguments: list[str]) -> list[str]:
    return [word.lstrip("-").split("=", 1)[0].lower() for word in arguments if word.startswith("-")]


def _name_parts(name: str) -> set[str]:
    base = name.rsplit("/", 1)[-1]
    base = re.sub(r"\.(sh|bash|py|js|ts|rb|pl)$", "", base.lower())
    return {part for part in re.split(r"[-_.:]+", base) if part}


def command_lifetime(words: list[str] | tuple[str, ...], depth: int = 0) -> str:
    """FINITE, LASTING or UNKNOWN for one command (a shell `-c` script is judged as a script)."""
    words = list(words)
    script = shell_c_script(words)
    if script is not None:
        return script_lifetime(script, depth + 1)
    program, index = command_name(words)
    if not program:  # only prefixes: `env` (with assignments) prints the environment and ends
        return FINITE if words and words[0].rsplit("/", 1)[-1] == "env" else UNKNOWN
    arguments = words[index + 1 :]
    positionals = [word.lower() for word in _positionals(arguments)]
    options = _option_words(arguments)
    if program == "sleep":
        return LASTING if any(_long_sleep(word) for word in positionals) else FINITE
    if program == "tail":
        follows = any(
            word in ("--follow", "-F") or (word.startswith("-") and not word.startswith("--") and "f" in word)
            for word in arguments
        )
        return LASTING if follows else FINITE
    if program == "ping":
        return FINITE if {"c", "count"} & set(options) else LASTING
    if program in ("nc", "netcat", "ncat"):
        return LASTING if {"l", "listen", "lk", "kl"} & set(options) else FINITE
    head = [(word, _name_parts(word)) for word in positionals[:3]]
    if any(word in _LASTING_WORDS or parts & _LASTING_WORDS for word, parts in head[:2]) or {
        "foreground",
        "daemon",
    } & set(options):
        return LASTING
    if (
        any(word in _QUERY_WORDS or word in _TASK_WORDS or parts & _TASK_WORDS for word, parts in head)
        or set(options) & _FINITE_OPTIONS
    ):
        return FINITE
    parts = _name_parts(program)
    if parts & _LASTING_WORDS:
        return LASTING
    if program in _UTILITIES or program in CLIENT_PROGRAMS or parts & _TASK_WORDS:
        return FINITE  # a utility, a data store's client (psql, mysqldump, redis-cli...) or a named task
    return UNKNOWN


def _long_sleep(word: str) -> bool:
    if word in ("infinity", "inf"):
        return True
    match = re.fullmatch(r"(\d+)([smhd]?)", word)
    if match is None:
        return False
    seconds = int(match.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}[match.group(2)]
    return seconds >= _LONG_SLEEP


def script_lifetime(script: str, depth: int = 1) -> str:
    """A shell script's lifetime: LASTING when it loops forever, follows a log, sleeps forever, waits for
    background jobs or ends by exec'ing a server; FINITE when it ends with `exit` or every command ends."""
    if depth > 4:
        return UNKNOWN
    if _INFINITE_LOOP.search(script):
        return LASTING
    try:
        commands = [command.words for command in split_shell(script) if command.words]
    except ValueError:
        return UNKNOWN
    if not commands:
        return UNKNOWN
    verdicts = [
        LASTING if words == ["wait"] else command_lifetime(words, depth)
        for words in commands
        if words[0] not in ("for", "case", "select")  # loop and case headers (the splitter keeps them)
    ]
    last = commands[-1]
    if last[0] in ("exit", "return"):
        return FINITE
    if LASTING in verdicts:
        return LASTING
    if last[0] == "exec" and verdicts and verdicts[-1] == UNKNOWN:
        return LASTING  # the script hands its process over to a program that is not a task: a server
    if all(verdict == FINITE for verdict in verdicts):
        return FINITE
    return UNKNOWN


def service_command(service: ComposeService) -> list[str]:
    """What the container runs as far as the Compose file says: `entrypoint` followed by `command`."""
    container = service.workload.containers[0]
    words = [word.value for word in (*container.command, *container.args)]
    if len(words) == 1 and " " in words[0].strip():
        try:
            return split_words(words[0])
        except ValueError:
            return words
    return words


def _serving(service: ComposeService, depended_on: set[str]) -> bool:
    """Signs that the service serves others: published or exposed ports, a healthcheck, or services that
    depend on it running (not only on its completion)."""
    definition = service.definition
    healthcheck = definition.get("healthcheck")
    has_healthcheck = healthcheck.is_map and not healthcheck.get("disable").plain()
    return bool(service.ports) or "expose" in definition or has_healthcheck or service.name in depended_on


def runs_to_completion(
    service: ComposeService, completed: set[str], depended_on: set[str], declared: bool
) -> bool:
    """Whether the service is a job that ends by itself, so that no restart policy is expected of it."""
    if service.name in completed or declared:
        return True
    words = service_command(service)
    verdict = command_lifetime(words) if words else UNKNOWN
    if verdict != UNKNOWN:
        return verdict == FINITE
    # Nothing tells from the command: a service whose name says it is a job, which runs a command of its own
    # or opts out of restarts, and that nothing depends on running, is one.
    restart = service.definition.get("restart")
    opts_out = restart.present and str(restart.plain()).lower() in ("no", "false")
    return (
        bool(_name_parts(service.name) & _JOB_NAME_PARTS)
        and (bool(words) or opts_out)
        and not _serving(service, depended_on)
    )


def dependencies(compose: ComposeProject) -> tuple[set[str], set[str]]:
    """(services others wait for to complete, services others need running)."""
    completed: set[str] = set()
    running: set[str] = set()
    for service in compose.services:
        for dependency in service.depends_on:
            target = completed if dependency.condition == "service_completed_successfully" else running
            target.add(dependency.service)
    return completed, running - completed
