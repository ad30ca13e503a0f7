"""Reading an uploaded or local report document (.txt or .docx) into text, refusing what is not one.

A .docx is a zip archive, so it is checked before parsing: size, number of entries, the total
uncompressed size and the compression ratio (a zip bomb expands a few KB into gigabytes).
"""

import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

MAX_ENTRIES = 2000
MAX_UNCOMPRESSED = 100 * 1024 * 1024
MAX_RATIO = 200
TEXT_ENCODINGS = ("utf-8-sig", "utf-16", "gb18030")


class DocumentError(ValueError):
    """A file that cannot be read as a report; the message is for the clerk."""


@dataclass
class Document:
    text: str
    # Paragraph numbers (lines of text) that Word styles as headings or numbers automatically,
    # with their level: the numbers themselves are not in the text then.
    heading_lines: dict[int, int] = field(default_factory=dict)


def max_upload_bytes() -> int:
    return getattr(settings, "REPORT_UPLOAD_MAX_BYTES", 5 * 1024 * 1024)


def read_document(data: bytes, name: str) -> Document:
    """The text of a .txt or .docx file given as bytes; DocumentError with a Chinese message."""
    limit = max_upload_bytes()
    if len(data) > limit:
        raise DocumentError(
            f"文件太大（{len(data) / 1048576:.1f} MB），请上传不超过 {limit // 1048576} MB 的文件。"
        )
    if not data.strip():
        raise DocumentError("文件是空的，请检查后重新上传。")
    suffix = name.lower().rsplit(".", 1)[-1] if "." in name else ""
    if suffix == "docx":
        return _read_docx(data)
    if suffix == "txt":
        return Document(_decode_text(data))
    if suffix == "doc":
        raise DocumentError("暂不支持旧版 Word 文档（.doc），请在 Word 中“另存为” .docx 后再上传。")
    raise DocumentError("只能上传 Word 文档（.docx）或纯文本文件（.txt）。")


def _decode_text(data: bytes) -> str:
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise DocumentError("这不是文本文件，请上传 .docx 或 .txt 格式的报告。")
    for encoding in TEXT_ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if encoding == "utf-16" and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
            continue
        return text
    raise DocumentError("无法识别文件的文字编码，请在记事本中“另存为” UTF-8 编码后再上传。")


def _check_zip(data: bytes) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise DocumentError(
            "文件已损坏或不是 Word 文档（.docx），请在 Word 中重新保存后上传。"
        ) from exc
    with archive:
        entries = archive.infolist()
        if len(entries) > MAX_ENTRIES:
            raise DocumentError("文件结构异常（包含的部件过多），无法读取。")
        total = sum(entry.file_size for entry in entries)
        packed = sum(entry.compress_size for entry in entries) or 1
        if total > MAX_UNCOMPRESSED or total / packed > MAX_RATIO:
            raise DocumentError("文件解压后异常巨大（疑似压缩炸弹），已拒绝读取。")
        if "word/document.xml" not in archive.namelist():
            raise DocumentError("这不是 Word 文档（.docx），请上传 .docx 或 .txt 格式的报告。")


def _read_docx(data: bytes) -> Document:
    _check_zip(data)
    import docx
    from docx.oxml.ns import qn

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises many kinds for a damaged package
        raise DocumentError("文件已损坏，无法读取，请在 Word 中重新保存后上传。") from exc
    lines: list[str] = []
    headings: dict[int, int] = {}
    body = document.element.body
    for child in body.iterchildren():
        if child.tag == qn("w:p"):
            paragraph = docx.text.paragraph.Paragraph(child, document)
            text = paragraph.text
            level = _heading_level(paragraph)
            if level and text.strip():
                headings[len(lines)] = level
            lines.append(text)
        elif child.tag == qn("w:tbl"):
            table = docx.table.Table(child, document)
            for row in table.rows:
                cells = []
                for cell in row.cells:
                    value = cell.text.strip()
                    if value and (not cells or cells[-1] != value):
                        cells.append(value)
                lines.append("，".join(cells))
    return Document("\n".join(lines), headings)


def _heading_level(paragraph) -> int | None:
    style = (paragraph.style.name if paragraph.style is not None else "") or ""
    for prefix in ("Heading ", "heading ", "标题 "):
        if style.startswith(prefix) and style[len(prefix) :].strip().isdigit():
            return int(style[len(prefix) :])
    properties = paragraph._p.pPr
    if properties is not None and properties.numPr is not None and len(paragraph.text) <= 40:
        return 9
    return None


def read_path(path) -> Document:
    """A local file, for the command line."""
    path = Path(path)
    return read_document(path.read_bytes(), path.name)
