"""The evidence report's SOUP producer: each system's SOUP inventory (medlint.sbom.soup) as section 8's rows.

The items are those `medlint sbom` writes (same components, same derivations, the values a supplied SBOM
carries taking the place of derived ones), so the report and the SBOM never disagree. The system's own
software is not SOUP and is not listed. Nothing is read here: supplied SBOMs were read before the rules ran.
"""

from __future__ import annotations

from medlint.report import Report
from medlint.report.evidence.model import SoupRow


def inventory_rows(report: Report) -> tuple[SoupRow, ...]:
    """One row per SOUP component of each system of the report (a `SoupProducer`)."""
    from medlint.sbom.soup import soup_items  # imported only when an evidence report is written

    return tuple(
        SoupRow(
            name=item.component,
            version=item.version,
            supplier=item.supplier,
            scope=item.scope,
            level_of_support=item.level_of_support,
            end_of_support=item.end_of_support,
            sbom_covered=item.covered,
            location=item.location,
            kind=item.kind,
            system=item.system,
        )
        for item in soup_items(report)
    )
