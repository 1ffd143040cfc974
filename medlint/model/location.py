"""Source positions: the place in a file that a model value, and so a finding, points at.

A position in a rendered Helm chart is a line of a template file; it also carries its `HelmOrigin`: the
values set of the render and the values-file keys read while that line was written, so a finding can say
which values to change.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from medlint.model.text_enum import TextEnum


@dataclass(frozen=True, slots=True)
class ValuesKey:
    """A key of a values file that fed a rendered line (`values-prod.yaml: securityContext.runAsUser`)."""

    location: Location  # where the key is written in the values file
    key: str  # the dotted path from the file's root, list indexes in brackets


class RenderInput(TextEnum):
    """What a template expression read to write a rendered value (`HelmOrigin.inputs`)."""

    VALUES = "values"  # `.Values`: the chart's defaults and the values files and `--set` of the render
    RELEASE = "release"  # `.Release`: the release name and namespace given at install time
    FILES = "files"  # `.Files`: files committed in the chart
    CLUSTER = "cluster"  # `lookup`: objects read from the cluster at install time
    GENERATED = "generated"  # random and generated data: `randAlphaNum`, `genCA`, `uuidv4`, `now`...
    DATA = "data"  # a variable, dot or another field, whose own source this position does not tell


@dataclass(frozen=True, slots=True)
class HelmOrigin:
    """Where a position of a rendered chart came from: the template line, the values set and values keys,
    and how the text there was written: literal template text, or the output of a template expression
    (`{{ ... }}`) with what that expression read."""

    template: str  # repository-relative template file
    line: int  # the line in that template
    values_set: str  # the render: `values.yaml`, or `values-prod.yaml` applied on top of it
    values_keys: tuple[ValuesKey, ...] = ()  # the values read while the line was written, most specific
    chart: str = ""  # the chart directory that was rendered
    template_name: str = ""  # the template as Helm names it (`mychart/templates/deployment.yaml`)
    rendered_line: int = 0  # the 0-based line of that template's rendered output
    expression: bool = False  # some of the text was written by a template expression, not literally
    inputs: frozenset[RenderInput] = frozenset()  # what those expressions read (none: constants only)

    @property
    def literal(self) -> bool:
        """Written in the chart itself: literal template text, or expressions of constants (and of files
        committed in the chart) alone, never values, release data, the cluster or generated data."""
        return not self.expression or self.inputs <= {RenderInput.FILES}


@dataclass(frozen=True, slots=True, order=True)
class Location:
    """A 1-based line/column span in a repository-relative file (POSIX separators).

    `helm` is set on positions of rendered Helm objects; it does not take part in comparisons, so a finding
    is identified by its place alone.
    """

    path: str
    line: int = 1
    column: int = 1
    end_line: int = 0
    end_column: int = 0
    helm: HelmOrigin | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        # End positions may never precede the start (SARIF consumers reject that).
        if self.end_line < self.line:
            object.__setattr__(self, "end_line", self.line)
        if self.end_line == self.line and self.end_column < self.column:
            object.__setattr__(self, "end_column", self.column)

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"
