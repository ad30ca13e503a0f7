def log_in(page, base, username, password="demo1234"):
    page.goto(base + "/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def log_out(page, base):
    page.goto(base + "/")
    page.get_by_role("button", name="退出登录").click()
