"""What a fix is, and what planners get to decide one.

A planner looks at one finding and the text it points at and answers with a `Proposal` (the YAML changes
or Dockerfile edits, and whether they are safe), a `Manual` (this finding needs a person, and why), or None
(the rule has no automatic fix for this kind of finding). Planners never guess a value: they only write
settings whose value the rule itself prescribes (`false`, `ALL`, `RuntimeDefault`, ...).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from medlint.findings import Finding
from medlint.fix.dockerfile_edit import DockerfileText, TextEdit
from medlint.fix.writer import FileText, UnsafePath, read_file
from medlint.fix.yaml_edit import YamlChange
from medlint.fix.yamldoc import DataLoader as _Loader
from medlint.fix.yamldoc import YamlFile, YamlPath, constructed_key

SAFE, UNSAFE = "safe", "unsafe"
APPLICABILITIES = (SAFE, UNSAFE)


@dataclass(frozen=True)
class Proposal:
    """A fix for one finding: YAML changes in the file the finding's object is written in, or Dockerfile edits."""

    applicability: str
    description: str
    changes: tuple[YamlChange, ...] = ()
    edits: tuple[TextEdit, ...] = ()


@dataclass(frozen=True)
class Manual:
    """The finding needs a person; `reason` says what stops an automatic fix.

    `invents` names the value a fix would have to make up ("digest", "user id"): such findings are
    summarised rather than listed one by one, since no automatic fix will ever exist for them.
    """

    reason: str
    invents: str = ""


@dataclass(frozen=True)
class PlannedFix:
    """A proposal bound to the file it edits (for Helm: the values file, not the template)."""

    finding: Finding
    applicability: str
    description: str
    path: str
    changes: tuple[YamlChange, ...] = ()
    edits: tuple[TextEdit, ...] = ()


MISSING = object()


@dataclass
class Site:
    """Where a finding sits in a YAML text: the file, the path of the located node, and data access."""

    yfile: YamlFile
    path: YamlPath
    _documents: list[Any] | None = field(default=None, repr=False)

    def data(self, path: YamlPath) -> Any:
        """The loaded value at a path (merge keys applied), or MISSING."""
        if self._documents is None:
            self._documents = list(yaml.load_all(self.yfile.text, Loader=_Loader))
        if not path or not isinstance(path[0], int) or path[0] >= len(self._documents):
            return MISSING
        node: Any = self._documents[path[0]]
        for length in range(2, len(path) + 1):
            step = path[length - 1]
            if isinstance(node, dict):
                key_node = self.yfile.key_node(path[:length])
                if key_node is None:
                    return MISSING
                key = constructed_key(key_node)
                if key not in node:
                    return MISSING
                node = node[key]
            elif isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node):
                node = node[step]
            else:
                return MISSING
        return node

    def mapping(self, path: YamlPath, *keys: str) -> Mapping[str, Any]:
        """The mapping below `path` at `keys`, or an empty mapping when absent or not a mapping."""
        node = self.data(path)
        for key in keys:
            node = node.get(key, MISSING) if isinstance(node, dict) else MISSING
        return node if isinstance(node, dict) else {}


class PlanContext:
    """What planners may read: the first run's report, project files (safely), rule parameters."""

    def __init__(
        self, report: Any, root: Path, params: Mapping[str, Mapping[str, Any]] | None = None
    ) -> None:
        self.report = report
        self.root = root
        self.findings: tuple[Finding, ...] = tuple(report.result.findings)
        self._params = params or {}
        self._texts: dict[str, FileText | UnsafePath] = {}
        self._yaml: dict[str, YamlFile | None] = {}
        self._dockerfiles: dict[str, DockerfileText] = {}
        self._rendered: dict[int, YamlFile | None] = {}
        #: Results planners compute once per run (for example the images built in the project).
        self.memo: dict[str, Any] = {}

    def file(self, path: str) -> FileText:
        """A project file's text; raises UnsafePath (links, outside the project, unreadable)."""
        cached = self._texts.get(path)
        if cached is None:
            try:
                cached = read_file(self.root, path)
            except UnsafePath as error:
                cached = error
            self._texts[path] = cached
        if isinstance(cached, UnsafePath):
            raise cached
        return cached

    def yaml(self, path: str) -> YamlFile | None:
        if path not in self._yaml:
            try:
                self._yaml[path] = YamlFile(self.file(path).text)
            except (yaml.YAMLError, UnsafePath, RecursionError):
                self._yaml[path] = None
        return self._yaml[path]

    def dockerfile(self, path: str) -> DockerfileText:
        if path not in self._dockerfiles:
            self._dockerfiles[path] = DockerfileText(self.file(path).text)
        return self._dockerfiles[path]

    def rendered(self, record: Any) -> YamlFile | None:
        """The YAML a Helm template rendered to (for locating a finding in a chart)."""
        key = id(record)
        if key not in self._rendered:
            try:
                self._rendered[key] = YamlFile(record.output)
            except (yaml.YAMLError, RecursionError):
                self._rendered[key] = None
        return self._rendered[key]

    def params(self, rule_id: str) -> dict[str, Any]:
        """A rule's parameters with the configuration's overrides and its data tables."""
        rule = self.report.pack.get(rule_id)
        if rule is None:
            return {}
        params: dict[str, Any] = {**rule.params, **self._params.get(rule_id, {})}
        params["tables"] = {name: self.report.pack.table(name) for name in rule.tables}
        return params

    def findings_at(self, path: str, line: int, rule_id: str) -> list[Finding]:
        return [
            finding
            for finding in self.findings
            if finding.rule_id == rule_id and finding.location.path == path and finding.location.line == line
        ]


#: A planner: (finding, located site or None, context) -> Proposal | Manual | None.
Planner = Callable[[Finding, Any, PlanContext], "Proposal | Manual | None"]
