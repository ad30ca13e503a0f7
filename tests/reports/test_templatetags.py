from reports.templatetags.report_text import paragraphs


def test_each_line_is_a_paragraph_and_text_is_escaped():
    html = paragraphs("第一段。\r\n\r\n<script>alert(1)</script>\n  第三段 ")
    assert html == "<p>第一段。</p>\n<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n<p>第三段</p>"
    assert paragraphs("") == ""


def test_a_figures_note_says_last_year_and_the_change_escaped():
    from indicators.models import DataElement
    from indicators.plausibility import FigureFlag
    from reports.selectors.plausibility import FigureRow
    from reports.templatetags.badges import figure_plausibility

    element = DataElement(code="x", name="<b>场次</b>", unit="<场>")

    def note(value, previous, reasons=()):
        row = FigureRow(
            element=element, flag=FigureFlag(value, previous, None, reasons), check=None
        )
        return str(figure_plausibility(row, False))

    assert note(100, 10) == (
        '<div class="small text-muted figure-previous">上年：10 &lt;场&gt;，变化 <strong>+90</strong></div>'
    )
    assert note(5, 5).endswith("上年：5 &lt;场&gt;，变化 <strong>持平</strong></div>")
    assert note(5, None) == '<div class="small text-muted figure-previous">上年：未填报</div>'
    assert note(None, None) == ""
    flagged = note(100, 10, ("是上年（10）的 10 倍", "<i>多于</i>中位数"))
    assert flagged.startswith('<div class="small text-muted figure-previous">上年：10 &lt;场&gt;')
    assert "⚠ 请核实：是上年（10）的 10 倍；&lt;i&gt;多于&lt;/i&gt;中位数。</div>" in flagged
    assert figure_plausibility(None, False) == ""
