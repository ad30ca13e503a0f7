"""The county's and the province's spreadsheets, read back with openpyxl."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from exports.jobs import export_job_run
from exports.models import ExportJob
from exports.spreadsheets import county_workbook
from org.audit import Event
from org.models import AuditEvent, County, Township
from tests.helpers import submit_report


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def lianchi_submitted(personas, full_parts):
    return submit_report(
        township=personas.lianchi,
        period=personas.period,
        clerk=personas.clerk_lianchi,
        parts=full_parts,
        figures={
            "villages_total": 26,
            "villages_with_legal_advisor": 13,
            "disputes_mediated": 286,
            "disputes_resolved": 280,
            "admin_lawsuits": 0,
            "head_appearances": 0,
        },
    )


def _sheet(data: bytes):
    book = load_workbook(io.BytesIO(data))
    sheet = book["乡镇数据"]
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[1]
    by_name = {
        row[header.index("乡镇（街道）")]: dict(zip(header, row, strict=True)) for row in rows[2:]
    }
    return sheet, header, by_name


def test_reviewer_downloads_the_county_spreadsheet_with_the_right_values(
    client, personas, lianchi_submitted, django_capture_on_commit_callbacks
):
    client.force_login(personas.reviewer_shenqiu)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("export_create"),
            {"kind": "county_xlsx", "year": 2023, "county": personas.shenqiu.pk},
        )
    job = ExportJob.objects.get()
    assert response.url == reverse("export_detail", args=[job.pk])
    assert (job.status, job.progress, job.kind) == ("done", 100, "county_xlsx")
    page = client.get(response.url).content.decode()
    assert "下载 Excel 表格" in page and "数据表" in page
    download = client.get(reverse("export_download", args=[job.pk]))
    assert ".xlsx" in download["Content-Disposition"]
    _sheet_, header, rows = _sheet(b"".join(download.streaming_content))
    assert AuditEvent.objects.filter(event=Event.DOWNLOAD, detail=job.title).exists()

    townships = list(personas.shenqiu.townships.values_list("name", flat=True))
    assert sorted(rows) == sorted(townships)  # one row per township, none missing
    lianchi = rows["莲池镇"]
    assert lianchi["县（市、区）"] == "沈丘县" and lianchi["状态"] == "已报送"
    assert lianchi["行政村（社区）总数（个）"] == 26
    assert lianchi["排查调处矛盾纠纷件数（件）"] == 286
    assert lianchi["行政诉讼应诉案件数（件）"] == 0
    assert lianchi["干部法治讲座、培训场次（场）"] is None  # unknown stays empty, not 0
    score = lianchi_submitted.score
    assert Decimal(str(lianchi["总分"])) == score.total and lianchi["县内排名"] == 1
    coverage = next(h for h in header if h.startswith("村（社区）法律顾问覆盖率（满分 15"))
    assert Decimal(str(lianchi[coverage])) == Decimal("7.5")
    appearance = next(h for h in header if h.startswith("负责人出庭应诉率"))
    assert lianchi[appearance] == "不适用"
    assert lianchi["报送时间"].date() == timezone.localdate(lianchi_submitted.submitted_at)
    assert lianchi["是否迟报"] == "是"  # 2023's deadline has passed
    assert lianchi["审核通过时间"] is None
    other = next(name for name in townships if name != "莲池镇")
    assert rows[other]["状态"] == "未开始" and rows[other]["总分"] is None


def test_text_that_looks_like_a_formula_is_written_as_text(personas, lianchi_submitted):
    township = Township.objects.get(name="莲池镇")
    township.name = '=HYPERLINK("http://evil.example","点击")'
    township.save()
    data = county_workbook(personas.shenqiu, personas.period)
    sheet, header, rows = _sheet(data)
    column = header.index("乡镇（街道）") + 1
    cells = [sheet.cell(row=r, column=column) for r in range(3, sheet.max_row + 1)]
    evil = next(cell for cell in cells if str(cell.value).startswith("="))
    assert evil.data_type == "s" and evil.value == township.name
    assert evil.quotePrefix
    # The file itself holds no formula anywhere.
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml


def test_admin_exports_a_province_spreadsheet(
    client, personas, lianchi_submitted, django_capture_on_commit_callbacks
):
    client.force_login(personas.admin)
    page = client.get(reverse("admin_home") + "?year=2023").content.decode()
    assert 'value="province_xlsx"' in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("export_create"), {"kind": "province_xlsx", "year": 2023, "province": "河南省"}
        )
    job = ExportJob.objects.get()
    assert job.status == "done" and job.province == "河南省" and job.county is None
    assert AuditEvent.objects.filter(event=Event.EXPORT, detail=job.title).exists()
    with job.file.open("rb") as stored:
        _sheet_, _header, rows = _sheet(stored.read())
    henan = Township.objects.filter(county__province="河南省").count()
    assert len(rows) == henan and "花台乡" not in rows
    assert rows["莲池镇"]["行政村（社区）总数（个）"] == 26


def test_province_spreadsheet_ranks_within_each_county_in_batches(
    personas, lianchi_submitted, full_parts, monkeypatch
):
    from exports import spreadsheets

    monkeypatch.setattr(spreadsheets, "BATCH", 3)  # many batches over the demo's counties
    huatai = submit_report(
        township=personas.huatai,
        period=personas.period,
        clerk=personas.clerk_huatai,
        parts=full_parts,
    )
    job = ExportJob.objects.create(
        kind="province_xlsx", period=personas.period, requested_by=personas.admin
    )
    job = export_job_run(job_id=job.pk)
    with job.file.open("rb") as stored:
        _sheet_, _header, rows = _sheet(stored.read())
    assert len(rows) == Township.objects.count()
    assert rows["莲池镇"]["县内排名"] == 1 and rows["花台乡"]["县内排名"] == 1
    assert Decimal(str(rows["花台乡"]["总分"])) == huatai.score.total


@pytest.mark.parametrize(
    ("persona", "kind", "county"),
    [
        ("clerk_lianchi", "county_xlsx", "沈丘县"),
        ("reviewer_shenqiu", "county_xlsx", "巫溪县"),
        ("reviewer_shenqiu", "province_xlsx", None),
    ],
)
def test_spreadsheet_refusals_create_nothing(client, personas, persona, kind, county):
    client.force_login(getattr(personas, persona))
    data = {"kind": kind, "year": 2023}
    if county:
        data["county"] = County.objects.get(name=county).pk
    assert client.post(reverse("export_create"), data).status_code == 403
    assert client.get(reverse("export_create")).status_code == 405
    assert not ExportJob.objects.exists()


def test_dashboard_and_ranking_offer_the_spreadsheet(client, personas):
    client.force_login(personas.reviewer_shenqiu)
    for url in (reverse("county_home"), reverse("ranking")):
        page = client.get(url + "?year=2023").content.decode()
        assert 'name="kind" value="county_xlsx"' in page, url
