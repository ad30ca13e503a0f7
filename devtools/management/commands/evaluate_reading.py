"""How well the reading does on labelled real reports: figures, township and year."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from reading.documents import DocumentError, read_path
from reading.extract import extract
from reading.figures import RULES, ElementWords
from reports.selectors.vocabulary import reading_vocabulary


def evaluate(labels_path: Path) -> dict[str, Any]:
    """Scores every labelled report next to the labels file. A figure given for an element the
    labels do not list, or with a value they do not accept, is a wrong value."""
    try:
        labels = json.loads(labels_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CommandError(f"无法读取标注文件：{labels_path}（{exc}）") from exc
    labelled: Counter[str] = Counter()
    right: Counter[str] = Counter()
    wrong: Counter[str] = Counter()
    vocabulary = _vocabulary()
    reports = []
    unsure = [0]  # figures offered to check (「请核对」), never filled: neither right nor wrong
    for name, label in labels.items():
        if name.startswith("_"):
            continue
        try:
            document = read_path(str(labels_path.parent / name))
        except (OSError, DocumentError) as exc:
            raise CommandError(f"无法读取报告：{name}（{exc}）") from exc
        result = extract(document.text, hints=document.heading_lines, vocabulary=vocabulary)
        given = {code: figure for code, figure in result.metrics.items() if figure.sure}
        unsure[0] += len(result.metrics) - len(given)
        accepted: dict[str, list[int]] = label.get("metrics", {})
        problems = []
        for code, values in accepted.items():
            labelled[code] += 1
            figure = given.get(code)
            if figure is not None and figure.value in values:
                right[code] += 1
            elif figure is None:
                problems.append(f"漏 {code}={values}")
        for code, figure in given.items():
            if figure.value not in accepted.get(code, []):
                wrong[code] += 1
                problems.append(f"错 {code}={figure.value}（应为 {accepted.get(code, '无')}）")
        township_ok = result.township == label.get("township")
        year_ok = result.year == label.get("year")
        if not township_ok:
            problems.append(f"乡镇 {result.township}（应为 {label.get('township')}）")
        if not year_ok:
            problems.append(f"年度 {result.year}（应为 {label.get('year')}）")
        reports.append(
            {"name": name, "township": township_ok, "year": year_ok, "problems": problems}
        )
    total = sum(labelled.values())
    return {
        "reports": reports,
        "elements": {
            rule.code: {
                "labelled": labelled[rule.code],
                "right": right[rule.code],
                "wrong": wrong[rule.code],
            }
            for rule in RULES
        },
        "figures": {
            "labelled": total,
            "right": sum(right.values()),
            "wrong": sum(wrong.values()),
            "to_check": unsure[0],
        },
        "township_right": sum(1 for report in reports if report["township"]),
        "year_right": sum(1 for report in reports if report["year"]),
        "count": len(reports),
    }


def _vocabulary() -> tuple[ElementWords, ...] | None:
    """The portal's synonyms when its database is there (the built-in words otherwise)."""
    try:
        return reading_vocabulary() or None
    except DatabaseError:
        return None


def _share(part: int, whole: int) -> str:
    return f"{part / whole * 100:.1f}%" if whole else "—"


class Command(BaseCommand):
    help = "用标注好的真实报告（labels.json）评估识别效果：各数据项、乡镇、年度的正确率与错值率。"

    def add_arguments(self, parser):
        parser.add_argument("labels", help="labels.json 的路径（报告文件与之同目录）")
        parser.add_argument("--json", action="store_true", help="输出 JSON")
        parser.add_argument("--details", action="store_true", help="逐份列出漏识别和错值")

    def handle(self, *args, labels: str, json: bool = False, details: bool = False, **options):
        result = evaluate(Path(labels))
        if json:
            import json as json_module

            self.stdout.write(json_module.dumps(result, ensure_ascii=False, indent=2))
            return
        out = self.stdout.write
        out(f"{'数据项':<32}{'标注':>6}{'正确':>6}{'错值':>6}")
        for code, row in result["elements"].items():
            if row["labelled"] or row["wrong"]:
                out(f"{code:<32}{row['labelled']:>6}{row['right']:>6}{row['wrong']:>6}")
        figures = result["figures"]
        out(
            f"数字：标注 {figures['labelled']}，正确 {figures['right']}"
            f"（{_share(figures['right'], figures['labelled'])}），"
            f"错值 {figures['wrong']}（{_share(figures['wrong'], figures['labelled'])}），"
            f"另有 {figures['to_check']} 项请核对（不自动填写）"
        )
        count = result["count"]
        out(
            f"乡镇：{result['township_right']}/{count}"
            f"（{_share(result['township_right'], count)}）；"
            f"年度：{result['year_right']}/{count}（{_share(result['year_right'], count)}）"
        )
        if details:
            for report in result["reports"]:
                for problem in report["problems"]:
                    out(f"{report['name']}: {problem}")
