from django import template
from django.utils.html import format_html_join

from reading.sections import SECTIONS_BY_KEY
from reports.models import ReviewComment

register = template.Library()


@register.filter
def paragraphs(text: str):
    """Each non-blank line as its own paragraph, as official reports are set (first-line indent)."""
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    return format_html_join("\n", "<p>{}</p>", ((line,) for line in lines))


@register.filter
def thread_id(target: str) -> str:
    return ReviewComment.anchor(target)


@register.filter
def section_heading(key: str) -> str:
    """「一、上一年度……」 for a part key."""
    section = SECTIONS_BY_KEY.get(key)
    return f"{section.number}、{section.heading}" if section else key
