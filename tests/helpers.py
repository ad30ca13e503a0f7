from reports.services import report_save_draft, report_start, report_submit


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
