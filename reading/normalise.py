"""Text as the reading works on it, and as the portal stores it; Chinese and Arabic numerals."""

from __future__ import annotations

import re
from decimal import Decimal

_CHAR_MAP: dict[int, int | str | None] = {ord("０") + i: ord("0") + i for i in range(10)}
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


def normalise_text(text: str) -> str:
    """Text as stored: Unix line ends (browsers send CRLF), no surrounding blank space."""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


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
