from reports.templatetags.report_text import paragraphs


def test_each_line_is_a_paragraph_and_text_is_escaped():
    html = paragraphs("第一段。\r\n\r\n<script>alert(1)</script>\n  第三段 ")
    assert html == "<p>第一段。</p>\n<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n<p>第三段</p>"
    assert paragraphs("") == ""
