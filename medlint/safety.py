"""Which IEC 62304 software safety class applies to a run, and why.

The class comes from the command line or configuration, else from the artifacts' `regulatory.iec62304.class`
labels (the system class is the highest item class), else Class C: IEC 62304 4.3 says Class C applies until
a class is assigned. The reason is printed in every report, since it decides every finding's level.
"""

from __future__ import annotations

from dataclasses import dataclass

from medlint.model import Project
from medlint.model.location import Location

CLASS_ORDER = {"A": 1, "B": 2, "C": 3}


@dataclass(frozen=True, slots=True)
class SafetyClassDecision:
    value: str
    reason: str
    source: Location | None = None
    #: Set by the command line or the configuration (not read from labels); checks then get it as a param.
    explicit: bool = False


def resolve_safety_class(
    project: Project, requested: str | None, requested_from: str = "--safety-class"
) -> SafetyClassDecision:
    if requested:
        return SafetyClassDecision(requested.upper(), f"set by {requested_from}", explicit=True)
    valid = [decl for decl in project.class_declarations if decl.value in CLASS_ORDER]
    if not valid:
        return SafetyClassDecision(
            "C",
            "no regulatory.iec62304.class label found; Class C applies until a class is assigned (IEC 62304 4.3)",
        )
    highest = max(valid, key=lambda decl: (CLASS_ORDER[decl.value], [-ord(c) for c in str(decl.location)]))
    others = len(valid) - 1
    extra = f" (highest of {len(valid)} declarations)" if others else ""
    return SafetyClassDecision(
        highest.value,
        f"from label regulatory.iec62304.class={highest.value} at {highest.location}{extra}",
        highest.location,
    )
