import json

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from org.selectors import township_names
from reading.documents import DocumentError, read_path
from reading.extract import extract
from reading.figures import ElementWords
from reading.sections import SECTIONS_BY_KEY
from reports.selectors.vocabulary import reading_vocabulary


class Command(BaseCommand):
    help = (
        "读取一份报告（.txt、.docx、.doc、.wps 或文字版 PDF），识别乡镇、年度、五个部分和数据项"
        "（--json 输出 DOMAIN.md 约定的 JSON）。"
    )

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--json", action="store_true", help="输出 JSON")

    def handle(self, *args, path, json: bool = False, **options):
        try:
            document = read_path(path)
        except FileNotFoundError as exc:
            raise CommandError(f"找不到文件：{path}") from exc
        except DocumentError as exc:
            raise CommandError(str(exc)) from exc
        known, vocabulary = _configuration()
        result = extract(
            document.text,
            known_townships=known,
            hints=document.heading_lines,
            vocabulary=vocabulary,
        )
        contract = result.as_contract()
        if json:
            self.stdout.write(_dumps(contract))
            return
        self.stdout.write(f"乡镇：{contract['township'] or '未识别'}")
        self.stdout.write(f"年度：{contract['year'] or '未识别'}")
        for key, text in contract["sections"].items():
            self.stdout.write(f"【{SECTIONS_BY_KEY[key].heading}】{len(text)} 字")
        for key in contract["missing_sections"]:
            self.stdout.write(f"缺少：{SECTIONS_BY_KEY[key].heading}")
        for code, figure in contract["metrics"].items():
            approx = "（约数）" if figure["approximate"] else ""
            self.stdout.write(f"{code} = {figure['value']}{approx}：{figure['evidence']}")


def _configuration() -> tuple[tuple[str, ...], tuple[ElementWords, ...] | None]:
    """Names of the portal's townships help recognise the reporting one, its data elements'
    synonyms name the figures; the command also works on a machine whose database is not set
    up yet (the built-in words then)."""
    try:
        return township_names(), reading_vocabulary() or None
    except DatabaseError:
        return (), None


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
