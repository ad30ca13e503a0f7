"""佐证材料 as the pages show them: by the figure or part they support."""

from django.db.models import QuerySet

from reportportal.db import FixedQuery

from ..models import Evidence, Report
from .stamps import report_has


def report_evidence(report: Report) -> QuerySet[Evidence]:
    return Evidence.objects.filter(report=report).select_related("uploaded_by")


# The review and evidence pages' read, compiled once (reportportal.db.FixedQuery).
_EVIDENCE = FixedQuery(
    lambda report_id: Evidence.objects.filter(report_id=report_id).select_related("uploaded_by")
)


def evidence_by_target(report: Report) -> dict[str, list[Evidence]]:
    """target ("fig:<code>" or a part key) → its files, in one query (none when this request's
    stamp of the report found no files)."""
    grouped: dict[str, list[Evidence]] = {}
    if not report_has(report.pk, "evidence"):
        return grouped
    for evidence in _EVIDENCE(report.pk):
        grouped.setdefault(evidence.target, []).append(evidence)
    return grouped
