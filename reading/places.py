"""Which township and which year a report is about."""

from __future__ import annotations

import re
from collections import Counter

from .register import load_register

_NOT_NAME_START = set("我本全该各每乡镇村城市县区省在对为和与及是由将把被向从至于了的年")
_NOT_NAMES = {"乡镇", "城镇", "村镇", "集镇", "市镇", "城乡", "乡村", "各乡镇", "全乡镇", "小城镇"}


_SUFFIX_ENDS = "乡镇道木"  # 乡, 镇, 街道, 苏木
# Words after a township's name that show the text means the township itself.
_INSTITUTION = re.compile(
    r"^(?:党委|党工委|人民政府|政府|办事处|街道办|坚持|始终|全面|认真|深入|紧紧|紧扣)"
)


def find_township(
    text: str, *, known: tuple[str, ...] = (), tokens: list[tuple[str, int, int]] | None = None
) -> str | None:
    """The reporting township: a name from the official register (or the portal's own org
    units) that the title and the text name most often, the longest that fits (大码头街道, not
    码头街道), with a bonus when the text also names its county or city. A name that is in
    neither is only taken when the text plainly names an institution by it (「鹤龙街党工委」);
    otherwise None rather than a guess."""
    lines = [line for line in text.split("\n") if line][:6]
    head_end = len("\n".join(lines))
    register = load_register()
    known_set = set(known)
    longest = max(register.longest, max((len(name) for name in known), default=0))
    votes: Counter[str] = Counter()
    for end in range(1, len(text) + 1):
        if text[end - 1] not in _SUFFIX_ENDS:
            continue
        for length in range(min(longest, end), 2, -1):
            name = text[end - length : end]
            if name in known_set or name in register.townships:
                start = end - length
                weight = 1 + (5 if start < head_end else 0)
                if _INSTITUTION.match(text[end : end + 4]):
                    weight += 1
                votes[name] += weight + (3 if name in known_set else 0)
                break
    if votes:
        for name in list(votes):
            places = register.townships.get(name, ())
            if any(
                any(place_name in text for place_name in register.places_of(place))
                for place in places
            ):
                votes[name] += 3
        name, score = votes.most_common(1)[0]
        if score >= 2:
            return name
    return _named_institution(text, tokens)


_INSTITUTION_AFTER = re.compile(r"(?:乡|镇|街道|街)(?=党委|党工委|人民政府|办事处|坚持|领导|党政)")


def _named_institution(text: str, tokens: list[tuple[str, int, int]] | None) -> str | None:
    """A township missing from the register (renamed or new since) that the text names as an
    institution at least twice: 「鹤龙街党工委」, 「鹤龙街坚持」. Its stem is the shortest one
    (two characters) grown while every mention shares the longer one."""
    ends = [match.end() for match in _INSTITUTION_AFTER.finditer(text)]
    by_name: Counter[str] = Counter()
    for end in ends:
        suffix = 2 if text[end - 2 : end] == "街道" else 1
        by_name[text[max(0, end - suffix - 2) : end]] += 1
    for name, count in by_name.most_common():
        if count < 2 or not re.fullmatch(r"[\u4e00-\u9fff]+", name):
            continue
        grown = name
        while True:
            longer = Counter(
                text[end - len(grown) - 1 : end]
                for end in ends
                if text[end - len(grown) : end] == grown and end > len(grown)
            )
            candidate, longer_count = longer.most_common(1)[0] if longer else ("", 0)
            if (
                longer_count < count
                or len(candidate) > 6
                or not re.fullmatch(r"[\u4e00-\u9fff]+", candidate)
            ):
                break
            grown = candidate
        trimmed = _trim_name(grown)
        if trimmed:
            return trimmed
    return None


def _trim_name(name: str) -> str | None:
    while name and name[0] in _NOT_NAME_START and len(name) > 3:
        name = name[1:]
    suffix = "街道" if name.endswith("街道") else name[-1:]
    if suffix == "街" and len(name) > 4:
        return None
    stem = name[: -len(suffix)] if suffix else ""
    if len(stem) < 2 or name in _NOT_NAMES or stem[0] in _NOT_NAME_START:
        return None
    if re.search(r"[法治政府建设工作推进乡镇村]", stem[-1]):
        return None
    return name


_YEAR = re.compile(r"(20\d\d)\s*年")


# What says nothing of the year reported on: a document's title (《…实施纲要（2021—2025年）》),
# a span of years, a full date (the signature), a year planned for (2024年工作计划).
_NOT_THE_YEAR = re.compile(
    r"《[^》\n]{0,80}》"
    r"|20\d\d\s*年?\s*[—–\-－~～至到]\s*20\d\d\s*年"
    r"|20\d\d\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日"
    r"|20\d\d\s*年度?(?:的)?(?:工作)?(?:计划|打算|安排|思路)"
)


def find_year(text: str) -> int | None:
    """The year reported on: the title's year, else the year the opening speaks of, else the
    year the text speaks of most; never a year it plans for, a span, a cited document's or the
    date it was signed."""
    lines = [_NOT_THE_YEAR.sub(" ", line) for line in text.split("\n") if line]
    for line in lines[:4]:
        if re.search(r"报告|总结|情况", line):
            match = _YEAR.search(line)
            if match:
                return int(match.group(1))
    years = Counter(int(year) for year in _YEAR.findall("\n".join(lines[:8])))
    if years:
        return years.most_common(1)[0][0]
    years = Counter(int(year) for year in _YEAR.findall("\n".join(lines)))
    return years.most_common(1)[0][0] if years else None
