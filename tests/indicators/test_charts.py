"""Bar charts: bars as one SVG path, labels and values as HTML lines beside them."""

import re
from decimal import Decimal

from indicators.charts import BAR_WIDTH, ROW, bar_chart


def bars(html: str) -> list[float]:
    """Bar lengths in SVG units, in row order, from the one path's subpaths."""
    return [float(length) for length in re.findall(r"M0 \d+h([\d.]+)v", html)]


def test_labels_values_and_bars_line_up_row_by_row():
    html = bar_chart(
        [("莲池镇", Decimal("90")), ("东城街道", None), ("老城镇", Decimal("45.5"))],
        title="总分",
        maximum=Decimal(100),
        unit="分",
    )
    assert "<figcaption>总分</figcaption>" in html
    assert '<div class="chart-labels">莲池镇\n东城街道\n老城镇</div>' in html
    assert (
        '<div class="chart-values">90分\n<span class="chart-na">未填报</span>\n45.5分</div>' in html
    )
    assert html.count("<path") == 1 and "<text" not in html
    assert f'viewBox="0 0 {BAR_WIDTH} {3 * ROW}"' in html  # one row per item, 未填报 included
    assert bars(html) == [BAR_WIDTH * 0.9, BAR_WIDTH * 0.455]  # none for 未填报
    assert "M0 43h" in html  # the third bar sits in the third row


def test_text_is_escaped_and_no_style_attributes_for_the_csp():
    html = bar_chart([("<b>镇</b>", 1)], title='<script>"x"</script>', unit="&")
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;b&gt;镇&lt;/b&gt;" in html and "1&amp;" in html
    assert "style=" not in html


def test_values_are_rounded_and_the_longest_bar_fills_the_width_without_a_maximum():
    html = bar_chart([("甲", Decimal(1) / 3), ("乙", Decimal("0.5"))], title="比率")
    assert '<div class="chart-values">0.33\n0.5</div>' in html
    assert bars(html)[1] == BAR_WIDTH


def test_a_long_chart_is_cut_into_figures_for_pdf_pages():
    items = [(f"乡镇{i}", i) for i in range(1, 51)]
    html = bar_chart(items, title="报送率", maximum=100, rows_per_part=40)
    assert html.count("<figure") == 2
    assert (
        "<figcaption>报送率</figcaption>" in html
        and "<figcaption>报送率（续）</figcaption>" in html
    )
    first, second = html.split("</figure>")[:2]
    assert 'class="chart chart-tall"' in first and "乡镇40<" in first and "乡镇41" not in first
    assert 'class="chart"' in second and "乡镇41\n" in second  # 10 rows: shares a page
    assert bar_chart(items, title="报送率").count("<figure") == 1  # pages: one figure


def test_no_items():
    html = bar_chart([], title="总分")
    assert "<figcaption>总分</figcaption>" in html and "暂无数据" in html and "<svg" not in html
