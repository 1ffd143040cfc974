"""Which IEC 62304 software safety class applies to a run (or to one system of it), and why.

The class comes from the command line or configuration, else from the artifacts' `regulatory.iec62304.class`
labels (the system class is the highest item class), else Class C: IEC 62304 4.3 says Class C applies until
a class is assigned. The resolution itself is medlint.model.regulatory's, which MD902 shares, so the class
that selects the levels is the class MD902 judges. The reason is printed in every report, since it decides
every finding's level.
"""

from __future__ import annotations

from dataclasses import dataclass

from medlint.model import Project
from medlint.model.location import Location
from medlint.model.regulatory import CLASS_ORDER, ClassResolution, resolve_classes

__all__ = ["CLASS_ORDER", "SafetyClassDecision", "resolve_safety_class"]


@dataclass(frozen=True, slots=True)
class SafetyClassDecision:
    value: str
    reason: str
    source: Location | None = None
    #: Set by the command line or the configuration (not read from labels); checks then get it as a param.
    explicit: bool = False
    #: How every declaration of the system relates to the class (per-item levels read it); None when unknown.
    resolution: ClassResolution | None = None


def resolve_safety_class(
    project: Project, requested: str | None, requested_from: str = "--safety-class"
) -> SafetyClassDecision:
    resolution = resolve_classes(project.declarations, requested)
    if requested:
        return SafetyClassDecision(
            requested.upper(), f"set by {requested_from}", explicit=True, resolution=resolution
        )
    if resolution.assumed:
        return SafetyClassDecision(
            "C",
            "no regulatory.iec62304.class label found; Class C applies until a class is assigned (IEC 62304 4.3)",
            resolution=resolution,
        )
    located = [carrier.iec_class for carrier in resolution.carriers if carrier.iec_class is not None]
    first = min(located, key=lambda item: str(item.location))
    count = resolution.valid_count
    extra = f" (highest of {count} declarations)" if count > 1 else ""
    return SafetyClassDecision(
        resolution.value,
        f"from label regulatory.iec62304.class={resolution.value} at {first.location}{extra}",
        first.location,
        resolution=resolution,
    )
