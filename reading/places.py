"""Which township and which year a report is about."""

from __future__ import annotations

import re
from collections import Counter

from .register import load_register

_SUFFIX_ENDS = "乡镇道木街"  # 乡, 镇, 街道 (or 街 for short), 苏木
# Words after a township's name that show the text means the township itself.
_INSTITUTION = re.compile(
    r"^(?:党委|党工委|人民政府|政府|办事处|街道办|坚持|始终|全面|认真|深入|紧紧|紧扣|领导|党政)"
)


def find_township(
    text: str, *, known: tuple[str, ...] = (), tokens: list[tuple[str, int, int]] | None = None
) -> str | None:
    """The reporting township: a name from the official register (or the portal's own org
    units) that the title and the text name most often, the longest that fits (大码头街道, not
    码头街道), with a bonus when the text also names its county or city; None rather than a
    guess. A 街道 may be written short (鹤龙街 for the register's 鹤龙街道) where the text names
    the institution by it (「鹤龙街党工委」, 「鹤龙街坚持」): a street of that name is no township."""
    lines = [line for line in text.split("\n") if line][:6]
    head_end = len("\n".join(lines))
    register = load_register()
    known_set = set(known)
    longest = max(register.longest, max((len(name) for name in known), default=0))
    votes: Counter[str] = Counter()
    for end in range(1, len(text) + 1):
        last = text[end - 1]
        if last not in _SUFFIX_ENDS:
            continue
        institution = bool(_INSTITUTION.match(text[end : end + 4]))
        short = last == "街"
        if short and (text[end : end + 1] in ("道", "街") or not institution):
            continue
        for length in range(min(longest, end), 2, -1):
            name = text[end - length : end]
            official = name + "道" if short else name
            if official in known_set or official in register.townships:
                start = end - length
                weight = 1 + (5 if start < head_end else 0) + (1 if institution else 0)
                votes[name] += weight + (3 if official in known_set else 0)
                break
    if not votes:
        return None
    for name in list(votes):
        places = register.townships.get(name, ()) or register.townships.get(name + "道", ())
        if any(
            any(place_name in text for place_name in register.places_of(place)) for place in places
        ):
            votes[name] += 3
    name, score = votes.most_common(1)[0]
    return name if score >= 2 else None


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
