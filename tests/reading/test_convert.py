"""The files clerks actually have: a .doc, a .wps and a text PDF of a sample read like its .docx
(LibreOffice and pdftotext run here, as in production); a scanned PDF refused, saying so."""

import base64
import shutil
import subprocess
from pathlib import Path

import pytest

from reading.convert import reflow
from reading.documents import CONVERSION_COST, DocumentError, check_upload, read_document
from reading.extract import extract
from tests.reading.test_analysis import sample
from tests.reading.test_documents import make_docx

pytestmark = pytest.mark.skipif(
    shutil.which("soffice") is None, reason="LibreOffice is installed by scripts/setup.sh"
)


def soffice_convert(source: Path, target: str) -> bytes:
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{source.parent / 'profile'}",
            "--headless",
            "--convert-to",
            target,
            "--outdir",
            str(source.parent),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return source.with_suffix("." + target.split(":")[0]).read_bytes()


@pytest.fixture(scope="module")
def lianchi_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("convert")
    source = folder / "lianchi.docx"
    source.write_bytes(make_docx(sample("lianchi-2023.txt")))
    return {
        "docx": source.read_bytes(),
        "doc": soffice_convert(source, "doc"),
        "pdf": soffice_convert(source, "pdf"),
    }


def summary(document):
    result = extract(document.text, hints=document.heading_lines)
    return (
        result.township,
        result.year,
        list(result.sections),
        {code: figure.value for code, figure in result.metrics.items()},
    )


@pytest.mark.parametrize(
    ("kind", "name"), [("doc", "莲池镇.doc"), ("doc", "莲池镇.wps"), ("pdf", "莲池镇.pdf")]
)
def test_doc_wps_and_pdf_read_like_the_docx(lianchi_files, kind, name):
    expected = summary(read_document(lianchi_files["docx"], "莲池镇.docx"))
    assert expected[0] == "莲池镇" and len(expected[3]) >= 6
    assert check_upload(lianchi_files[kind], name) == CONVERSION_COST  # always off the request
    assert summary(read_document(lianchi_files[kind], name)) == expected


def test_a_scanned_pdf_is_refused_saying_it_has_no_text(tmp_path):
    from PIL import Image
    from weasyprint import HTML

    picture = tmp_path / "page.png"
    Image.new("RGB", (400, 560), "white").save(picture)
    data = base64.b64encode(picture.read_bytes()).decode()
    pdf = HTML(string=f'<img src="data:image/png;base64,{data}" width="600">').write_pdf()
    with pytest.raises(DocumentError, match="扫描件"):
        read_document(pdf, "扫描件.pdf")


def test_a_conversion_over_its_time_is_stopped_and_explained(lianchi_files, settings):
    settings.CONVERT_MAX_SECONDS = 0
    with pytest.raises(DocumentError, match="文件转换超时"):
        read_document(lianchi_files["doc"], "莲池镇.doc")


def test_a_damaged_doc_is_refused():
    with pytest.raises(DocumentError, match="转换失败"):
        read_document(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 4000, "坏文件.doc")


def test_pdf_lines_are_joined_into_paragraphs():
    text = (
        "一、主要举措和成效\n"
        "全年调解矛盾纠纷 34 件次，调解成功率达到百分之九十五以上，群众满意度明显\n"
        "提高。\n"
        "- 2 -\n"
        "二、存在问题\n"
        "执法力量不足。\n"
    )
    assert reflow(text) == (
        "一、主要举措和成效\n"
        "全年调解矛盾纠纷34件次，调解成功率达到百分之九十五以上，群众满意度明显提高。\n"
        "二、存在问题\n"
        "执法力量不足。"
    )
