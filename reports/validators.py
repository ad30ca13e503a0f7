"""What typed text may contain: the one rule for every text field of a report, a comment, an
answer or a reason. Messages are for the user, next to the field."""

import re
import unicodedata
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ValidationError

CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _combining_run_too_long(text: str, limit: int) -> int | None:
    """Where a run of more than `limit` combining marks starts (the 「Z̷̛̮a̸l̴g̵o̶」 kind that
    makes renderers work without end); None when there is none."""
    run = 0
    for index, char in enumerate(text):
        if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me"):
            run += 1
            if run > limit:
                return index - run + 1
        else:
            run = 0
    return None


def text_problem(text: str, *, max_chars: int) -> str | None:
    """Why this text cannot be stored (a Chinese message), or None."""
    if len(text) > max_chars:
        return (
            f"内容过长（{len(text):,} 字），最多 {max_chars:,} 字。请删减后再保存；"
            "您填写的内容都还在。"
        )
    control = CONTROL_CHARACTERS.search(text)
    if control:
        return (
            f"第 {control.start() + 1:,} 个字处有无法识别的控制字符（例如从其他软件复制带来的），"
            "请删除后再保存。"
        )
    run = _combining_run_too_long(text, settings.TEXT_MAX_COMBINING_RUN)
    if run is not None:
        return (
            f"第 {run + 1:,} 个字处连续叠加了过多的组合符号（如声调、变音符号），请删除后再保存。"
        )
    return None


def part_problem(text: str) -> str | None:
    return text_problem(text, max_chars=settings.REPORT_PART_MAX_CHARS)


def validate_part(text: str) -> None:
    """Form validator for a report part."""
    problem = part_problem(text)
    if problem:
        raise ValidationError(problem, code="text")


def validate_short_text(max_chars: int) -> Callable[[str], None]:
    def validate(text: str) -> None:
        problem = text_problem(text, max_chars=max_chars)
        if problem:
            raise ValidationError(problem, code="text")

    return validate
