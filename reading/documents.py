"""Reading an uploaded or local report document (.txt, .docx, .doc, .wps or a text PDF) into text,
refusing what is not one. .doc, .wps and PDF are converted in another process (reading.convert).

A .docx is a zip archive, so it is checked before parsing: size, number of entries, the total
uncompressed size and the compression ratio (a zip bomb expands a few KB into gigabytes).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

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


def check_upload(data: bytes, name: str) -> int:
    """Refuses at once what is no report (size, type, a damaged or bombed archive) without
    reading its text; returns how many bytes reading the text will parse (for a .docx, the
    declared size of its document part), so that the caller can leave long work to a queue."""
    limit = max_upload_bytes()
    if len(data) > limit:
        raise DocumentError(
            f"文件太大（{len(data) / 1048576:.1f} MB），请上传不超过 {limit // 1048576} MB 的文件。"
        )
    if not data.strip():
        raise DocumentError("文件是空的，请检查后重新上传。")
    suffix = _suffix(name)
    if suffix == "docx":
        _check_zip(data)
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return archive.getinfo("word/document.xml").file_size
    if suffix == "txt":
        return len(data)
    if suffix in CONVERTED:
        _check_converted(data, suffix)
        # Converting takes another process and seconds: always left to the task queue.
        return CONVERSION_COST
    raise DocumentError(UNSUPPORTED)


UNSUPPORTED = "只能上传 Word 文档（.docx 或 .doc）、WPS 文档（.wps）、PDF 文件（文字版）或纯文本文件（.txt）。"
CONVERTED = ("doc", "wps", "pdf")
CONVERSION_COST = 1 << 40


def _check_converted(data: bytes, suffix: str) -> None:
    """A .doc/.wps must be Word's binary format (or RTF, or a .docx renamed), a .pdf a PDF."""
    from .convert import OLE_MAGIC, PDF_MAGIC, RTF_MAGIC

    if suffix == "pdf":
        if not data.startswith(PDF_MAGIC):
            raise DocumentError("这不是 PDF 文件（文件已损坏或扩展名不对），请检查后重新上传。")
        return
    if data.startswith(b"PK"):
        _check_zip(data)
        return
    if not data.startswith((OLE_MAGIC, RTF_MAGIC)):
        raise DocumentError(
            f"这不是 Word/WPS 文档（.{suffix}），文件已损坏或扩展名不对，请在 Word 或 WPS 中"
            "另存为 .docx 后上传。"
        )


def _suffix(name: str) -> str:
    return name.lower().rsplit(".", 1)[-1] if "." in name else ""


def read_document(data: bytes, name: str) -> Document:
    """The text of a .txt, .docx, .doc, .wps or PDF file given as bytes; DocumentError with a
    Chinese message."""
    check_upload(data, name)
    suffix = _suffix(name)
    if suffix == "docx":
        return _read_docx(data)
    if suffix == "txt":
        text = _decode_text(data)
        if len(text) > max_text_chars():
            raise DocumentError(_too_long(len(text), max_text_chars()))
        return Document(text)
    if suffix in CONVERTED:
        return _read_converted(data, suffix)
    raise DocumentError(UNSUPPORTED)


def _read_converted(data: bytes, suffix: str) -> Document:
    from .convert import ConversionError, pdf_to_text, word_to_docx

    try:
        if suffix == "pdf":
            text = pdf_to_text(data)
            if len(text) > max_text_chars():
                raise DocumentError(_too_long(len(text), max_text_chars()))
            return Document(text)
        if data.startswith(b"PK"):  # a .docx saved under an old name
            return _read_docx(data)
        return _read_docx(word_to_docx(data, suffix))
    except ConversionError as exc:
        raise DocumentError(str(exc)) from exc


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


W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# Paragraphs (lines) a document may have; real reports have a few hundred.
MAX_PARAGRAPHS = 20_000
# Word's style part is small; a large one is no report's.
MAX_STYLES_BYTES = 5 * 1024 * 1024


class _Capped(io.RawIOBase):
    """A stream that refuses to give more than `limit` bytes: the decompressed size of a part is
    bounded while it is read, whatever the zip claims."""

    def __init__(self, raw: IO[bytes], limit: int, message: str):
        self.raw, self.left, self.message = raw, limit, message

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        chunk = self.raw.read(min(len(buffer), self.left + 1))
        if len(chunk) > self.left:
            raise DocumentError(self.message)
        self.left -= len(chunk)
        buffer[: len(chunk)] = chunk
        return len(chunk)


def _events(stream: io.RawIOBase, tags: tuple[str, ...]) -> Iterator[tuple[str, Any]]:
    """lxml's streaming parse, with nothing fetched or expanded (no DTD, no entities)."""
    from lxml import etree

    events: Iterator[tuple[str, Any]] = etree.iterparse(
        stream,
        events=("end",),
        tag=tags,
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
    )
    return events


def _style_names(archive: zipfile.ZipFile) -> dict[str, str]:
    """styleId → style name (「heading 1」, 「标题 1」), to tell Word's headings."""
    if "word/styles.xml" not in archive.namelist():
        return {}
    names: dict[str, str] = {}
    with archive.open("word/styles.xml") as raw:
        stream = _Capped(raw, MAX_STYLES_BYTES, "文件结构异常（样式部分过大），无法读取。")
        for _event, style in _events(stream, (f"{W}style",)):
            name = style.find(f"{W}name")
            if name is not None:
                names[style.get(f"{W}styleId", "")] = name.get(f"{W}val", "")
            style.clear()
    return names


def _paragraph_text(paragraph: Any) -> str:
    """A paragraph's text as Word shows it: runs' text, tabs and line breaks; deleted text (in
    w:delText) and field codes (w:instrText) are not text."""
    pieces = []
    for node in paragraph.iter(f"{W}t", f"{W}tab", f"{W}br", f"{W}cr", f"{W}noBreakHyphen"):
        if node.tag == f"{W}t":
            pieces.append(node.text or "")
        elif node.tag == f"{W}tab":
            pieces.append("\t")
        elif node.tag == f"{W}noBreakHyphen":
            pieces.append("-")
        else:
            pieces.append("\n")
    return "".join(pieces)


def _heading_level(paragraph: Any, text: str, styles: dict[str, str]) -> int | None:
    properties = paragraph.find(f"{W}pPr")
    if properties is None:
        return None
    style = properties.find(f"{W}pStyle")
    name = styles.get(style.get(f"{W}val", ""), "") if style is not None else ""
    for prefix in ("Heading ", "heading ", "标题 "):
        if name.startswith(prefix) and name[len(prefix) :].strip().isdigit():
            return int(name[len(prefix) :])
    if properties.find(f"{W}numPr") is not None and len(text) <= 40:
        return 9
    return None


def _bold_line(paragraph: Any, text: str) -> bool:
    """A short paragraph whose every run of text is bold: a heading written as a bold line."""
    if not text.strip() or len(text.strip()) > 40:
        return False
    runs = [run for run in paragraph.iter(f"{W}r") if run.find(f"{W}t") is not None]
    if not runs:
        return False
    for run in runs:
        properties = run.find(f"{W}rPr")
        bold = properties.find(f"{W}b") if properties is not None else None
        if bold is None or bold.get(f"{W}val", "true") in ("0", "false", "off"):
            return False
    return True


def _read_docx(data: bytes) -> Document:
    """Word's text, read as a stream: the decompressed document part, the number of paragraphs
    and the length of the text are bounded while reading, so no file makes unbounded work."""
    _check_zip(data)
    lines: list[str] = []
    headings: dict[int, int] = {}
    length = 0
    text_limit = max_text_chars()
    xml_limit = int(getattr(settings, "REPORT_DOCX_MAX_XML_BYTES", 20 * 1024 * 1024))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            styles = _style_names(archive)
            with archive.open("word/document.xml") as raw:
                stream = _Capped(
                    raw,
                    xml_limit,
                    "文件解压后异常巨大，超过了可以读取的上限，已拒绝读取。"
                    "请确认上传的是报告本身（可将报告另存为 .txt 后上传）。",
                )
                for _event, element in _events(stream, (f"{W}p", f"{W}tbl")):
                    parent = element.getparent()
                    if parent is None or parent.tag != f"{W}body":
                        continue
                    before = len(lines)
                    if element.tag == f"{W}p":
                        text = _paragraph_text(element)
                        level = _heading_level(element, text, styles)
                        if level is None and _bold_line(element, text):
                            level = 8
                        if level and text.strip():
                            headings[len(lines)] = level
                        lines.append(text)
                    else:
                        lines.extend(_table_lines(element))
                    length += sum(len(line) + 1 for line in lines[before:])
                    if len(lines) > MAX_PARAGRAPHS:
                        raise DocumentError(
                            f"文件段落过多（超过 {MAX_PARAGRAPHS:,} 段），不像一份年度报告，已拒绝读取。"
                        )
                    if length > text_limit:
                        raise DocumentError(_too_long(length, text_limit))
                    # What has been read is let go of: memory stays flat however long the file.
                    element.clear()
                    parent.remove(element)
    except DocumentError:
        raise
    except Exception as exc:  # lxml and zipfile raise many kinds for a damaged package
        raise DocumentError("文件已损坏，无法读取，请在 Word 中重新保存后上传。") from exc
    return Document("\n".join(lines), headings)


def _table_lines(table: Any) -> list[str]:
    """Each row of a table as one line, its cells joined by 「，」 (a merged cell once)."""
    lines = []
    for row in table.iterchildren(f"{W}tr"):
        cells: list[str] = []
        for cell in row.iterchildren(f"{W}tc"):
            value = "\n".join(_paragraph_text(p) for p in cell.iterchildren(f"{W}p")).strip()
            if value and (not cells or cells[-1] != value):
                cells.append(value)
        lines.append("，".join(cells))
    return lines


def max_text_chars() -> int:
    return int(getattr(settings, "REPORT_IMPORT_MAX_CHARS", 200_000))


def _too_long(length: int, limit: int) -> str:
    return (
        f"文件中的文字过多（超过 {limit // 10000} 万字），不像一份年度报告，已拒绝读取。"
        "请只上传报告正文。"
    )


def read_path(path: str | Path) -> Document:
    """A local file, for the command line."""
    path = Path(path)
    return read_document(path.read_bytes(), path.name)
