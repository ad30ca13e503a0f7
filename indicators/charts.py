"""Bar charts drawn as SVG on the server: the same markup goes into pages and into PDFs."""

from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .scoring import fmt

ROW = 20
LABEL_WIDTH = 120
BAR_WIDTH = 360
VALUE_WIDTH = 60


def bar_chart(
    items: list[tuple[str, Decimal | float | int | None]],
    *,
    title: str,
    maximum: Decimal | float | None = None,
    unit: str = "",
) -> SafeString:
    """Horizontal bars, one per (label, value); None is drawn as 未填报 without a bar."""
    known = [Decimal(str(v)) for _, v in items if v is not None]
    top = Decimal(str(maximum)) if maximum else (max(known) if known else Decimal(1))
    top = top or Decimal(1)
    height = 28 + ROW * len(items) + 6
    width = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'aria-label="{escape(title)}">',
        f'<text x="0" y="16" font-size="13" font-weight="bold">{escape(title)}</text>',
    ]
    for index, (label, value) in enumerate(items):
        y = 28 + index * ROW
        parts.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{y + 14}" font-size="11" text-anchor="end">'
            f"{escape(label)}</text>"
        )
        if value is None:
            parts.append(
                f'<text x="{LABEL_WIDTH + 4}" y="{y + 14}" font-size="11" fill="#888">未填报</text>'
            )
            continue
        length = float(min(Decimal(str(value)) / top, Decimal(1))) * BAR_WIDTH
        parts.append(
            f'<rect x="{LABEL_WIDTH}" y="{y + 3}" width="{max(length, 1):.1f}" height="{ROW - 6}" '
            f'fill="#9b1c1c"/>'
        )
        parts.append(
            f'<text x="{LABEL_WIDTH + length + 4:.1f}" y="{y + 14}" font-size="11">'
            f"{escape(fmt(Decimal(str(value))))}{escape(unit)}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every label and value above is escaped


def totals_chart(ranking, county, period) -> SafeString:
    """The ranking's totals as bars, best first: on the ranking page and in the county PDF."""
    ranked = sorted(
        (row for row in ranking.rows if row.score is not None and not row.provisional),
        key=lambda row: -row.score.total,
    )
    return bar_chart(
        [(row.township.name, row.score.total) for row in ranked],
        title=f"{county}{period.year}年度各乡镇（街道）总分",
        maximum=Decimal(100),
        unit="分",
    )
