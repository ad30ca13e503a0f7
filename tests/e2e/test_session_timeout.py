"""等保 2.0 session timeout as a clerk meets it: a warning before the end, the session ended on the
server, and the text typed meanwhile still there after logging in again."""

import io

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.e2e.helpers import log_in

pytestmark = pytest.mark.django_db(transaction=True)

DUTY = "三、党政主要负责人履行推进法治建设第一责任人职责情况"


def test_an_idle_clerk_is_warned_signed_out_and_keeps_the_typed_text(
    live_server, page, shot, settings
):
    settings.SESSION_IDLE_SECONDS = 5
    call_command("load_demo", stdout=io.StringIO())
    base = live_server.url
    log_in(page, base, "huatai")
    page.get_by_role("row").filter(has_text="2023年度").get_by_role("link", name="继续填写").click()
    typed = "党委书记主持中心组学法4次，乡长出庭应诉1次。"
    page.get_by_label(DUTY).fill(typed)

    warning = page.get_by_role("alert").filter(has_text="将自动退出登录")
    expect(warning).to_be_visible(timeout=15_000)
    expect(warning).to_contain_text("正在填写的内容已暂存在本机")
    shot("80-idle-warning", full_page=False)

    # The server ended the session: saving now leads to the log-in page, which says why.
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="保存草稿").click()
    expect(page.get_by_role("heading", name="用户登录")).to_be_visible()
    shot("81-signed-out-after-idle", full_page=False)
    page.get_by_label("用户名").fill("huatai")
    page.get_by_label("密码").fill("demo1234")
    page.get_by_role("button", name="登录").click()

    # Back at the report: the text typed before the timeout is offered back.
    settings.SESSION_IDLE_SECONDS = 1800
    page.goto(base + "/")
    page.get_by_role("row").filter(has_text="2023年度").get_by_role("link", name="继续填写").click()
    banner = page.locator("#local-backup")
    expect(banner).to_be_visible()
    banner.get_by_role("button", name="恢复这些内容").click()
    expect(page.get_by_label(DUTY)).to_have_value(typed)
    shot("82-text-restored-after-log-in", full_page=False)
