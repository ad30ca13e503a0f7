"""The production stack, walked over HTTPS as a county's users would: log-in, save, submit,
approve, a county summary made by the worker and downloaded through nginx; files under nginx's
private location refused without the portal; two app servers sharing sessions and jobs."""

import http.client
import ssl
from urllib.parse import quote

import psycopg2
import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import log_in, log_out
from tests.exports.test_pdf import pdf_text

from .stack import Stack


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    stack = Stack(workdir=tmp_path_factory.mktemp("stack"), app_servers=2)
    stack.prepare()
    try:
        stack.start()
        yield stack
    finally:
        stack.stop()


def get(port: int, path: str, *, tls: bool = True) -> http.client.HTTPResponse:
    if tls:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        connection: http.client.HTTPConnection = http.client.HTTPSConnection(
            "127.0.0.1", port, context=context, timeout=10
        )
    else:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", path)
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


def query(stack: Stack, sql: str) -> list[tuple]:
    db = psycopg2.connect(host="127.0.0.1", user="postgres", dbname=stack.database)
    try:
        with db.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchall()
    finally:
        db.close()


def test_the_county_year_over_https_on_two_app_servers(stack, browser, tmp_path):
    # Plain HTTP only sends the browser to HTTPS.
    plain = get(stack.http_port, "/login/", tls=False)
    assert plain.status == 301 and plain.getheader("Location").startswith("https://")

    context = browser.new_context(ignore_https_errors=True, locale="zh-CN")
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    base = stack.base

    # The clerk saves and submits the 2023 report.
    log_in(page, base, "lianchi")
    page.get_by_role("row").filter(has_text="2023年度").get_by_role("link", name="继续填写").click()
    page.get_by_label("五、其他需要报告的情况").fill("本年度无其他需要报告的情况。")
    page.get_by_label("调解成功件数（件）").fill("380")
    page.get_by_role("button", name="保存草稿").click()
    expect(page.locator("#saved-note")).to_contain_text("草稿已保存")
    page.get_by_role("button", name="保存并提交").click()
    expect(page.get_by_text("报告已提交至县级审核。")).to_be_visible()
    # Static files come from nginx, cached for a year (their names carry their hash).
    css = page.locator("link[rel=stylesheet]").first.get_attribute("href")
    static = get(stack.https_port, css)
    assert static.status == 200 and "max-age=31536000" in static.getheader("Cache-Control")
    log_out(page, base)

    # The reviewer approves it.
    log_in(page, base, "shenqiu")
    page.goto(base + "/review/?year=2023")
    page.get_by_role("row").filter(has_text="莲池镇").get_by_role("link", name="审核").click()
    page.get_by_role("button", name="审核通过").click()
    expect(page.get_by_text("报告已审核通过。")).to_be_visible()
    status = query(
        stack,
        "SELECT r.status FROM reports_report r JOIN org_township t ON t.id = r.township_id"
        " JOIN org_period p ON p.id = r.period_id WHERE t.name = '莲池镇' AND p.year = 2023",
    )
    assert status == [("approved",)]

    # The county summary: made by the Celery worker, downloaded through nginx.
    page.goto(base + "/county/?year=2023")
    page.get_by_role("button", name="生成本县汇总 PDF").click()
    download = page.get_by_role("link", name="下载 PDF")
    expect(download).to_be_visible(timeout=90_000)
    with page.expect_download() as info:
        download.click()
    # nginx passes on the portal's headers: the Chinese file name arrives.
    assert info.value.suggested_filename == "沈丘县2023年度法治政府建设情况汇总.pdf"
    saved = tmp_path / "summary.pdf"
    info.value.save_as(saved)
    text = pdf_text(saved.read_bytes())
    assert "沈丘县" in text and "莲池镇" in text

    # The same session on both app servers: every page asked for twice more, each answered.
    for _ in range(4):
        assert page.goto(base + "/county/?year=2023").status == 200
        expect(page.get_by_role("button", name="退出登录")).to_be_visible()
    served = [stack.access_log(0), stack.access_log(1)]
    for log in served:
        signed_in = [path for method, path, code in log if path.startswith("/county/")]
        assert signed_in and all(
            code == 200 for method, path, code in log if path.startswith("/county/")
        )
    # The export job was asked for on one server and followed or downloaded on the other too.
    job_paths = [
        {path for method, path, code in log if path.startswith("/exports/")} for log in served
    ]
    assert job_paths[0] and job_paths[1], job_paths

    # The file itself sits under nginx's internal location: asked for directly, it is refused.
    (name,) = query(stack, "SELECT file FROM exports_exportjob ORDER BY id DESC LIMIT 1")[0]
    assert (stack.media_root / name).is_file()
    assert get(stack.https_port, "/_private/" + quote(name)).status == 404
    assert get(stack.https_port, "/media/" + quote(name)).status == 404
    # The app server only said where the file is (X-Accel-Redirect); nginx sent its bytes.
    downloads = [
        line
        for index in range(2)
        for line in (stack.logs / f"app{index}.access.log").read_text().splitlines()
        if "/download/" in line
    ]
    assert downloads and all('/download/" 200 0 ' in line for line in downloads), downloads
    context.close()

    # Personal data: no password and no report text in any log of the stack, nor in the audit log.
    for path in stack.logs.glob("*.log"):
        logged = path.read_text(errors="replace")
        assert "demo1234" not in logged and "本年度无其他需要报告的情况" not in logged, path.name
    audit = query(stack, "SELECT count(*) FROM org_auditevent WHERE detail LIKE '%demo1234%'")
    assert audit == [(0,)]
    events = {row[0] for row in query(stack, "SELECT DISTINCT event FROM org_auditevent")}
    assert {"login", "logout", "workflow", "export", "download"} <= events


def test_log_in_attempts_are_rate_limited_by_nginx(stack):
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    codes = []
    for _ in range(30):
        connection = http.client.HTTPSConnection(
            "127.0.0.1", stack.https_port, context=context, timeout=10
        )
        connection.request(
            "POST", "/login/", body="username=x", headers={"Content-Type": "text/plain"}
        )
        codes.append(connection.getresponse().status)
        connection.close()
    assert 429 in codes and codes[0] != 429
    # Showing the form is never limited.
    assert get(stack.https_port, "/login/").status == 200


def test_deploy_check_passes_on_the_configured_server(stack):
    result = stack.manage("deploy_check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "全部检查通过" in result.stdout
    for line in ("[通过] 数据库迁移", "[通过] 任务队列", "[通过] 审计日志只可追加", "[通过] 缓存"):
        assert line in result.stdout, result.stdout


def test_deploy_check_names_what_is_missing(stack):
    result = stack.manage("deploy_check", STATIC_ROOT=str(stack.workdir / "empty"))
    assert result.returncode != 0
    assert "[失败] 静态文件清单" in result.stdout and "collectstatic" in result.stdout
