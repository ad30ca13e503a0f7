from django import template
from django.utils.html import format_html_join

register = template.Library()


@register.filter
def paragraphs(text: str):
    """Each non-blank line as its own paragraph, as official reports are set (first-line indent)."""
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    return format_html_join("\n", "<p>{}</p>", ((line,) for line in lines))
