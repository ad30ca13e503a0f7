"""Bar charts drawn on the server: the same markup goes into pages and into PDFs.

The bars are one SVG path; the labels and values beside them are HTML lines of the same height as
a bar's row (official.css for PDFs, portal.css for pages). WeasyPrint lays out and draws every
letter of an SVG <text> on its own, so hundreds of SVG labels used to cost more than the rest of
a summary; two HTML blocks of lines cost little, and the text gets the document's own fonts.
No style attributes (the CSP forbids them) and no script: the browser stretches the SVG across
the space left (preserveAspectRatio="none") while its height, and so the rows, stay fixed.
"""

from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .scoring import fmt

ROW = 20  # px per bar: the line height of the labels and values (official.css, portal.css)
BAR = 14  # px, the bar's thickness, centred in its row
BAR_WIDTH = 360  # the SVG's user units across; PDFs draw it at that size in px


def _bars(items, top: Decimal) -> str:
    height = ROW * len(items)
    path = []
    for index, (_label, value) in enumerate(items):
        if value is None:
            continue
        length = max(float(min(Decimal(str(value)) / top, Decimal(1))) * BAR_WIDTH, 1)
        path.append(f"M0 {index * ROW + (ROW - BAR) // 2}h{length:.1f}v{BAR}h-{length:.1f}z")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart-bars" viewBox="0 0 {BAR_WIDTH} '
        f'{height}" width="{BAR_WIDTH}" height="{height}" preserveAspectRatio="none" '
        f'aria-hidden="true" focusable="false">'
        + (f'<path fill="#9b1c1c" d="{"".join(path)}"/>' if path else "")
        + "</svg>"
    )


def _value(value, unit: str) -> str:
    if value is None:
        return '<span class="chart-na">未填报</span>'
    number = Decimal(str(value)).quantize(Decimal("0.01"))
    return f"{escape(fmt(number))}{escape(unit)}"


def bar_chart(
    items: list[tuple[str, Decimal | float | int | None]],
    *,
    title: str,
    maximum: Decimal | float | None = None,
    unit: str = "",
    rows_per_part: int | None = None,
) -> SafeString:
    """Horizontal bars, one per (label, value), with the value after the bars; None is shown as
    未填报 without a bar. With rows_per_part (PDFs: the rows a page holds) a long chart is cut
    into figures that each fit a page, the later ones titled （续）, and a figure of more than half
    a page is marked chart-tall (official.css starts a page with it)."""
    known = [Decimal(str(v)) for _, v in items if v is not None]
    top = Decimal(str(maximum)) if maximum else (max(known) if known else Decimal(1))
    top = top or Decimal(1)
    size = rows_per_part or len(items) or 1
    parts = [items[start : start + size] for start in range(0, len(items), size)]
    html = []
    for number, part in enumerate(parts or [[]]):
        tall = rows_per_part is not None and len(part) > rows_per_part // 2
        html.append(
            f'<figure class="chart{" chart-tall" if tall else ""}"><figcaption>{escape(title)}'
            f"{'（续）' if number else ''}</figcaption>"
        )
        if not part:
            html.append('<p class="chart-na">暂无数据。</p></figure>')
            continue
        html.append(
            '<div class="chart-body"><div class="chart-labels">'
            + "\n".join(escape(label) for label, _ in part)
            + "</div>"
            + _bars(part, top)
            + '<div class="chart-values">'
            + "\n".join(_value(value, unit) for _, value in part)
            + "</div></div></figure>"
        )
    return mark_safe("".join(html))  # noqa: S308 - every label, value and title above is escaped


def totals_chart(ranking, county, period, rows_per_part: int | None = None) -> SafeString:
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
        rows_per_part=rows_per_part,
    )
