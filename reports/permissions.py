"""Who may see and do what, decided per object from the user's Membership (never from the URL)."""

from .models import WORKFLOW, Membership, Report, ReportStatus


def membership_of(user) -> Membership | None:
    if not user.is_authenticated:
        return None
    try:
        return user.membership
    except Membership.DoesNotExist:
        return None


def role_of(user) -> str | None:
    membership = membership_of(user)
    return membership.role if membership else None


def visible_reports_filter(user) -> dict | None:
    """Filter kwargs limiting reports to what the user may read; None means nothing at all."""
    membership = membership_of(user)
    if membership is None:
        return None
    if membership.role == Membership.Role.ADMIN:
        return {}
    if membership.role == Membership.Role.CLERK:
        return {"township_id": membership.township_id}
    if membership.role == Membership.Role.REVIEWER:
        # A draft is the township's unfinished work: the county sees it only once sent.
        return {"township__county_id": membership.county_id, "status__in": _sent_statuses()}
    return None


def _sent_statuses() -> list[str]:
    return [status for status in ReportStatus.values if status != ReportStatus.DRAFT]


def can_edit_report(user, report: Report) -> bool:
    membership = membership_of(user)
    return (
        membership is not None
        and membership.role == Membership.Role.CLERK
        and membership.township_id == report.township_id
    )


def acts_on_place(membership: Membership | None, report: Report) -> bool:
    """Whether this membership's place covers the report: its township, its county, or all."""
    if membership is None:
        return False
    if membership.role == Membership.Role.ADMIN:
        return True
    if membership.role == Membership.Role.CLERK:
        return membership.township_id == report.township_id
    if membership.role == Membership.Role.REVIEWER:
        return membership.county_id == report.township.county_id
    return False


def may_make(user, report: Report, action: str) -> bool:
    """Role and place allow the move (the report's state is the service's to check)."""
    membership = membership_of(user)
    return (
        membership is not None
        and membership.role in WORKFLOW[action].roles
        and acts_on_place(membership, report)
    )


def available_actions(user, report: Report) -> list[str]:
    """The moves to offer as buttons: allowed for this user and possible from the current state."""
    return [
        action
        for action, move in WORKFLOW.items()
        if report.status in move.sources and may_make(user, report, action)
    ]


def can_review(user, report: Report) -> bool:
    membership = membership_of(user)
    return (
        membership is not None
        and membership.role in (Membership.Role.REVIEWER, Membership.Role.ADMIN)
        and acts_on_place(membership, report)
    )
