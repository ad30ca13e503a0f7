"""The figures of the data elements a report's text states, each with the clause it came from."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

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
    # A sum of counts the text does not add up itself is offered to check, not filled.
    sum_sure: bool = True
    # `need` must come before the number (「全部」 after 「8个行政村」 says something else).
    need_before: bool = False
    # One of these must be near (its own part of the clause, the clause before, or after).
    context: tuple[str, ...] = ()
    # Ruled out when near, not only in its own clause (「公职人员」 in 「中心组和公职人员学法12次」).
    exclude_near: tuple[str, ...] = ()
    # Words of other things a list may name beside `need` (「党委会、办公会、中心组学法8次」):
    # such a count is shared by several things, offered to check.
    pure_list: tuple[str, ...] = ()
    # A second group of words one of which must be near as well.
    context2: tuple[str, ...] = ()
    # Words that make a count one named activity among others, not the year's total.
    subset: tuple[str, ...] = ()


# Words that say a count is about law, not study or publicity in general.
_LAW_WORDS = ("法治", "学法", "法律", "法规", "宪法", "民法典", "普法", "依法", "条例", "法典")
# Words that say who is trained: the township's own staff, not the public.
_STAFF_WORDS = (
    "干部",
    "职工",
    "工作人员",
    "执法人员",
    "党员",
    "公职人员",
    "两委",
    "班子",
    "网格员",
    "调解员",
)

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
        need_before=True,
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
        also_need=("聘请", "聘用", "政府", "聘任", "常年", "签订", "配备"),
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
        exclude=("讲座", "培训", "中心组", "学法", "考试", "宣传", "演练", "调解"),
    ),
    Rule(
        "leadership_study_sessions",
        ("次", "场", "期", "场次"),
        need=("中心组",),
        bonus=("学法", "党委", "党工委", "理论学习"),
        exclude=("讲座", "培训", "考试", "宣传", "群众", "中小学", "学生", "演练"),
        context=_LAW_WORDS,
        exclude_near=("公职人员", "干部职工", "全体", "乡村干部", "村干部", "机关干部"),
        pure_list=("会", "联席", "办公"),
    ),
    Rule(
        "staff_law_trainings",
        ("场", "次", "期", "场次"),
        need=("讲座", "培训", "授课", "法治课", "集中学法"),
        bonus=("干部", "职工", "法治讲座", "法治培训", "专题讲座"),
        exclude=("演练", "考试", "咨询", "等活动"),
        context=_STAFF_WORDS,
        context2=(*_LAW_WORDS, "执法"),
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
        pure_list=("服务", "政策", "援助", "调解", "办理"),
    ),
    Rule(
        "publicity_events",
        ("场", "场次", "次", "期"),
        need=("普法", "法治宣传", "宣传活动", "宣讲", "送法", "法律进", "普法宣传", "宣传"),
        bonus=("普法宣传", "宣传活动", "活动", "各类", "累计", "共"),
        exclude=("新媒体", "微信", "演练", "培训", "讲座"),
        context=_LAW_WORDS,
        subset=("“", "进校园", "进学校", "进村", "进社区", "进企业", "进农村", "专场", "进机关"),
    ),
    Rule(
        "publicity_materials",
        ("份", "份（册）", "册", "本", "张", "套"),
        need=("发放", "印发", "散发", "赠送", "派发"),
        bonus=("资料", "手册", "宣传册", "宣传资料", "明白纸", "读本", "普法", "宣传单"),
        exclude=("合同", "文件", "审查"),
        sum_within="sentence",
        sum_sure=False,
    ),
    Rule(
        "disputes_mediated",
        ("件", "起", "宗", "件次"),
        need=("纠纷", "矛盾纠纷", "矛盾"),
        also_need=("排查", "调处", "调解", "化解", "处理", "受理", "排查调处"),
        bonus=("排查", "调处", "受理"),
        exclude=("调解成功", "成功调解", "成功化解", "化解成功", "调处成功", "成功"),
    ),
    Rule(
        "disputes_resolved",
        ("件", "起", "宗", "件次"),
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


SURE = 0.8  # a figure at least this sure is filled in; below, the clerk is asked to check it


@dataclass(frozen=True)
class ElementWords:
    """A data element as the portal's admins configure it: its unit and its synonyms (the
    words a clause must say, the words that rule a clause out)."""

    code: str
    unit: str
    names: tuple[str, ...] = ()
    excludes: tuple[str, ...] = ()


# Units a count of an element in `unit` is also written in.
_UNIT_FAMILIES = {
    "人": ("人", "名", "位"),
    "名": ("名", "人", "位"),
    "件": ("件", "起", "宗", "件次"),
    "次": ("次", "场", "场次", "期"),
    "场": ("场", "场次", "次", "期"),
    "份": ("份", "份（册）", "册", "本", "张", "套"),
}


@lru_cache(maxsize=16)
def rules_for(vocabulary: tuple[ElementWords, ...] | None) -> tuple[Rule, ...]:
    """The rules of the configured data elements: an element's synonyms replace the built-in
    words (the default rows are those words); an element the code does not know is read by its
    unit and synonyms alone. Without a configuration, the built-in rules."""
    if vocabulary is None:
        return RULES
    rules = []
    for element in vocabulary:
        base = RULES_BY_CODE.get(element.code)
        if base is None:
            if not element.names:
                continue
            rules.append(
                Rule(
                    element.code,
                    _UNIT_FAMILIES.get(element.unit, (element.unit,)),
                    need=element.names,
                    exclude=element.excludes,
                )
            )
            continue
        rules.append(
            replace(
                base,
                need=element.names or base.need,
                exclude=element.excludes if element.names else base.exclude,
            )
        )
    return tuple(rules)


@dataclass(frozen=True)
class Figure:
    code: str
    value: int
    approximate: bool
    evidence: str  # the clause(s) that state it
    sentence: str  # the whole sentence, for highlighting
    evidence_start: int  # where the evidence starts in the sentence
    # 1.0 when the text plainly states it; lower when it is a guess to show as 「请核对」.
    confidence: float = 1.0

    @property
    def sure(self) -> bool:
        return self.confidence >= SURE


def _has(tokens: set[str], text: str, word: str) -> bool:
    """A one-character keyword must be a whole jieba word; longer ones may sit inside a word."""
    if len(word) == 1:
        return word in tokens
    return word in text


@dataclass(frozen=True)
class Near:
    """The text around a mention that speaks of it: its own part of the clause (up to the next
    count of a list: 「会议9次、审核合同5份」), the clause before (unless that clause has a count
    of its own, or is only a date, then the one before it), and the clause after."""

    own: tuple[int, int]
    before: tuple[int, int] | None
    after: tuple[int, int] | None
    wider: tuple[int, int] | None  # the clause before `before`, when `before` is only a date
    goes_on: bool = False  # the clause goes on about the count before (「共计服务对象1000人次」)


_SEPARATORS = "、和及与"
_FREQUENCY = re.compile(r"每(?:年|季度|季|月|周|半年|星期)")
_TOTAL = re.compile(r"全年|累计|共计|共|合计|总计")


def _near(text: str, found: list[Mention], number: int) -> Near:
    mention = found[number]
    own_start, own_end = mention.clause_start, mention.clause_end
    if number > 0 and found[number - 1].clause_start == mention.clause_start:
        own_start = found[number - 1].end
    if number + 1 < len(found) and found[number + 1].clause_start == mention.clause_start:
        following = found[number + 1].start
        cut = max(text.rfind(sep, mention.end, following) for sep in _SEPARATORS)
        own_end = cut if cut >= 0 else following
    counted = {(other.clause_start, other.clause_end) for other in found}

    def clause_before(position: int, floor: int) -> tuple[int, int] | None:
        if position <= floor:
            return None
        left, right = _clause_bounds(text, position - 1, position - 1, _CLAUSE_END)
        left = max(left, floor)
        return (left, right) if right > left else None

    before = clause_before(mention.clause_start, max(0, mention.clause_start - 200))
    wider = None
    if before and re.fullmatch(
        r"\s*(?:20\d\d年(?:度|以来)?|今年(?:以来)?|全年|一年来)?\s*", text[before[0] : before[1]]
    ):
        wider, before = clause_before(before[0], max(0, before[0] - 200)), None
    # A clause with a count of its own speaks of that count, unless this clause goes on about
    # the same thing (「解答法律咨询活动3次，共计服务对象1000人次」).
    goes_on = bool(_GOES_ON.match(text[own_start:own_end]))
    if before and before in counted and not goes_on:
        before = None
    after = None
    if mention.clause_end < len(text) and text[mention.clause_end] not in _SENTENCE_END:
        right = _clause_bounds(text, mention.clause_end + 1, mention.clause_end + 1, _CLAUSE_END)
        if right[1] > right[0]:
            after = right
    return Near(own=(own_start, own_end), before=before, after=after, wider=wider, goes_on=goes_on)


_GOES_ON = re.compile(r"^(?:共计|共|累计|合计|总计|服务|覆盖|惠及|受益|涉及|参与|接待)")
_PURPOSE = re.compile(r"^(?:专题)?(?:研究|部署|听取|解决|推进|学习|审议)")


def _score(
    rule: Rule,
    mention: Mention,
    near: Near,
    text: str,
    tokens_of: Callable[[int, int], set[str]],
) -> tuple[int, int, float] | None:
    """(score, start of evidence, confidence) of a mention for a rule, or None when it cannot be
    that figure."""
    if mention.unit not in rule.units:
        return None
    own = text[near.own[0] : near.own[1]]
    own_tokens = tokens_of(*near.own)

    def has(span: tuple[int, int] | None, words: tuple[str, ...]) -> bool:
        if span is None:
            return False
        part = text[span[0] : span[1]]
        tokens = tokens_of(*span)
        return any(_has(tokens, part, word) for word in words)

    if any(_has(own_tokens, own, word) for word in rule.exclude):
        return None
    if rule.exclude_near and (
        has(near.own, rule.exclude_near) or has(near.before, rule.exclude_near)
    ):
        return None
    if rule.after and not _names_what(text, mention, near.own[0], rule.after):
        return None
    lead = text[near.own[0] : mention.start]
    # 「每年年初召开一次专题会议」 states a rule, not the year's count.
    if _FREQUENCY.search(lead) and not _TOTAL.search(lead):
        return None
    score, evidence_start, confidence = 0, mention.clause_start, 1.0
    need_span = (near.own[0], mention.start) if rule.need_before else near.own
    if has(need_span, rule.need):
        score += 4
    elif not rule.need_before and has(near.before, rule.need):
        # The clause before speaks of it: its exclusions count too, and a list there that
        # names other things as well makes the count a shared one.
        if not near.goes_on and has(near.before, rule.exclude):
            return None
        score += 2
        evidence_start = near.before[0] if near.before else evidence_start
        if near.before and _mixed_list(text[near.before[0] : near.before[1]], rule):
            confidence = 0.5
    else:
        return None
    if rule.also_need:
        if has(near.own, rule.also_need):
            score += 1
        elif has(near.before, rule.also_need):
            evidence_start = min(evidence_start, near.before[0]) if near.before else evidence_start
        elif (
            near.after
            and _PURPOSE.match(text[near.after[0] : near.after[1]])
            and has(near.after, rule.also_need)
        ):
            pass
        else:
            return None
    if rule.context and not (
        has(near.own, rule.context)
        or has(near.before, rule.context)
        or has(near.wider, rule.context)
        or has(near.after, rule.context)
    ):
        return None
    if rule.context2 and not any(
        has(span, rule.context2) for span in (near.own, near.before, near.wider, near.after)
    ):
        return None
    score += sum(1 for word in rule.bonus if _has(own_tokens, own, word))
    if mention.unit == rule.units[0]:
        score += 1
    if _mixed_list(lead, rule):
        confidence = min(confidence, 0.5)
    if rule.subset and any(word in own for word in rule.subset):
        confidence = 0.5
    evidence_start = max(evidence_start, mention.sentence_start)
    return score, evidence_start, confidence


def _names_what(text: str, mention: Mention, floor: int, words: tuple[str, ...]) -> bool:
    """Whether the count is of one of `words`: 「26个行政村」, or 「行政村26个」, 「社区共2个」."""
    if any(text[mention.end : mention.end + 8].startswith(word) for word in words):
        return True
    lead = re.sub(
        r"(?:共有|共计|共|有|计)$", "", text[max(floor, mention.start - 12) : mention.start]
    )
    return any(lead.endswith(word) for word in words)


def _mixed_list(lead: str, rule: Rule) -> bool:
    """Whether the words before a count list several things, one named by the rule's `need`,
    another by one of its `pure_list` words (「镇党委会、理论学习中心组学法8次」)."""
    if not rule.pure_list:
        return False
    items = [item for item in lead.split("、") if item.strip()]
    if len(items) < 2:
        return False
    named = [any(word in item for word in rule.need) for item in items]
    other = [
        not is_named and any(word in item for word in rule.pure_list)
        for item, is_named in zip(items, named, strict=True)
    ]
    return any(named) and any(other)


def _to_int(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def extract_figures(
    text: str,
    *,
    tokens: list[tuple[str, int, int]] | None = None,
    rules: tuple[Rule, ...] = RULES,
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

    by_code = {rule.code: rule for rule in rules}
    candidates: list[Candidate] = []
    for number, mention in enumerate(found):
        near = _near(text, found, number)
        for rule in rules:
            scored = _score(rule, mention, near, text, tokens_of)
            if scored:
                score, evidence_start, confidence = scored
                candidates.append(
                    (confidence, score, -mention.start, rule.code, number, evidence_start)
                )
    candidates.sort(reverse=True)
    taken: dict[str, Figure] = {}
    used: dict[int, str] = {}
    shared = {"villages_total", "villages_with_legal_advisor"}
    for confidence, _, _, code, number, evidence_start in candidates:
        if code in taken:
            continue
        if number in used and {used[number], code} != shared:
            continue
        mention = found[number]
        taken[code] = _figure(code, mention, text, evidence_start, confidence)
        used[number] = code
        rule = by_code[code]
        if rule.sum_within:
            fits = {other for *_, other_code, other, _e in candidates if other_code == code}
            elsewhere = {other for *_, other_code, other, _e in candidates if other_code != code}
            _add_listed(taken, used, rule, number, found, text, fits, elsewhere)
    _derive_from_rates(text, taken)
    _zero_statements(text, taken)
    return {code: taken[code] for code in by_code if code in taken}


# (confidence, score, -position, code, mention number, evidence start)
Candidate = tuple[float, int, int, str, int, int]


def _add_listed(
    taken: dict[str, Figure],
    used: dict[int, str],
    rule: Rule,
    number: int,
    found: list[Mention],
    text: str,
    fits: set[int],
    elsewhere: set[int],
) -> None:
    """Adds the other counts of the same list to the figure just taken: the counts in its clause
    (or sentence) in the same unit that follow it (「辖12个行政村、2个社区」)."""
    first = found[number]
    scope = "clause" if rule.sum_within == "clause" else "sentence"
    same = [
        other
        for other, mention in enumerate(found)
        if other > number
        and other not in used
        and mention.unit in rule.units
        and getattr(mention, f"{scope}_start") == getattr(first, f"{scope}_start")
        and (
            other in fits
            or (bool(rule.after) and _names_what(text, mention, first.clause_start, rule.after))
            # 「发放民法典读本950余本，禁毒手册1500余本」: the list goes on without the verb.
            or (not rule.after and other not in elsewhere)
        )
    ]
    if not same:
        return
    listed = [number, *same]
    total = sum((found[index].value for index in listed), Decimal(0))
    figure = taken[rule.code]
    start = figure.evidence_start + first.sentence_start
    end = found[listed[-1]].clause_end
    taken[rule.code] = Figure(
        code=rule.code,
        value=_to_int(total),
        approximate=any(found[index].approximate for index in listed),
        evidence=text[max(start, first.sentence_start) : end].strip(),
        sentence=figure.sentence,
        evidence_start=max(0, start - first.sentence_start),
        confidence=figure.confidence if rule.sum_sure else min(figure.confidence, 0.5),
    )
    for index in listed:
        used[index] = rule.code


def _figure(
    code: str, mention: Mention, text: str, evidence_start: int, confidence: float = 1.0
) -> Figure:
    sentence = text[mention.sentence_start : mention.sentence_end]
    return Figure(
        code=code,
        value=_to_int(mention.value),
        approximate=mention.approximate or mention.value != mention.value.to_integral(),
        evidence=text[evidence_start : mention.clause_end].strip(),
        sentence=sentence,
        evidence_start=max(0, evidence_start - mention.sentence_start),
        confidence=confidence,
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
            figure = _stated_in_clause(code, text, match, _to_int(value), approximate)
            if rate < 100:
                # 「化解率98%」 of 120 is no count the text states: offered to check.
                figure = replace(figure, confidence=0.5)
            taken[code] = figure
            break
