"""A report's states and the moves between them: the one table that says which moves exist,
from where, to where, who makes them (the right each needs, org.access), what their buttons say,
what they ask before and report after, and whether they need a reason."""

from dataclasses import dataclass

from django.db import models

from org.access import Right


class ReportStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已报送"
    RETURNED = "returned", "已退回"
    APPROVED = "approved", "已通过"
    PUBLISHED = "published", "已公开"


class Action(models.TextChoices):
    SUBMIT = "submit", "报送"
    WITHDRAW = "withdraw", "撤回"
    RETURN = "return", "退回"
    APPROVE = "approve", "审核通过"
    PUBLISH = "publish", "公开"
    REOPEN = "reopen", "重新打开"


@dataclass(frozen=True)
class Move:
    action: str
    sources: frozenset[str]
    target: str
    right: Right  # what the actor needs at the report's township (org.access)
    button: str
    done: str  # told after the move
    confirm: str = ""  # asked before the move, if anything
    reason_label: str = ""  # set: a reason is required, asked with this label
    style: str = "outline-secondary"  # Bootstrap button style
    # A label of its own when made from this state (重新报送 after a return).
    button_from: tuple[tuple[str, str], ...] = ()

    @property
    def label(self) -> str:
        return Action(self.action).label

    @property
    def needs_reason(self) -> bool:
        return bool(self.reason_label)

    def button_for(self, status: str) -> str:
        return dict(self.button_from).get(status, self.button)


WORKFLOW: dict[str, Move] = {
    Action.SUBMIT: Move(
        Action.SUBMIT,
        frozenset({ReportStatus.DRAFT, ReportStatus.RETURNED}),
        ReportStatus.SUBMITTED,
        Right.WRITE,
        button="报送",
        button_from=((ReportStatus.RETURNED, "重新报送"),),
        done="报告已提交至县级审核。",
        confirm="提交后报告将报送县级审核，本乡镇不能再修改。确定提交吗？",
        style="success",
    ),
    # Only while no reviewer has acted on this round (checked by the service).
    Action.WITHDRAW: Move(
        Action.WITHDRAW,
        frozenset({ReportStatus.SUBMITTED}),
        ReportStatus.DRAFT,
        Right.WRITE,
        button="撤回报送",
        done="报告已撤回，可以继续修改。",
    ),
    Action.RETURN: Move(
        Action.RETURN,
        frozenset({ReportStatus.SUBMITTED}),
        ReportStatus.RETURNED,
        Right.REVIEW,
        button="退回修改",
        done="报告已退回乡镇修改，填报员将收到通知。",
        reason_label="退回理由（必填，填报员会看到）",
        style="outline-danger",
    ),
    Action.APPROVE: Move(
        Action.APPROVE,
        frozenset({ReportStatus.SUBMITTED}),
        ReportStatus.APPROVED,
        Right.REVIEW,
        button="审核通过",
        done="报告已审核通过。",
        style="success",
    ),
    Action.PUBLISH: Move(
        Action.PUBLISH,
        frozenset({ReportStatus.APPROVED}),
        ReportStatus.PUBLISHED,
        Right.REVIEW,
        button="公开报告",
        done="报告已公开，公众可以在公开页面查看。",
        confirm="公开后任何人都可以在公开页面阅读该报告。确定公开吗？",
        style="primary",
    ),
    Action.REOPEN: Move(
        Action.REOPEN,
        frozenset({ReportStatus.APPROVED, ReportStatus.PUBLISHED}),
        ReportStatus.RETURNED,
        Right.REOPEN,
        button="重新打开并退回",
        done="报告已重新打开并退回乡镇修改。",
        reason_label="重新打开的理由（必填）",
        style="outline-danger",
    ),
}
TRANSITIONS: dict[str, frozenset[str]] = {
    status: frozenset(move.target for move in WORKFLOW.values() if status in move.sources)
    for status in ReportStatus.values
}
# The township may change the text and figures.
EDITABLE_STATUSES = frozenset({ReportStatus.DRAFT, ReportStatus.RETURNED})
# Sent (已报送) at least once: the county has it, it counts as sent for 迟报, the reminders, the
# summaries and the copied-passage check, and the county's reviewers may read it. A returned
# report is still sent; it waits for the township's correction.
SENT_STATUSES = frozenset(
    {ReportStatus.SUBMITTED, ReportStatus.RETURNED, ReportStatus.APPROVED, ReportStatus.PUBLISHED}
)


def moves_from(status: str, rights: frozenset[Right]) -> list[Move]:
    """The moves possible from this state for someone with these rights, in table order."""
    return [move for move in WORKFLOW.values() if status in move.sources and move.right in rights]
