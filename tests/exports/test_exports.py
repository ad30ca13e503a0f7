import pytest
from django.urls import reverse

from exports.models import ExportJob
from org.models import County, Membership
from org.services import membership_assign
from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_reviewer_exports_the_county_summary_in_process(
    client, personas, django_capture_on_commit_callbacks
):
    client.force_login(personas.reviewer_shenqiu)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("export_create"),
            {"kind": "county", "year": 2023, "county": personas.shenqiu.pk},
        )
    job = ExportJob.objects.get()
    assert response.url == reverse("export_detail", args=[job.pk])
    assert (job.status, job.progress) == ("done", 100)
    page = client.get(response.url).content.decode()
    assert reverse("export_download", args=[job.pk]) in page
    download = client.get(reverse("export_download", args=[job.pk]))
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_job_page_polls_until_done(client, personas):
    job = ExportJob.objects.create(
        kind="county",
        period=personas.period,
        county=personas.shenqiu,
        requested_by=personas.reviewer_shenqiu,
    )
    client.force_login(personas.reviewer_shenqiu)
    partial = client.get(
        reverse("export_detail", args=[job.pk]), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert 'hx-trigger="every 1s"' in partial and "排队中" in partial
    assert client.get(reverse("export_download", args=[job.pk])).status_code == 404


@pytest.mark.parametrize(
    ("persona", "kind", "county"),
    [
        ("clerk_lianchi", "county", "沈丘县"),
        ("reviewer_shenqiu", "county", "巫溪县"),
        ("reviewer_shenqiu", "province", None),
    ],
)
def test_export_refusals_create_nothing(client, personas, persona, kind, county):
    client.force_login(getattr(personas, persona))
    data = {"kind": kind, "year": 2023}
    if county:
        data["county"] = County.objects.get(name=county).pk
    assert client.post(reverse("export_create"), data).status_code == 403
    assert client.get(reverse("export_create")).status_code == 405
    assert not ExportJob.objects.exists()


def test_admin_exports_the_province_summary(client, personas, django_capture_on_commit_callbacks):
    client.force_login(personas.admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("export_create"), {"kind": "province", "year": 2023})
    assert ExportJob.objects.get().status == "done"


def test_someone_elses_job_is_not_found(client, personas):
    job = ExportJob.objects.create(
        kind="county",
        period=personas.period,
        county=personas.shenqiu,
        requested_by=personas.reviewer_shenqiu,
    )
    other = UserFactory(username="shenqiu2")
    membership_assign(user=other, role=Membership.Role.REVIEWER, county=personas.shenqiu)
    client.force_login(other)
    assert client.get(reverse("export_detail", args=[job.pk])).status_code == 404
    assert client.get(reverse("export_download", args=[job.pk])).status_code == 404
    client.force_login(personas.admin)
    assert client.get(reverse("export_detail", args=[job.pk])).status_code == 200


def test_a_failing_render_marks_the_job_failed(personas):
    from exports.jobs import export_job_run

    job = ExportJob.objects.create(
        kind="county", period=personas.period, county=None, requested_by=personas.admin
    )
    job = export_job_run(job_id=job.pk)  # a county summary without a county cannot render
    assert job.status == "failed" and job.error.startswith("生成失败")


def test_the_admin_overview_offers_the_province_summary(
    client, personas, django_capture_on_commit_callbacks
):
    from django.urls import reverse

    from exports.models import ExportJob

    client.force_login(personas.admin)
    page = client.get(reverse("admin_home") + "?year=2023").content.decode()
    assert "河南省各县汇总" in page and 'name="kind" value="province"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("export_create"), {"kind": "province", "year": 2023, "province": "河南省"}
        )
    job = ExportJob.objects.get(kind=ExportJob.Kind.PROVINCE)
    assert response["Location"] == reverse("export_detail", args=[job.pk])
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE and job.province == "河南省"
