"""PDFs as people get them: their text (pdftotext), their fonts (pdffonts), who may download."""

import io
import re
import subprocess

import pytest
from django.urls import reverse
from pypdf import PdfReader

from exports.documents import county_summary_pdf, province_summary_pdf, report_pdf
from indicators.scoring import fmt
from org.models import County, Period
from reports.services.drafts import report_save_draft, report_start
from reports.services.transitions import report_approve, report_publish
from tests.helpers import submit_report


def pdf_text(data: bytes) -> str:
    """The PDF's text with all white space removed, so lines wrapped by the layout compare whole."""
    result = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True)
    return re.sub(r"\s+", "", result.stdout.decode())


def pdf_fonts(data: bytes, tmp_path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdffonts", str(path)], capture_output=True, check=True, text=True
    ).stdout


FIGURES = {
    "villages_total": 26,
    "villages_with_legal_advisor": 26,
    "disputes_mediated": 400,
    "admin_lawsuits": 0,
    "head_appearances": 0,
}


@pytest.fixture
def sent(personas, full_parts):
    return submit_report(
        township=personas.lianchi,
        period=personas.period,
        clerk=personas.clerk_lianchi,
        parts=full_parts,
        figures=FIGURES,
    )


def test_report_pdf_has_headings_figures_scores_and_review_status(personas, sent, tmp_path):
    report_approve(report=sent, actor=personas.reviewer_shenqiu)
    data = report_pdf(sent)
    text = pdf_text(data)
    for expected in (
        "莲池镇2023年度",
        "法治政府建设情况报告",
        "一、上一年度推进法治政府建设的主要举措和成效",
        "三、党政主要负责人履行推进法治建设第一责任人职责情况",
        "全年调解矛盾纠纷400余件",
        "行政村（社区）总数",
        "未填报",
        "不适用",
        "村（社区）法律顾问覆盖率",
        "审核通过",
        "—1—",
    ):
        assert expected in text, expected
    assert "迟报" in text
    fonts = pdf_fonts(data, tmp_path)
    assert "Noto-Serif-CJK-SC-Bold" in fonts and "Noto-Sans-CJK-SC" in fonts
    assert all(line.split()[-5] == "yes" for line in fonts.splitlines()[2:])  # every font embedded


def test_empty_report_still_renders_and_says_what_is_missing(personas):
    report = report_start(
        township=personas.lianchi, period=personas.period, actor=personas.clerk_lianchi
    )
    text = pdf_text(report_pdf(report))
    assert text.count("本部分为必填部分，报告中未填写") == 4
    assert "草稿" in text


def test_user_text_cannot_make_the_renderer_read_files_or_urls(personas, full_parts):
    hostile = (
        '<img src="file:///etc/passwd"> <link rel=attachment href="file:///etc/hostname">'
        '<img src="http://127.0.0.1:9/x.png"> <style>@import url(file:///etc/passwd);</style>'
    )
    report = report_start(
        township=personas.lianchi, period=personas.period, actor=personas.clerk_lianchi
    )
    report = report_save_draft(
        report=report,
        actor=personas.clerk_lianchi,
        base_version=1,
        parts={**full_parts, "other": hostile},
        figures={},
    )
    data = report_pdf(report)
    text = pdf_text(data)
    assert "root:x:0:0" not in text
    assert '<imgsrc="file:///etc/passwd">' in text  # shown as text (spaces removed)
    reader = PdfReader(io.BytesIO(data))
    assert reader.attachments == {}
    assert all(not page.images for page in reader.pages)


def test_fetcher_refuses_everything_but_its_own_assets():
    from exports.pdf import PDF_ASSETS, BlockedResource, SafeURLFetcher

    fetcher = SafeURLFetcher()
    for url in (
        "file:///etc/passwd",
        "http://127.0.0.1/",
        "data:text/plain,x",
        (PDF_ASSETS / ".." / ".." / "manage.py").as_uri(),
    ):
        with pytest.raises(BlockedResource):
            fetcher.fetch(url)
    assert fetcher.fetch((PDF_ASSETS / "official.css").as_uri()) is not None


def test_county_summary_has_status_ranking_charts_figures_and_missing(personas, sent):
    text = pdf_text(
        county_summary_pdf(County.objects.get(name="沈丘县"), Period.objects.get(year=2023))
    )
    for expected in (
        "沈丘县乡镇（街道）",
        "一、报送情况",
        "二、得分排名",
        "三、图表",
        "四、各乡镇主要数据",
        "五、缺少必填部分和迟报的报告",
        "莲池镇",
        "东城街道",
        "未开始",
        "迟报",
        "各乡镇（街道）总分",
        "矛盾纠纷调解成功率",
    ):
        assert expected in text, expected
    assert (
        str(sent.score.total.normalize()) in text
        or f"{sent.score.total:.2f}".rstrip("0").rstrip(".") in text
    )


def test_county_summary_uses_only_the_chinese_fonts_charts_included(personas, sent, tmp_path):
    """Chart labels are text of the document, in its fonts: SVG <text> used to fall back to
    DejaVu and the Japanese forms of Noto Sans CJK."""
    data = county_summary_pdf(County.objects.get(name="沈丘县"), Period.objects.get(year=2023))
    lines = pdf_fonts(data, tmp_path).splitlines()[2:]
    assert lines and all("-CJK-SC" in line.split()[0] for line in lines), lines
    assert all(line.split()[-5] == "yes" for line in lines)  # every font embedded
    assert f"{fmt(sent.score.total)}分" in pdf_text(data)  # the totals chart's value, as text


def test_province_summary_aggregates_by_county(personas, sent):
    text = pdf_text(province_summary_pdf(Period.objects.get(year=2023)))
    for expected in (
        "各县（市、区）乡镇法治政府建设情况汇总",
        "沈丘县",
        "民权县",
        "巫溪县",
        "平均得分",
        "报送率",
    ):
        assert expected in text, expected


def test_province_summary_groups_the_counties_by_city(personas, sent):
    from exports.documents import city_groups, province_summary_context

    context = province_summary_context(Period.objects.get(year=2023), "河南省")
    groups = {(g["city"]): g for g in city_groups(context["rows"])}
    assert set(groups) == {"周口市", "商丘市"}  # 沈丘县 and 民权县
    zhoukou = groups["周口市"]
    assert [r["county"].name for r in zhoukou["rows"]] == ["沈丘县"]
    assert (zhoukou["sent"], zhoukou["average"]) == (1, zhoukou["rows"][0]["average"])
    text = pdf_text(province_summary_pdf(Period.objects.get(year=2023), "河南省"))
    flat = "".join(text.split())
    assert "各市（州）汇总" in flat and "河南省周口市（1个县，已报送1/" in flat


@pytest.mark.parametrize(
    ("persona", "status"),
    [("clerk_lianchi", 200), ("clerk_huatai", 404), ("reviewer_shenqiu", 200), ("admin", 200)],
)
def test_report_pdf_download_permissions(client, personas, sent, persona, status):
    client.force_login(getattr(personas, persona))
    response = client.get(reverse("report_pdf", args=[sent.pk]))
    assert response.status_code == status
    if status == 200:
        assert response["Content-Type"] == "application/pdf"
        assert response.getvalue().startswith(b"%PDF")


def test_behind_nginx_a_refused_reader_gets_no_file_redirect(client, personas, sent, settings):
    settings.PRIVATE_FILES_ACCEL_PREFIX = "/_private"
    client.force_login(personas.clerk_huatai)
    refused = client.get(reverse("report_pdf", args=[sent.pk]))
    assert refused.status_code == 404 and "X-Accel-Redirect" not in refused
    client.force_login(personas.clerk_lianchi)
    allowed = client.get(reverse("report_pdf", args=[sent.pk]))
    assert allowed["X-Accel-Redirect"].startswith("/_private/pdf/")


def test_draft_pdf_hidden_from_reviewers_and_the_public(client, personas):
    report = report_start(
        township=personas.lianchi, period=personas.period, actor=personas.clerk_lianchi
    )
    client.force_login(personas.reviewer_shenqiu)
    assert client.get(reverse("report_pdf", args=[report.pk])).status_code == 404
    client.logout()
    assert client.get(reverse("report_pdf", args=[report.pk])).status_code == 302  # to log-in
    assert client.get(reverse("public_report_pdf", args=[report.pk])).status_code == 404


def test_public_pdf_once_published(client, personas, sent):
    url = reverse("public_report_pdf", args=[sent.pk])
    assert client.get(url).status_code == 404
    report_approve(report=sent, actor=personas.reviewer_shenqiu)
    report_publish(report=sent, actor=personas.reviewer_shenqiu)
    response = client.get(url)
    assert response.status_code == 200 and response.getvalue().startswith(b"%PDF")
