"""A report's structure: its headings however they are numbered, and the five parts under them."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .sections import SECTION_KEYS

_MARKERS = (
    ("part", re.compile(r"^第[一二三四五六七八九十]+(?:部分|章|节)[、.．:：\s]*")),
    ("cn", re.compile(r"^[一二三四五六七八九十]+\s*[、.．]\s*")),
    ("paren_cn", re.compile(r"^[（(]\s*[一二三四五六七八九十]+\s*[）)]\s*[、.．]?\s*")),
    ("arabic", re.compile(r"^\d{1,2}\s*(?:[、．]|\.(?!\d))\s*")),
    ("paren_arabic", re.compile(r"^[（(]\s*\d{1,2}\s*[）)]\s*")),
)
_STYLE_RANK = {"part": 0, "cn": 1, "paren_cn": 2, "arabic": 3, "paren_arabic": 4, "plain": 5}
HEADING_MAX = 40

# How users head each part. Strong patterns decide alone; weak words only on a top-level heading.
_PART_PATTERNS: dict[str, tuple[tuple[str, int], ...]] = {
    "leadership_duty": (
        (r"第一责任人", 5),
        (r"(?:主要|单位)负责人.{0,8}(?:履行|履职|职责)", 5),
        (r"履行.{0,12}职责", 3),
        (r"述法", 3),
        (r"(?:党政|主要)负责人", 2),
    ),
    "shortcomings": (
        (r"存在的?(?:主要)?(?:问题|不足|困难|差距|短板)", 5),
        (r"(?:问题|不足|短板|差距)(?:和|及|与)(?:原因|不足|问题|差距)", 5),
        (r"不足|短板|差距|薄弱环节", 3),
        (r"问题|困难|原因", 2),
    ),
    "next_year_plan": (
        (r"下一?(?:步|年度?)", 5),
        (r"明年", 5),
        (r"20\d\d年度?(?:的)?(?:工作)?(?:计划|打算|安排|思路|重点|目标)", 5),
        (r"(?:工作|主要)?(?:计划|打算|安排|思路|努力方向|工作重点|今后)", 3),
    ),
    "other": ((r"其他(?:需要)?(?:报告|说明)?的?(?:情况|事项)", 5),),
    "measures_and_results": (
        (r"举措|成效|成绩|做法|工作开展情况|开展情况|主要工作|工作情况|完成情况", 4),
        (r"一年来|(?:20\d\d年度?|今年|本年度?|全年)(?:的|以来)?(?:主要)?(?:法治)?(?:建设)?工作", 4),
        (r"(?:推进|进展|落实|开展)情况|工作成果|主要成绩|工作亮点|特色亮点", 4),
        (r"推进法治政府建设(?:的)?(?:情况|工作)", 2),
        (r"工作(?:总结|回顾)|基本情况", 3),
    ),
}
_COMPILED_PARTS = {
    key: tuple((re.compile(pattern), weight) for pattern, weight in patterns)
    for key, patterns in _PART_PATTERNS.items()
}


@dataclass
class Heading:
    line: int
    style: str
    text: str  # the heading's words, without its number
    keys: list[tuple[str, int, int]]  # (part key, score, position of the match), best first


def _heading_text(body: str) -> str:
    """A heading and its first sentence often share a line: 「（一）加强组织领导。全镇……」."""
    cut = re.split(r"[。：:；;！？]", body, maxsplit=1)[0]
    return cut[:HEADING_MAX]


def classify_heading(text: str) -> list[tuple[str, int, int]]:
    """Candidate parts of a heading's text with a score and where it matched, best first."""
    found = []
    for key, patterns in _COMPILED_PARTS.items():
        best = None
        for pattern, weight in patterns:
            match = pattern.search(text)
            if match and (best is None or weight > best[0]):
                best = (weight, match.start())
        if best:
            found.append((key, best[0], best[1]))
    found.sort(key=lambda item: (-item[1], item[2]))
    return found


def _headings(lines: list[str], hints: dict[int, int]) -> list[Heading]:
    found = []
    for index, line in enumerate(lines):
        if not line:
            continue
        style, body = None, line
        for name, pattern in _MARKERS:
            match = pattern.match(line)
            if match:
                style, body = name, line[match.end() :]
                break
        if style is None:
            # Word's own heading styles or automatic numbering carry no number in the text.
            if (
                index in hints
                or len(line) <= HEADING_MAX
                and not re.search(r"[。；;！？]$|[，,]", line)
            ):
                style = "plain"
            else:
                continue
        text = _heading_text(body)
        if not text:
            continue
        found.append(Heading(index, style, text, classify_heading(text)))
    return found


def _choose_level(headings: list[Heading]) -> str | None:
    """The numbering style of the document's parts: the one whose headings name the most parts
    (strongly), preferring the higher level on a tie."""
    best: str | None = None
    best_score = (0, 0, 0)
    for style in _STYLE_RANK:
        keys = {h.keys[0][0] for h in headings if h.style == style and h.keys and h.keys[0][1] >= 3}
        # Parts are headed plainly (「二、存在问题」); sub-headings only by the way
        # (「（三）解决突出问题」), so parts named strongly count first.
        strong = {
            h.keys[0][0] for h in headings if h.style == style and h.keys and h.keys[0][1] >= 5
        }
        score = (len(strong), len(keys), -_STYLE_RANK[style])
        if keys and score > best_score:
            best, best_score = style, score
    return best


_SIGNATURE = re.compile(
    r"^(?:[\u4e00-\u9fff]{2,16}(?:人民政府|委员会|办事处|党委|政府))$|^\d{4}年\d{1,2}月\d{1,2}日$"
)


@dataclass
class Split:
    sections: dict[str, str]
    headings: dict[str, str]
    preamble: str


def split_sections(text: str, *, hints: dict[int, int] | None = None) -> Split:
    """The five parts of a normalised report, by their headings; text before the first part is
    the preamble (title, addressee, opening), signature lines at the end are dropped."""
    lines = text.split("\n")
    while lines and (not lines[-1] or _SIGNATURE.match(lines[-1])):
        lines.pop()
    headings = _headings(lines, hints or {})
    level = _choose_level(headings)
    bounds: list[tuple[int, str, str]] = []  # (line, key, heading text)
    if level is not None:
        seen: set[str] = set()
        for heading in headings:
            if heading.style != level or not heading.keys:
                continue
            key, score, _ = heading.keys[0]
            if score < 3 and level == "plain":
                continue
            if key in seen:
                # A second heading of the same part continues it (e.g. 「二、工作成效」 after
                # 「一、主要举措」), unless it is clearly another part still missing.
                others = [k for k, s, _ in heading.keys if k not in seen and s >= 5]
                if not others:
                    continue
                key = others[0]
            seen.add(key)
            bounds.append((heading.line, key, heading.text))
    sections: dict[str, list[str]] = {}
    titles: dict[str, str] = {}
    if not bounds:
        return Split({}, {}, "\n".join(lines).strip())
    preamble = "\n".join(lines[: bounds[0][0]]).strip()
    keys = {key for _, key, _ in bounds}
    if "measures_and_results" not in keys and _SECOND.match(lines[bounds[0][0]]):
        # The parts start at 「二、」: the work of the year came first, without a heading.
        opening = [i for i in range(bounds[0][0]) if lines[i] and not _is_front_matter(lines[i])]
        if opening and sum(len(lines[i]) for i in opening) >= 30:
            bounds.insert(0, (opening[0], "measures_and_results", ""))
            preamble = "\n".join(lines[: opening[0]]).strip()
    for number, (line, key, title) in enumerate(bounds):
        end = bounds[number + 1][0] if number + 1 < len(bounds) else len(lines)
        first = lines[line]
        body_start = _rest_of_heading_line(first, title)
        chunk = ([body_start] if body_start else []) + lines[line + 1 : end]
        sections.setdefault(key, []).extend(chunk)
        titles.setdefault(key, title)
    joined = {key: _tidy("\n".join(chunk)) for key, chunk in sections.items()}
    joined = {key: value for key, value in joined.items() if value}
    _split_combined(joined, titles)
    return Split({key: joined[key] for key in SECTION_KEYS if key in joined}, titles, preamble)


_SECOND = re.compile(r"^(?:二\s*[、.．]|[（(]\s*二\s*[）)]|第二部分|2\s*[、．])")


def _is_front_matter(line: str) -> bool:
    """A title, an addressee (「区委、区政府：」) or a date before a report's text."""
    return bool(
        re.search(r"报告$|总结$|情况$|[：:]$", line)
        and len(line) <= HEADING_MAX
        or _SIGNATURE.match(line)
    )


def _rest_of_heading_line(line: str, title: str) -> str:
    """What follows the heading on its own line, when the first sentence shares it."""
    if not title:
        return line
    position = line.find(title)
    rest = line[position + len(title) :] if position >= 0 else ""
    return rest.lstrip("。：:；; ").strip()


def _tidy(text: str) -> str:
    return re.sub(r"\n{2,}", "\n", text).strip()


def _split_combined(sections: dict[str, str], titles: dict[str, str]) -> None:
    """「三、存在问题及下一步打算」 heads two parts at once: the second starts at its own
    sub-heading or at the first paragraph that opens with 「下一步」."""
    for key, title in list(titles.items()):
        second = [k for k, score, _ in classify_heading(title)[1:] if score >= 5]
        second = [k for k in second if k not in sections and k != key]
        if not second or key not in sections:
            continue
        other = second[0]
        paragraphs = sections[key].split("\n")
        for index, paragraph in enumerate(paragraphs[1:], start=1):
            head = _heading_text(_strip_marker(paragraph))
            candidates = classify_heading(head)
            opens = candidates and candidates[0][0] == other and candidates[0][1] >= 5
            if opens and candidates[0][2] <= 2:
                sections[key] = "\n".join(paragraphs[:index]).strip()
                sections[other] = "\n".join(paragraphs[index:]).strip()
                titles[other] = head
                break


def _strip_marker(line: str) -> str:
    for _, pattern in _MARKERS:
        match = pattern.match(line)
        if match:
            return line[match.end() :]
    return line
