"""Helm's ``.Files`` object over an in-memory mapping.

Path safety: :class:`ChartFiles` only ever looks names up in the mapping it was
given (chart-relative path -> bytes).  It never opens, stats or globs the file
system, so ``.Files.Get "../../etc/passwd"`` can only return what the chart
loader chose to put in the mapping - it returns ``""`` like any missing file.
The chart loader decides what belongs there (Helm leaves out ``templates/``,
``Chart.yaml``, ``values.yaml``, ``.helmignore``d paths and so on).

The object is a ``dict`` so templates can ``range`` over it (path -> bytes, in
sorted order like any Go map); its Go methods (``Get``, ``GetBytes``,
``Glob``, ``Lines``, ``AsConfig``, ``AsSecrets``) must win over key lookup,
as they do in Go's text/template.
"""

from __future__ import annotations

import base64
import posixpath
from collections.abc import Iterable, Mapping
from typing import Any

from medlint.helm.functions.reflect import FunctionError, arg_string
from medlint.helm.functions.yamljson import to_yaml
from medlint.model.globs import BadPattern, gobwas_glob

__all__ = ["ChartFiles"]


class ChartFiles(dict):
    """Helm's ``files`` type (``map[string][]byte``) with its template methods."""

    go_type_name = "engine.files"
    go_kind = "map"

    def __init__(self, files: Mapping[str, bytes] | Iterable[tuple[str, bytes]] = ()) -> None:
        super().__init__(files)

    def GetBytes(self, name: Any) -> bytes:
        """The file's bytes, or empty bytes when it is not in the chart."""
        return self.get(arg_string(name), b"")

    def Get(self, name: Any) -> str:
        """The file's content as a string, or ``""`` when it is not in the chart."""
        return self.GetBytes(name).decode("utf-8", "replace")

    def Glob(self, pattern: Any) -> ChartFiles:
        """The files whose chart-relative path matches the glob (an invalid glob matches all, as in Helm).

        The pattern comes from the chart: it is matched by an automaton (medlint.model.globs), never by a
        backtracking regular expression.
        """
        try:
            matcher = gobwas_glob(arg_string(pattern))
        except BadPattern:
            return ChartFiles(self.items())
        return ChartFiles((name, data) for name, data in self.items() if matcher.matches(name))

    def Lines(self, name: Any) -> list[str]:
        """The file split into lines (one trailing newline ignored); ``[]`` when missing."""
        path = arg_string(name)
        if path not in self:
            return []
        text = self[path].decode("utf-8", "replace")
        if not text:
            raise FunctionError("runtime error: index out of range [-1]")
        if text.endswith("\n"):
            text = text[:-1]
        return text.split("\n")

    def AsConfig(self) -> str:
        """A ConfigMap ``data`` body: base file name -> content, as toYaml."""
        return to_yaml({posixpath.basename(k): v.decode("utf-8", "replace") for k, v in self.items()})

    def AsSecrets(self) -> str:
        """A Secret ``data`` body: base file name -> base64 content, as toYaml."""
        return to_yaml({posixpath.basename(k): base64.b64encode(v).decode("ascii") for k, v in self.items()})

    def go_json(self) -> dict[str, str]:
        """encoding/json of map[string][]byte: values base64-encoded."""
        return {k: base64.b64encode(v).decode("ascii") for k, v in self.items()}
