"""The files clerks actually have: old Word (.doc), WPS Office (.wps) and text PDFs, converted in a
separate process with time, memory and output limits.

- .doc and .wps go through LibreOffice headless (Debian's libreoffice-writer-nogui) into .docx,
  which reading.documents then reads like any upload (headings included). WPS Office writes its
  .wps files in Word's binary format, which LibreOffice reads as such.
- A PDF goes through pdftotext (poppler-utils); its lines, broken where the page ended them, are
  joined back into paragraphs. A scanned PDF has no text layer and is refused, saying so.

Each converter runs with its own empty profile in a temporary folder, in its own session (killed
whole on time-out), with limits on address space, CPU time and the size of files it writes.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import tempfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from django.conf import settings

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Word 97–2003 and WPS Office's .wps
RTF_MAGIC = b"{\\rtf"
PDF_MAGIC = b"%PDF-"
MAX_PDF_PAGES = 200
# Characters of text per page below which a PDF is taken for a scan (pictures of pages).
MIN_CHARS_PER_PAGE = 20


class ConversionError(ValueError):
    """A file the converter refused or could not read; the message is for the clerk."""


def _limit(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def _limits(memory: int, seconds: int, output: int) -> Callable[[], None]:
    def apply() -> None:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds))
        resource.setrlimit(resource.RLIMIT_FSIZE, (output, output))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    return apply


def _run(command: list[str], *, folder: Path, memory: int, seconds: int, output: int) -> None:
    """Runs a converter bounded in time (wall and CPU), memory and output; its whole process
    group is killed when the time is up."""
    process = subprocess.Popen(
        command,
        cwd=folder,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
        preexec_fn=_limits(memory, seconds, output),  # noqa: PLW1509 - limits, no threads used
        env={
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(folder),
            "LANG": "C.UTF-8",
            "TMPDIR": str(folder),
        },
    )
    try:
        _out, error = process.communicate(timeout=seconds)
    except subprocess.TimeoutExpired as exc:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise ConversionError(
            f"文件转换超时（超过 {seconds} 秒），请另存为 .docx 后上传，或上传文字版文件。"
        ) from exc
    if process.returncode != 0:
        raise ConversionError(
            "文件已损坏或格式无法识别，转换失败。请在 Word 或 WPS 中另存为 .docx 后上传。"
        )
    del error


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def word_to_docx(data: bytes, suffix: str) -> bytes:
    """A .doc or .wps file as .docx bytes, converted by LibreOffice headless."""
    program = soffice()
    if program is None:
        raise ConversionError(
            "服务器未安装文档转换程序，暂不能读取 .doc/.wps 文件，请另存为 .docx 后上传。"
        )
    with tempfile.TemporaryDirectory(prefix="convert-") as name:
        folder = Path(name)
        source = folder / f"report.{suffix}"
        source.write_bytes(data)
        out = folder / "out"
        _run(
            [
                program,
                f"-env:UserInstallation=file://{folder / 'profile'}",
                "--headless",
                "--norestore",
                "--nolockcheck",
                "--nodefault",
                "--convert-to",
                "docx:MS Word 2007 XML",
                "--outdir",
                str(out),
                str(source),
            ],
            folder=folder,
            memory=_limit("CONVERT_MAX_MEMORY", 3 * 1024**3),
            seconds=_limit("CONVERT_MAX_SECONDS", 60),
            output=_limit("CONVERT_MAX_OUTPUT", 100 * 1024**2),
        )
        result = out / "report.docx"
        if not result.exists():
            raise ConversionError(
                "文件已损坏或格式无法识别，转换失败。请在 Word 或 WPS 中另存为 .docx 后上传。"
            )
        return result.read_bytes()


def pdf_to_text(data: bytes) -> str:
    """The text of a PDF's text layer, its lines joined back into paragraphs; a scan without a
    text layer is refused."""
    program = shutil.which("pdftotext")
    if program is None:
        raise ConversionError("服务器未安装 PDF 转换程序，暂不能读取 PDF，请上传 .docx 文件。")
    with tempfile.TemporaryDirectory(prefix="convert-") as name:
        folder = Path(name)
        (folder / "report.pdf").write_bytes(data)
        _run(
            [
                program,
                "-enc",
                "UTF-8",
                "-l",
                str(MAX_PDF_PAGES),
                "report.pdf",
                "report.txt",
            ],
            folder=folder,
            memory=_limit("CONVERT_PDF_MAX_MEMORY", 1024**3),
            seconds=_limit("CONVERT_MAX_SECONDS", 60),
            output=_limit("CONVERT_MAX_OUTPUT", 100 * 1024**2),
        )
        raw = (folder / "report.txt").read_text(encoding="utf-8", errors="replace")
    pages = raw.split("\f")
    pages = pages[:-1] if len(pages) > 1 and not pages[-1].strip() else pages
    letters = len(re.sub(r"\s", "", raw))
    if letters < MIN_CHARS_PER_PAGE * max(1, len(pages)):
        raise ConversionError(
            "这个 PDF 是扫描件（每页都是图片），没有可以读取的文字。"
            "请上传 Word 文档（.docx/.doc/.wps）或由 Word 导出的文字版 PDF。"
        )
    return reflow("\n".join(pages))


_HEADING_START = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[）)]|\d{1,2}[、.．](?!\d)"
    r"|第[一二三四五六七八九十]+部分|[一二三四五六七八九十]+是)"
)
_PARAGRAPH_END = re.compile(r"[。！？；：:!?;）)”]\s*$")
_PAGE_NUMBER = re.compile(r"^\s*(?:[-—–]\s*)?\d{1,3}(?:\s*[-—–])?\s*$|^\s*第\s*\d+\s*页")


def reflow(text: str) -> str:
    """A PDF's lines as paragraphs: a line runs on into the next unless it ends a sentence, is
    much shorter than a full line (a heading, a paragraph's last line), or the next one starts
    a numbered heading. Page numbers are dropped."""
    lines = [line.strip() for line in text.split("\n")]
    lines = [line for line in lines if line and not _PAGE_NUMBER.match(line)]
    if not lines:
        return ""
    lengths = Counter(len(line) for line in lines if len(line) >= 15)
    full = lengths.most_common(1)[0][0] if lengths else 30
    paragraphs: list[str] = []
    current = current_last = ""
    for line in lines:
        if current and (
            _HEADING_START.match(line)
            or _PARAGRAPH_END.search(current)
            or len(current_last) < full * 0.8
        ):
            paragraphs.append(current)
            current = ""
        current += line
        current_last = line
    if current:
        paragraphs.append(current)
    # pdftotext puts spaces around Latin letters and digits in Chinese text: 「组织学习 10 余次」.
    return _LATIN_GAP.sub("", "\n".join(paragraphs))


_CJK = "\u3000-\u303f\u4e00-\u9fff\uff00-\uffef"
_LATIN_GAP = re.compile(rf"(?<=[{_CJK}]) +(?=[0-9A-Za-z%])|(?<=[0-9A-Za-z%]) +(?=[{_CJK}])")
