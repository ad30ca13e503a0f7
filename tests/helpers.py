from reports.services.drafts import report_save_draft, report_start
from reports.services.transitions import report_submit


def submit_report(*, township, period, clerk, parts, figures=None):
    """A report taken through start, save and submit by the real services, as a clerk would."""
    report = report_start(township=township, period=period, actor=clerk)
    report = report_save_draft(
        report=report,
        actor=clerk,
        base_version=report.version,
        parts=parts,
        figures=figures or {},
    )
    return report_submit(report=report, actor=clerk)


def stored_points(report, code: str) -> str:
    """The points stored for one indicator in the report's score, as the breakdown keeps them."""
    from reports.models import ReportScore

    breakdown = ReportScore.objects.get(report=report).breakdown
    return next(item["points"] for item in breakdown if item["code"] == code)
