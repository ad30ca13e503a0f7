"""Reading a township's report written as free text (a Word file or pasted text).

It finds the five parts however they are headed and numbered, the township and the year, and the
figures of the data elements with the clause each came from. Everything here is pure text work, so
the import page, the completeness score and the `extract_report` command share one reading.

jieba segments the text so that keywords are matched as words (「村」 must not match 「农村」), with
a dictionary of domain terms shipped in reports/data/jieba_terms.txt. Its dictionary loads once per
process; its cache lives in VAR_DIR/jieba, a folder the portal can write to.
"""

from __future__ import annotations

import re
import threading
from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from .sections import REQUIRED_SECTION_KEYS, SECTION_KEYS

TERMS_FILE = Path(__file__).resolve().parent / "data" / "jieba_terms.txt"

# --- jieba, loaded once per process -------------------------------------------------------------

_tokenizer = None
_tokenizer_lock = threading.Lock()


def tokenizer():
    """The process's jieba tokenizer with the domain terms, built on first use (about 1 s)."""
    global _tokenizer
    if _tokenizer is None:
        with _tokenizer_lock:
            if _tokenizer is None:
                import jieba
                from django.conf import settings

                jieba.setLogLevel(60)  # its start-up chatter goes to stderr, not to our users
                cache_dir = Path(settings.VAR_DIR) / "jieba"
                cache_dir.mkdir(parents=True, exist_ok=True)
                built = jieba.Tokenizer()
                built.tmp_dir = str(cache_dir)
                built.initialize()
                built.load_userdict(str(TERMS_FILE))
                _tokenizer = built
    return _tokenizer


def words(text: str) -> list[tuple[str, int, int]]:
    """(word, start, end) for every jieba word of text. Without HMM: unknown words then fall
    apart into characters, which keyword matching and name finding handle, at twice the speed."""
    return list(tokenizer().tokenize(text, HMM=False))


# --- normalisation ------------------------------------------------------------------------------

_CHAR_MAP = {ord("０") + i: ord("0") + i for i in range(10)}
_CHAR_MAP.update(
    {
        ord("％"): "%",
        ord("﹪"): "%",
        ord("\u00a0"): " ",
        ord("\u3000"): " ",
        ord("\u2002"): " ",
        ord("\u2003"): " ",
        ord("\u2009"): " ",
        ord("\u200b"): None,
        ord("\ufeff"): None,
        ord("\t"): " ",
    }
)
# Word's "save as text" leaves bookmarks and field codes behind, e.g. "[bookmark: _GoBack]".
_ARTEFACTS = re.compile(r"\[bookmark: [^\]]*\]")
_FULLWIDTH_DECIMAL = re.compile(r"(?<=\d)[．。·](?=\d)")


def normalise(text: str) -> str:
    """Text as the analysis reads it: half-width digits and %, plain spaces, no Word artefacts,
    one line per paragraph. Chinese punctuation is kept: it is the user's text."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(_CHAR_MAP)
    text = _ARTEFACTS.sub("", text)
    text = _FULLWIDTH_DECIMAL.sub(".", text)
    lines = [re.sub(r" {2,}", " ", line).strip() for line in text.split("\n")]
    return "\n".join(lines).strip()


# --- Chinese numerals ---------------------------------------------------------------------------

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6}
_CN_DIGITS.update({"七": 7, "八": 8, "九": 9})
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
CN_NUMERAL = "零〇一二两三四五六七八九十百千万"


def chinese_to_int(numeral: str) -> int | None:
    """三 → 3, 十二 → 12, 二十 → 20, 一百零五 → 105, 三千二百 → 3200, 两万 → 20000."""
    if not numeral or any(ch not in CN_NUMERAL for ch in numeral):
        return None
    total = section = digit = 0
    for ch in numeral:
        if ch in _CN_DIGITS:
            digit = _CN_DIGITS[ch]
        elif ch in _CN_UNITS:
            section += (digit or 1) * _CN_UNITS[ch]
            digit = 0
        else:  # 万
            total += (section + digit) * 10000
            section = digit = 0
    return total + section + digit


def parse_number(token: str) -> Decimal | None:
    """An Arabic or Chinese number, with 万/千 multipliers: 1.2万 → 12000, 三 → 3."""
    multiplier = 1
    if len(token) > 1 and token[-1] in "万千" and token[:-1].replace(".", "").isdigit():
        multiplier = 10000 if token[-1] == "万" else 1000
        token = token[:-1]
    if re.fullmatch(r"\d+(?:\.\d+)?", token):
        return Decimal(token) * multiplier
    value = chinese_to_int(token)
    return None if value is None else Decimal(value)


# --- document structure -------------------------------------------------------------------------

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
    best, best_score = None, (0, 0)
    for style in _STYLE_RANK:
        keys = {h.keys[0][0] for h in headings if h.style == style and h.keys and h.keys[0][1] >= 3}
        score = (len(keys), -_STYLE_RANK[style])
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


def _rest_of_heading_line(line: str, title: str) -> str:
    """What follows the heading on its own line, when the first sentence shares it."""
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


# --- township and year --------------------------------------------------------------------------

_NOT_NAME_START = set("我本全该各每乡镇村城市县区省在对为和与及是由将把被向从至于了的年")
_NOT_NAMES = {"乡镇", "城镇", "村镇", "集镇", "市镇", "城乡", "乡村", "各乡镇", "全乡镇", "小城镇"}


def find_township(
    text: str, *, known: tuple[str, ...] = (), tokens: list | None = None
) -> str | None:
    """The reporting township: a known name if the text names one, otherwise the place name
    ending in 乡/镇/街道 that the title and the text name most often."""
    lines = [line for line in text.split("\n") if line][:6]
    head = "\n".join(lines)
    if known:
        counts = Counter({name: text.count(name) + 5 * head.count(name) for name in known})
        name, count = counts.most_common(1)[0] if counts else (None, 0)
        if count:
            return name
    votes: Counter[str] = Counter()
    tokens = words(text) if tokens is None else tokens
    for index, (word, start, _end) in enumerate(tokens):
        if word not in ("乡", "镇", "街道", "街道办事处") and not (
            len(word) >= 3 and word[-1] in "乡镇" and word not in _NOT_NAMES
        ):
            continue
        if len(word) >= 3 and word[-1] in "乡镇":
            name = word
        else:
            # A known word before the suffix is the name (莲池|镇); an unknown name falls apart
            # into single characters (老|颜|集|乡), which are joined back, up to four.
            stem = ""
            for previous, _s, _e in reversed(tokens[max(0, index - 4) : index]):
                if not re.fullmatch(r"[\u4e00-\u9fff]+", previous):
                    break
                if len(previous) > 1:
                    if not stem:
                        stem = previous
                    break
                stem = previous + stem
                if len(stem) >= 4:
                    break
            name = stem + ("街道" if word.startswith("街道") else word)
        name = _trim_name(name)
        if name:
            votes[name] += 1 + (5 if start < len(head) else 0)
    return votes.most_common(1)[0][0] if votes else None


def _trim_name(name: str) -> str | None:
    while name and name[0] in _NOT_NAME_START and len(name) > 3:
        name = name[1:]
    suffix = "街道" if name.endswith("街道") else name[-1:]
    stem = name[: -len(suffix)] if suffix else ""
    if len(stem) < 2 or name in _NOT_NAMES or stem[0] in _NOT_NAME_START:
        return None
    if re.search(r"[法治政府建设工作推进乡镇村]", stem[-1]):
        return None
    return name


_YEAR = re.compile(r"(20\d\d)\s*年")


def find_year(text: str) -> int | None:
    """The year reported on: the title's year, else the year the opening speaks of."""
    lines = [line for line in text.split("\n") if line]
    for line in lines[:4]:
        if re.search(r"报告|总结|情况", line):
            match = _YEAR.search(line)
            if match:
                return int(match.group(1))
    years = Counter(int(year) for year in _YEAR.findall("\n".join(lines[:8])))
    if years:
        return years.most_common(1)[0][0]
    years = Counter(int(year) for year in _YEAR.findall(text))
    return years.most_common(1)[0][0] if years else None


# --- figures ------------------------------------------------------------------------------------

_UNITS = "份（册）|份\\(册\\)|人次|件次|场次|户次|余人|个|名|人|件|起|宗|次|场|期|份|册|本|张|套|位|家|项|条"
_MENTION = re.compile(
    r"(?P<pre>近|约|逾|超过|将近|大约)?"
    r"(?P<num>\d+(?:\.\d+)?(?:万|千)?|[零〇一二两三四五六七八九十百千万]+)"
    r"(?P<approx>余|多|来)?"
    rf"(?P<unit>{_UNITS})"
    r"(?P<post>左右|以上|之多)?"
)
_PERCENT = re.compile(r"(?P<num>\d+(?:\.\d+)?)\s*%")
_CLAUSE_END = "，,；;。！？!?：:\n"
_SENTENCE_END = "；;。！？!?\n"


@dataclass(frozen=True)
class Mention:
    value: Decimal
    approximate: bool
    unit: str
    start: int
    end: int
    clause_start: int
    clause_end: int
    previous_start: int  # start of the clause before, in the same sentence
    sentence_start: int
    sentence_end: int


def _clause_bounds(text: str, start: int, end: int, stops: str) -> tuple[int, int]:
    left = start
    while left > 0 and text[left - 1] not in stops:
        left -= 1
    right = end
    while right < len(text) and text[right] not in stops:
        right += 1
    return left, right


def mentions(text: str) -> list[Mention]:
    """Every 「number + unit」 in the text, Arabic or Chinese, with 余/多/近/约 as approximate."""
    found = []
    for match in _MENTION.finditer(text):
        number = match.group("num")
        start = match.start()
        if not number[0].isdigit():
            # 第一, 一是 and set phrases are not counts; a Chinese count follows a verb or 共.
            if start > 0 and text[start - 1] in "第每":
                continue
            # 「近百次」 and 「上千份」 are round approximate counts; a bare 十 or 万 is not a count.
            if number in ("万", "千", "百", "十") and not (
                match.group("pre") or (start > 0 and text[start - 1] == "上")
            ):
                continue
        elif start > 0 and (text[start - 1].isdigit() or text[start - 1] in ".-"):
            continue
        value = parse_number(number)
        if value is None:
            continue
        unit = match.group("unit").replace("(", "（").replace(")", "）")
        if unit == "余人":
            unit = "人"
        approximate = bool(match.group("pre") or match.group("approx") or match.group("post"))
        approximate = approximate or match.group("unit") == "余人"
        approximate = approximate or (start > 0 and text[start - 1] == "上")
        clause_start, clause_end = _clause_bounds(text, start, match.end(), _CLAUSE_END)
        sentence_start, sentence_end = _clause_bounds(text, start, match.end(), _SENTENCE_END)
        previous_start = clause_start
        if clause_start - 1 > sentence_start:
            previous_start, _ = _clause_bounds(
                text, clause_start - 1, clause_start - 1, _CLAUSE_END
            )
            previous_start = max(previous_start, sentence_start)
        found.append(
            Mention(
                value=value,
                approximate=approximate,
                unit=unit,
                start=match.start("num") if not match.group("pre") else match.start(),
                end=match.end(),
                clause_start=clause_start,
                clause_end=clause_end,
                previous_start=previous_start,
                sentence_start=sentence_start,
                sentence_end=sentence_end,
            )
        )
    return found


@dataclass(frozen=True)
class Rule:
    """How a data element is written: the units it is counted in (the first preferred), words
    that must be near it (any of `need`, in its clause or the one before), words that add
    confidence, words that rule it out in its own clause, and words that must follow the unit
    (「26个行政村」 counts villages)."""

    code: str
    units: tuple[str, ...]
    need: tuple[str, ...]
    bonus: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    after: tuple[str, ...] = ()
    also_need: tuple[str, ...] = ()
    # Several counts of one list add up: 「辖12个行政村、2个社区」, 「发放民法典100本，资料120份」.
    sum_within: str = ""  # "clause" or "sentence"


RULES: tuple[Rule, ...] = (
    Rule(
        "villages_total",
        ("个",),
        need=(
            "辖",
            "下辖",
            "管辖",
            "共有",
            "共辖",
            "全乡",
            "全镇",
            "全街道",
            "我乡",
            "我镇",
            "本乡",
            "本镇",
            "辖区",
            "总数",
            "所有",
            "现有",
            "共",
            "全部",
        ),
        after=("行政村", "村（社区）", "村(社区)", "村（居）", "社区", "村", "村委会", "居委会"),
        exclude=("示范村", "试点", "帮扶", "援助", "重点村"),
        sum_within="clause",
    ),
    Rule(
        "villages_with_legal_advisor",
        ("个",),
        need=("法律顾问",),
        bonus=("配备", "聘请", "覆盖", "担任", "实现", "全覆盖"),
        after=("行政村", "村（社区）", "村(社区)", "村（居）", "社区", "村"),
        exclude=("援助",),
    ),
    Rule(
        "gov_legal_advisors",
        ("名", "人", "位"),
        need=("法律顾问", "律师"),
        also_need=("聘请", "聘用", "政府", "聘任", "常年", "签订"),
        bonus=("政府法律顾问", "乡政府", "镇政府"),
        exclude=("村", "社区", "咨询", "人次"),
    ),
    Rule(
        "legality_reviews",
        ("件", "份", "项", "次", "件次"),
        need=("合法性审查", "合法性审核", "审查", "审核"),
        also_need=("合同", "规范性文件", "决策", "文件", "合法性审查", "合法性审核", "协议"),
        bonus=("合法性审查", "合法性审核", "法律顾问"),
        exclude=("备案", "援助"),
    ),
    Rule(
        "rule_of_law_meetings",
        ("次", "场", "期"),
        need=("专题会议", "专题会", "党委会", "常务会", "会议", "专题研究", "研究", "听取"),
        also_need=("法治", "依法治", "法治建设", "法治政府", "依法行政"),
        bonus=("专题研究", "专题会议", "党委会"),
        exclude=("讲座", "培训", "学习", "学法", "考试", "宣传", "演练", "调解"),
    ),
    Rule(
        "leadership_study_sessions",
        ("次", "场", "期", "场次"),
        need=("中心组", "专题学习", "学法", "集中学习", "会前学法"),
        bonus=("中心组", "党委", "班子", "领导干部", "理论学习"),
        exclude=("讲座", "培训", "考试", "宣传", "群众", "中小学", "学生", "演练"),
    ),
    Rule(
        "staff_law_trainings",
        ("场", "次", "期", "场次"),
        need=("讲座", "培训", "授课", "集中学法", "法治课", "辅导"),
        bonus=("干部", "职工", "法治讲座", "法治培训", "专题讲座"),
        exclude=("演练", "考试", "咨询"),
    ),
    Rule(
        "staff_exam_participants",
        ("人次", "人", "名"),
        need=("考试", "测试", "参考", "考核"),
        bonus=("学法", "干部", "法律知识", "法治理论"),
        exclude=("执法证", "申领", "执法资格"),
    ),
    Rule(
        "certified_enforcement_officers",
        ("人", "名"),
        need=("执法证", "执法证件", "执法资格", "持证"),
        bonus=("执法人员", "持有", "取得", "申领", "考取"),
        exclude=("考试人次",),
    ),
    Rule(
        "legal_consultations",
        ("人次", "人", "次", "件", "件次"),
        need=("法律咨询", "咨询"),
        bonus=("解答", "服务对象", "法律服务", "法律顾问"),
        # 「法律咨询活动3次」 counts events, not the people served.
        exclude=("培训", "活动"),
    ),
    Rule(
        "publicity_events",
        ("场", "场次", "次", "期"),
        need=("普法", "法治宣传", "宣传活动", "宣讲", "送法", "法律进", "普法宣传", "宣传"),
        bonus=("普法宣传", "宣传活动", "活动"),
        exclude=("资料", "手册", "发放", "新媒体", "微信", "演练", "培训", "讲座"),
    ),
    Rule(
        "publicity_materials",
        ("份", "份（册）", "册", "本", "张", "套"),
        need=("发放", "印发", "散发", "赠送", "派发"),
        bonus=("资料", "手册", "宣传册", "宣传资料", "明白纸", "读本", "普法", "宣传单"),
        exclude=("合同", "文件", "审查"),
        sum_within="sentence",
    ),
    Rule(
        "disputes_mediated",
        ("件", "起", "宗"),
        need=("纠纷", "矛盾纠纷", "矛盾"),
        also_need=("排查", "调处", "调解", "化解", "处理", "受理", "排查调处"),
        bonus=("排查", "调处", "受理"),
        exclude=("调解成功", "成功调解", "成功化解", "化解成功", "调处成功", "成功"),
    ),
    Rule(
        "disputes_resolved",
        ("件", "起", "宗"),
        need=("调解成功", "成功调解", "成功化解", "化解成功", "调处成功", "成功"),
        also_need=("纠纷", "矛盾", "调解", "化解", "调处"),
        bonus=("调解成功", "成功调解"),
    ),
    Rule(
        "admin_lawsuits",
        ("件", "起", "宗"),
        need=("行政诉讼", "应诉案件", "行政案件", "被诉", "行政应诉"),
        bonus=("行政诉讼", "应诉"),
        exclude=("出庭", "复议"),
    ),
    Rule(
        "head_appearances",
        ("件", "次", "起", "人次"),
        need=("出庭",),
        bonus=("负责人", "领导", "乡长", "镇长", "出庭应诉"),
    ),
    Rule(
        "emergency_drills",
        ("次", "场", "场次", "期"),
        need=("演练", "演习"),
        bonus=("应急", "应急演练", "突发事件"),
    ),
)
RULES_BY_CODE = {rule.code: rule for rule in RULES}


@dataclass(frozen=True)
class Figure:
    code: str
    value: int
    approximate: bool
    evidence: str  # the clause(s) that state it
    sentence: str  # the whole sentence, for highlighting
    evidence_start: int  # where the evidence starts in the sentence


def _has(tokens: set[str], text: str, word: str) -> bool:
    """A one-character keyword must be a whole jieba word; longer ones may sit inside a word."""
    if len(word) == 1:
        return word in tokens
    return word in text


def _score(rule: Rule, mention: Mention, text: str, tokens_of) -> tuple[int, int] | None:
    """(score, start of evidence) of a mention for a rule, or None when it cannot be that figure."""
    if mention.unit not in rule.units:
        return None
    own = text[mention.clause_start : mention.clause_end]
    before = text[mention.previous_start : mention.clause_start]
    own_tokens = tokens_of(mention.clause_start, mention.clause_end)
    before_tokens = tokens_of(mention.previous_start, mention.clause_start)
    if any(_has(own_tokens, own, word) for word in rule.exclude):
        return None
    tail = text[mention.end : mention.end + 8]
    if rule.after and not any(tail.startswith(word) for word in rule.after):
        return None
    score, evidence_start = 0, mention.clause_start
    if any(_has(own_tokens, own, word) for word in rule.need):
        score += 4
    elif any(_has(before_tokens, before, word) for word in rule.need):
        score += 2
        evidence_start = mention.previous_start
    else:
        return None
    if rule.also_need:
        if any(_has(own_tokens, own, word) for word in rule.also_need):
            score += 1
        elif any(_has(before_tokens, before, word) for word in rule.also_need):
            evidence_start = mention.previous_start
        else:
            return None
    score += sum(1 for word in rule.bonus if _has(own_tokens, own, word))
    if mention.unit == rule.units[0]:
        score += 1
    return score, evidence_start


def _to_int(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def extract_figures(text: str, *, tokens: list | None = None) -> dict[str, Figure]:
    """The figure of each data element the text states, with its evidence. Each number is used
    for one element only, except that 「全镇26个行政村法律顾问覆盖率达100%」 states two."""
    found = mentions(text)
    token_index = words(text) if tokens is None else tokens
    starts = [start for _, start, _ in token_index]
    cache: dict[tuple[int, int], set[str]] = {}

    def tokens_of(start: int, end: int) -> set[str]:
        if (start, end) not in cache:
            window = token_index[bisect_left(starts, start) : bisect_right(starts, end)]
            cache[start, end] = {word for word, _, stop in window if stop <= end}
        return cache[start, end]

    candidates = []
    for number, mention in enumerate(found):
        for rule in RULES:
            scored = _score(rule, mention, text, tokens_of)
            if scored:
                candidates.append((scored[0], -mention.start, rule.code, number, scored[1]))
    candidates.sort(reverse=True)
    taken: dict[str, Figure] = {}
    used: dict[int, str] = {}
    shared = {"villages_total", "villages_with_legal_advisor"}
    for _, _, code, number, evidence_start in candidates:
        if code in taken:
            continue
        if number in used and {used[number], code} != shared:
            continue
        mention = found[number]
        taken[code] = _figure(code, mention, text, evidence_start)
        used[number] = code
        rule = RULES_BY_CODE[code]
        if rule.sum_within:
            _add_listed(taken, used, rule, number, found, candidates, text)
    _derive_from_rates(text, taken)
    _zero_statements(text, taken)
    return {code: taken[code] for code in RULES_BY_CODE if code in taken}


def _add_listed(taken, used, rule: Rule, number: int, found, candidates, text: str) -> None:
    """Adds the other counts of the same list to the figure just taken."""
    first = found[number]
    scope = "clause" if rule.sum_within == "clause" else "sentence"
    same = [
        other
        for _s, _p, code, other, _e in candidates
        if code == rule.code
        and other != number
        and other not in used
        and getattr(found[other], f"{scope}_start") == getattr(first, f"{scope}_start")
    ]
    if not same:
        return
    listed = sorted({number, *same}, key=lambda index: found[index].start)
    total = sum(found[index].value for index in listed)
    start = taken[rule.code].evidence_start + first.sentence_start
    end = found[listed[-1]].clause_end
    figure = taken[rule.code]
    taken[rule.code] = Figure(
        code=rule.code,
        value=_to_int(total),
        approximate=any(found[index].approximate for index in listed),
        evidence=text[max(start, first.sentence_start) : end].strip(),
        sentence=figure.sentence,
        evidence_start=max(0, start - first.sentence_start),
    )
    for index in listed:
        used[index] = rule.code


def _figure(code: str, mention: Mention, text: str, evidence_start: int) -> Figure:
    sentence = text[mention.sentence_start : mention.sentence_end]
    return Figure(
        code=code,
        value=_to_int(mention.value),
        approximate=mention.approximate or mention.value != mention.value.to_integral(),
        evidence=text[evidence_start : mention.clause_end].strip(),
        sentence=sentence,
        evidence_start=max(0, evidence_start - mention.sentence_start),
    )


# 「全年未发生行政诉讼案件」 states a zero, which differs from not saying anything.
_ZEROS = (
    (
        "admin_lawsuits",
        re.compile(
            r"(?:未发生|没有发生|未出现|没有|无|零)(?:一起|任何)?(?:行政诉讼|行政应诉|被诉行政)案件"
        ),
    ),
    ("admin_lawsuits", re.compile(r"行政(?:诉讼|应诉)案件(?:为零|为0|0件|0起)")),
)


def _stated_in_clause(code: str, text: str, match, value: int, approximate: bool) -> Figure:
    """A figure whose evidence is the whole clause of a match (a rate, a stated zero)."""
    left, right = _clause_bounds(text, match.start(), match.end(), _CLAUSE_END)
    sentence_left, sentence_right = _clause_bounds(text, match.start(), match.end(), _SENTENCE_END)
    return Figure(
        code=code,
        value=value,
        approximate=approximate,
        evidence=text[left:right].strip(),
        sentence=text[sentence_left:sentence_right],
        evidence_start=left - sentence_left,
    )


def _zero_statements(text: str, taken: dict[str, Figure]) -> None:
    for code, pattern in _ZEROS:
        match = None if code in taken else pattern.search(text)
        if match:
            taken[code] = _stated_in_clause(code, text, match, 0, False)


# (figure to derive, the figure it is a share of, words that name the rate)
_RATES = (
    (
        "villages_with_legal_advisor",
        "villages_total",
        ("法律顾问",),
        ("覆盖率", "覆盖面", "配备率", "全覆盖"),
    ),
    ("disputes_resolved", "disputes_mediated", ("调解", "化解", "调处"), ("成功率",)),
    ("head_appearances", "admin_lawsuits", ("出庭",), ("出庭率", "应诉率", "出庭应诉率")),
)


def _rates_in(text: str):
    """Every stated percentage; 「全覆盖」 states 100%."""
    return sorted(
        [*_PERCENT.finditer(text), *_FULL_COVER.finditer(text)], key=lambda match: match.start()
    )


_FULL_COVER = re.compile(r"(?P<num>)全覆盖")


def _derive_from_rates(text: str, taken: dict[str, Figure]) -> None:
    """「调解成功率达100%」 with 90 disputes mediated states 90 resolved."""
    for code, base, subject, names in _RATES:
        if code in taken or base not in taken:
            continue
        for match in _rates_in(text):
            left, right = _clause_bounds(text, match.start(), match.end(), _CLAUSE_END)
            clause = text[left:right]
            sentence_left, _ = _clause_bounds(text, match.start(), match.end(), _SENTENCE_END)
            context = text[max(sentence_left, left - 30) : right]
            if not any(name in clause for name in names):
                continue
            if not any(word in context for word in subject):
                continue
            rate = Decimal(match.group("num") or 100)
            if rate > 100:
                continue
            value = taken[base].value * rate / 100
            approximate = taken[base].approximate or value != value.to_integral()
            taken[code] = _stated_in_clause(code, text, match, _to_int(value), approximate)
            break


# --- the whole reading --------------------------------------------------------------------------


@dataclass
class Extraction:
    township: str | None
    year: int | None
    sections: dict[str, str]
    headings: dict[str, str]
    preamble: str
    metrics: dict[str, Figure] = field(default_factory=dict)

    @property
    def missing_sections(self) -> list[str]:
        return [key for key in REQUIRED_SECTION_KEYS if not self.sections.get(key)]

    def as_contract(self) -> dict:
        """DOMAIN.md's JSON for `extract_report`."""
        return {
            "township": self.township,
            "year": self.year,
            "sections": dict(self.sections),
            "missing_sections": self.missing_sections,
            "metrics": {
                code: {
                    "value": figure.value,
                    "approximate": figure.approximate,
                    "evidence": figure.evidence,
                }
                for code, figure in self.metrics.items()
            },
        }


def extract(
    text: str, *, known_townships: tuple[str, ...] = (), hints: dict[int, int] | None = None
) -> Extraction:
    """Everything the portal reads from a report's free text."""
    clean = normalise(text)
    split = split_sections(clean, hints=hints)
    tokens = words(clean)
    return Extraction(
        township=find_township(clean, known=known_townships, tokens=tokens),
        year=find_year(clean),
        sections=split.sections,
        headings=split.headings,
        preamble=split.preamble,
        metrics=extract_figures(clean, tokens=tokens),
    )


# --- completeness of structured reports ---------------------------------------------------------

_PLACEHOLDER = re.compile(
    r"^[\s。．.、，,…-]*(?:无|暂无|没有|略|同上|待补充|未填|无其他情况)?[\s。．.、，,…-]*$"
)


def part_is_present(text: str) -> bool:
    """A part counts only with real content: 「无」 or 「略」 is not a part."""
    return bool(text and text.strip()) and not _PLACEHOLDER.match(text.strip())


def parts_present(parts: dict[str, str]) -> dict[str, bool]:
    """Which parts a report really has. A clerk who pastes the whole report into one box still
    has its parts: the headings inside that box count too."""
    present = {key: part_is_present(parts.get(key, "")) for key in SECTION_KEYS}
    for key in SECTION_KEYS:
        content = parts.get(key) or ""
        if content.count("\n") < 2:
            continue
        split = split_sections(normalise(content))
        if len(split.sections) < 2:
            continue
        for found, section_text in split.sections.items():
            if part_is_present(section_text):
                present[found] = True
    return present


def missing_parts(parts: dict[str, str]) -> list[str]:
    """Required parts a report lacks, in official order (stored on Report.missing_parts)."""
    present = parts_present(parts)
    return [key for key in REQUIRED_SECTION_KEYS if not present[key]]
