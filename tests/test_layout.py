"""The apps' import direction (README: Layout): org ← indicators ← reports ← exports, reading used by
reports and importing no model, and nothing of the product importing the dev tools. Every import
counts, also one inside a function."""

import ast
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
PRODUCT = ("org", "indicators", "reading", "reports", "exports", "reportportal")
# What each app must never import (the apps above it, and the dev tools).
FORBIDDEN = {
    "org": {"indicators", "reports", "exports", "reading", "devtools"},
    "indicators": {"reports", "exports", "reading", "devtools"},
    "reading": {"org", "indicators", "reports", "exports", "devtools"},
    "reports": {"exports", "devtools"},
    "exports": {"devtools"},
    "reportportal": {"devtools"},
}


def imported_modules(path: Path, package: str) -> set[str]:
    """Every module the file imports, relative imports resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def modules_of(app: str):
    for path in sorted((ROOT / app).rglob("*.py")):
        relative = path.relative_to(ROOT).with_suffix("")
        parts = list(relative.parts)
        package = ".".join(parts if parts[-1] == "__init__" else parts[:-1])
        yield path, package


@pytest.mark.parametrize("app", PRODUCT)
def test_no_app_imports_an_app_above_it_or_the_dev_tools(app):
    wrong = []
    for path, package in modules_of(app):
        for module in imported_modules(path, package):
            if module.split(".")[0] in FORBIDDEN[app]:
                wrong.append(f"{path.relative_to(ROOT)} imports {module}")
    assert wrong == []


def test_reading_imports_no_model_and_nothing_of_django_but_settings():
    wrong = []
    for path, package in modules_of("reading"):
        for module in imported_modules(path, package):
            if module.startswith("django") and not module.startswith("django.conf"):
                wrong.append(f"{path.relative_to(ROOT)} imports {module}")
    assert wrong == []


def test_the_checker_sees_a_forbidden_import(tmp_path):
    """The test above can fail: a module importing upwards, inside a function, is caught."""
    module = tmp_path / "sample.py"
    module.write_text("def f():\n    from reports.models import Report\n    from ..x import y\n")
    found = imported_modules(module, "indicators.sub")
    assert "reports.models" in found
    assert "indicators.x" in found


def test_production_can_leave_the_dev_tools_out():
    """DEVTOOLS=False keeps devtools out of INSTALLED_APPS (and the URL conf never needs it)."""
    import subprocess
    import sys

    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='reportportal.settings'; "
        "django.setup(); from django.conf import settings; "
        "from django.urls import get_resolver; get_resolver().url_patterns; "
        "import sys; print('devtools' in settings.INSTALLED_APPS, "
        "any(m.startswith('devtools') for m in sys.modules))"
    )
    env = {"DEVTOOLS": "False", "PATH": "/usr/bin:/bin", "DATABASE_URL": "sqlite:///:memory:"}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["False", "False"]
