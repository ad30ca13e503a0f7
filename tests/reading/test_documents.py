"""Reading uploaded documents: Word and text files are read; anything else is refused in Chinese."""

import io
import random
import zipfile

import docx
import pytest
from django.test import override_settings

from reading.documents import DocumentError, read_document
from reading.extract import extract
from tests.reading.test_analysis import sample


def make_docx(text: str, *, heading_style: bool = True) -> bytes:
    """A Word file of a report: lines numbered 「一、」 become Heading 1 paragraphs whose number
    Word would draw itself, so the number is not in the text."""
    document = docx.Document()
    for line in text.splitlines():
        if heading_style and line[:2] in ("一、", "二、", "三、", "四、", "五、"):
            document.add_heading(line[2:], level=1)
        else:
            document.add_paragraph(line)
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "附表"
    table.rows[0].cells[1].text = "本表数据仅供参考"
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_docx_with_word_headings_reads_like_the_text():
    data = make_docx(sample("huatai-2023.txt"))
    document = read_document(data, "花台乡2023年报告.docx")
    assert "花台乡" in document.text
    assert "附表，本表数据仅供参考" in document.text  # tables are read too
    assert document.heading_lines  # Word's heading styles are passed on
    result = extract(document.text, hints=document.heading_lines)
    assert result.township == "花台乡"
    assert set(result.sections) == {"measures_and_results", "shortcomings", "next_year_plan"}
    assert result.metrics["disputes_mediated"].value == 90


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "utf-16"])
def test_text_files_in_the_encodings_offices_use(encoding):
    text = sample("lianchi-2023.txt")
    assert read_document(text.encode(encoding), "报告.TXT").text.strip() == text.strip()


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"%PDF-1.7 binary", "report.pdf", "文件已损坏或格式无法识别"),
        (b"\xd0\xcf\x11\xe0 old word", "report.doc", "这不是 Word/WPS 文档"),
        (b"plain words", "report.wps", "这不是 Word/WPS 文档"),
        (b"<html>a PDF in name only", "report.pdf", "这不是 PDF 文件"),
        (b"PK\x03\x04 cells", "report.xlsx", "只能上传 Word 文档（.docx 或 .doc）、WPS 文档"),
        (b"not a zip at all", "report.docx", "文件已损坏或不是 Word 文档"),
        (b"   \n ", "report.txt", "文件是空的"),
        (b"\x00\x01\x02\x03" * 100, "report.txt", "这不是文本文件"),
    ],
)
def test_files_that_are_not_reports_are_refused(data, name, message):
    with pytest.raises(DocumentError, match=message):
        read_document(data, name)


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_zip_bomb_is_refused_before_it_is_expanded():
    bomb = _zip({"word/document.xml": b"\0" * (150 * 1024 * 1024)})
    assert len(bomb) < 1024 * 1024
    with pytest.raises(DocumentError, match="压缩炸弹"):
        read_document(bomb, "report.docx")


def test_zip_that_is_not_a_word_file_is_refused():
    with pytest.raises(DocumentError, match="这不是 Word 文档"):
        read_document(_zip({"hello.txt": b"hello"}), "report.docx")


def test_damaged_word_file_is_refused():
    broken = _zip(
        {
            "[Content_Types].xml": b"<Types/>",
            "word/document.xml": b"<w:document><unclosed>",
        }
    )
    with pytest.raises(DocumentError, match="文件已损坏"):
        read_document(broken, "report.docx")


@override_settings(REPORT_UPLOAD_MAX_BYTES=1024)
def test_too_large_file_is_refused():
    with pytest.raises(DocumentError, match="文件太大"):
        read_document(b"x" * 2048, "report.txt")


def word_file(body_xml: str) -> bytes:
    """A minimal .docx whose document part is the given body."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "word/document.xml",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            f"<w:body>{body_xml}</w:body></w:document>",
        )
    return buffer.getvalue()


def noise(rng, length: int) -> str:
    """Chinese text that compresses like real text (repeated text passes no ratio check)."""
    return "".join(chr(rng.randint(0x4E00, 0x9FA5)) for _ in range(length))


def paragraph(text: str) -> str:
    return f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>"


@override_settings(REPORT_DOCX_MAX_XML_BYTES=300_000)
def test_a_document_part_larger_than_the_cap_is_refused_while_reading():
    """The 2.5 MB file whose document part is 95 MB (it passes the ratio check) made a worker
    read for 30 s; reading now stops at the cap, however much the part holds."""
    rng = random.Random(95)
    data = word_file("".join(paragraph(noise(rng, 30)) for _ in range(20_000)))  # ~1.9 MB
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.getinfo("word/document.xml").file_size > 1_000_000
    with pytest.raises(DocumentError, match="超过了可以读取的上限"):
        read_document(data, "报告.docx")


def test_too_many_paragraphs_are_refused():
    from reading.documents import MAX_PARAGRAPHS

    rng = random.Random(20)
    data = word_file("".join(paragraph(noise(rng, 2)) for _ in range(MAX_PARAGRAPHS + 1)))
    with pytest.raises(DocumentError, match="段落过多"):
        read_document(data, "报告.docx")


@override_settings(REPORT_IMPORT_MAX_CHARS=1000)
def test_text_longer_than_the_import_cap_is_refused():
    with pytest.raises(DocumentError, match="文字过多"):
        read_document(("法" * 1001).encode("gb18030"), "报告.txt")
    with pytest.raises(DocumentError, match="文字过多"):
        read_document(word_file(paragraph("法" * 600) * 2), "报告.docx")
    assert read_document(word_file(paragraph("法" * 600)), "报告.docx").text == "法" * 600


def test_entities_are_neither_fetched_nor_expanded(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("机密内容", encoding="utf-8")
    body = paragraph("正文&xxe;&lol;")
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<!DOCTYPE d [<!ENTITY xxe SYSTEM "file://{secret}"><!ENTITY lol "哈哈哈哈哈哈哈哈">]>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        f"<w:body>{body}</w:body></w:document>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", xml)
    try:
        text = read_document(buffer.getvalue(), "报告.docx").text
    except DocumentError:
        return  # refused outright is as good
    assert "机密内容" not in text and "哈哈" not in text


def test_a_heading_written_as_a_bold_line_heads_its_part():
    document = docx.Document()
    document.add_paragraph("某镇2023年法治政府建设情况报告")
    for heading, body in [
        ("一年来的工作，主要做法", "全年调解矛盾纠纷34件次，普法宣传活动12场。"),
        ("问题和不足，原因分析", "执法力量薄弱，队伍专业化程度不高。"),
        ("下步打算，努力方向", "加强执法队伍建设，深化普法宣传。"),
    ]:
        document.add_paragraph().add_run(heading).bold = True
        document.add_paragraph(body)
    buffer = io.BytesIO()
    document.save(buffer)
    read = read_document(buffer.getvalue(), "报告.docx")
    result = extract(read.text, hints=read.heading_lines)
    assert list(result.sections) == ["measures_and_results", "shortcomings", "next_year_plan"]
    assert result.sections["shortcomings"] == "执法力量薄弱，队伍专业化程度不高。"
