"""Which township and which year a report is about."""

from __future__ import annotations

import re
from collections import Counter

from .tokens import words

_NOT_NAME_START = set("我本全该各每乡镇村城市县区省在对为和与及是由将把被向从至于了的年")
_NOT_NAMES = {"乡镇", "城镇", "村镇", "集镇", "市镇", "城乡", "乡村", "各乡镇", "全乡镇", "小城镇"}


def find_township(
    text: str, *, known: tuple[str, ...] = (), tokens: list[tuple[str, int, int]] | None = None
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
