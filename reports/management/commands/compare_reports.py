import json

from django.core.management.base import BaseCommand, CommandError

from reading.documents import DocumentError, read_path
from reading.passages import FLAG_LONG_PASSAGES, FLAG_SHARE, LONG_PASSAGE, compare_texts
from reports.similarity import reference_texts

EXCERPT = 60


def read_report_file(path: str) -> str:
    """The text of a .txt or .docx file as the import reads it (reading.documents), line ends as
    "\n" (as Python reads text files), so offsets count the characters of that."""
    try:
        text = read_path(path).text
    except FileNotFoundError as exc:
        raise CommandError(f"找不到文件：{path}") from exc
    except DocumentError as exc:
        raise CommandError(f"{path}：{exc}") from exc
    return text.replace("\r\n", "\n").replace("\r", "\n")


class Command(BaseCommand):
    help = (
        "比较两份报告（.txt、.docx、.doc、.wps 或文字版 PDF），找出几乎逐字相同的段落；"
        "--json 输出 DOMAIN.md 约定的 JSON：similarity 为 A 的文字在 B 中同样出现的比例，"
        "flagged 为系统的疑似抄袭/雷同判断（多份报告共有的套话不计）。"
    )

    def add_arguments(self, parser):
        parser.add_argument("path_a")
        parser.add_argument("path_b")
        parser.add_argument("--json", action="store_true", help="输出 JSON")

    def handle(self, *args, path_a, path_b, json: bool = False, **options):
        a, b = read_report_file(path_a), read_report_file(path_b)
        result = compare_texts(a, b, references=reference_texts(exclude=(a, b)))
        if json:
            self.stdout.write(_dumps(result))
            return
        percent = round(result["similarity"] * 100)
        passages = result["shared_passages"]
        self.stdout.write(f"A：{path_a}")
        self.stdout.write(f"B：{path_b}")
        self.stdout.write(f"相似度：{percent}%（A 的文字，不计标点和空格，在 B 中同样出现的比例）")
        if result["flagged"]:
            self.stdout.write(
                "结论：疑似抄袭/雷同（去掉多份报告共有的套话后，"
                f"A 的 {round(FLAG_SHARE * 100)}% 以上或 {FLAG_LONG_PASSAGES} 段以上"
                f"{LONG_PASSAGE} 字以上的段落与 B 相同）"
            )
        if not passages:
            self.stdout.write("未发现相同段落。")
            return
        self.stdout.write(f"相同段落 {len(passages)} 处：")
        for number, passage in enumerate(passages, 1):
            text = passage["text"].replace("\n", " ")
            if len(text) > EXCERPT:
                text = text[:EXCERPT] + "……"
            self.stdout.write(
                f"{number}. A 第 {passage['a_start'] + 1} 字起 / B 第 {passage['b_start'] + 1} 字起，"
                f"{len(passage['text'])} 字：{text}"
            )


def _dumps(result: dict) -> str:
    return json.dumps(result, ensure_ascii=False)
