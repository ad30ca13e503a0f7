"""Production refuses to start, with the reason, rather than answer 500 on every page."""

import subprocess

from .stack import ROOT, VENV_BIN, Stack, free_port


def test_gunicorn_refuses_to_start_without_the_static_manifest(tmp_path):
    stack = Stack(workdir=tmp_path)  # settings only: nothing is prepared or started
    env = stack.env(
        STATIC_ROOT=str(tmp_path / "never-collected"), GUNICORN_BIND=f"127.0.0.1:{free_port()}"
    )
    result = subprocess.run(
        [str(VENV_BIN / "gunicorn"), "-c", "deploy/gunicorn.conf.py", "reportportal.wsgi"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "没有静态文件清单" in result.stderr and "collectstatic" in result.stderr


def test_the_application_loads_the_tokenizer_before_the_workers_fork(tmp_path):
    """gunicorn loads reportportal.wsgi in its master (preload_app): jieba's dictionary is built
    there once, and every worker forked from it starts with it."""
    static = tmp_path / "static"
    static.mkdir()
    (static / "staticfiles.json").write_text('{"paths": {}, "version": "1.1"}')
    env = Stack(workdir=tmp_path).env(STATIC_ROOT=str(static))
    probe = "import reportportal.wsgi, reading.tokens as t; print(t._tokenizer is not None)"
    result = subprocess.run(
        [str(VENV_BIN / "python"), "-c", probe],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


def test_the_master_freezes_what_it_loaded_before_each_fork():
    """deploy/gunicorn.conf.py's pre_fork: the objects of the loaded application are moved out of
    the collector's reach, so no worker walks them again."""
    probe = (
        "import gc, runpy; conf = runpy.run_path('deploy/gunicorn.conf.py');"
        "before = gc.get_freeze_count(); conf['pre_fork'](None, None);"
        "print(before, gc.get_freeze_count() > 1000)"
    )
    result = subprocess.run(
        [str(VENV_BIN / "python"), "-c", probe],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["0", "True"]
