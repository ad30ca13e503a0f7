"""The figures of the data elements a report's text states, each with the clause it came from."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from .normalise import parse_number
from .tokens import words

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


def _score(
    rule: Rule, mention: Mention, text: str, tokens_of: Callable[[int, int], set[str]]
) -> tuple[int, int] | None:
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


def extract_figures(
    text: str, *, tokens: list[tuple[str, int, int]] | None = None
) -> dict[str, Figure]:
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

    candidates: list[Candidate] = []
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


Candidate = tuple[int, int, str, int, int]  # (score, -position, code, mention number, evidence)


def _add_listed(
    taken: dict[str, Figure],
    used: dict[int, str],
    rule: Rule,
    number: int,
    found: list[Mention],
    candidates: list[Candidate],
    text: str,
) -> None:
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
    total = sum((found[index].value for index in listed), Decimal(0))
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


def _stated_in_clause(
    code: str, text: str, match: re.Match[str], value: int, approximate: bool
) -> Figure:
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


def _rates_in(text: str) -> list[re.Match[str]]:
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
