"""Did they do what they planned? Last year's 下一年度安排, item by item, beside this year's
举措和成效: the sentences that report on each item, or none (「未见落实情况」).

An item matches a sentence when they share enough of the item's own words: words that are not
in nearly every sentence of the report (工作, 法治, 推进 say nothing about which item), weighted
by how rare they are in this year's text.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from .tokens import words

_ITEM_MARKER = re.compile(
    r"(?:^|(?<=[。；;\n]))\s*(?=(?:[一二三四五六七八九十]+是|[（(][一二三四五六七八九十\d]+[）)]"
    r"|[一二三四五六七八九十]+[、.．]|\d{1,2}[、.．](?!\d)))"
)
_SENTENCE = re.compile(r"[^。；;！？!?\n]+[。；;！？!?]?")
_MARKER_PREFIX = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+是|[（(][一二三四五六七八九十\d]+[）)]|[一二三四五六七八九十]+[、.．]"
    r"|\d{1,2}[、.．])\s*"
)
# Words every plan and report say: no evidence of one item rather than another.
_GENERIC = frozenset(
    [
        "工作",
        "加强",
        "推进",
        "推动",
        "进一步",
        "持续",
        "深入",
        "全面",
        "不断",
        "切实",
        "扎实",
        "积极",
        "认真",
        "坚持",
        "落实",
        "提升",
        "提高",
        "强化",
        "完善",
        "健全",
        "加大",
        "力度",
        "建设",
        "法治",
        "法治政府",
        "政府",
        "依法",
        "开展",
        "做好",
        "确保",
        "有效",
        "全镇",
        "全乡",
        "我镇",
        "我乡",
        "街道",
        "我们",
        "水平",
        "能力",
        "机制",
        "体系",
        "工作机制",
        "重点",
        "重要",
        "明年",
        "下一步",
        "今年",
        "年度",
        "全年",
        "各类",
        "相关",
        "进行",
        "实现",
        "着力",
        "围绕",
        "结合",
        "作为",
        "通过",
        "以及",
        "我们",
        "一是",
        "二是",
        "三是",
        "四是",
        "五是",
        "六是",
        "方面",
        "问题",
    ]
)
_GENERIC_PAIRS = frozenset(
    word[i : i + 2] for word in _GENERIC for i in range(len(word) - 1)
) | frozenset(["的工", "作的", "和法", "一步", "进一", "步加", "们将", "将进", "将继", "继续"])
MATCH_SCORE = 0.2  # share of an item's weighted words a sentence must have
LEAD_SCORE = 0.5  # or share of the weighted words of its subject (its first clause)
MIN_SHARED = 3  # distinct words of the item a sentence must contain (else its subject)


@dataclass
class FollowUp:
    item: str  # the planned item as last year's report wrote it
    matches: list[str] = field(default_factory=list)  # this year's sentences on it, best first

    @property
    def done(self) -> bool:
        return bool(self.matches)


def plan_items(plan: str) -> list[str]:
    """The items of a plan: its numbered points (一是…, （一）…, 1. …), else its sentences."""
    text = plan.strip()
    if not text:
        return []
    pieces = [piece.strip() for piece in _ITEM_MARKER.split(text) if piece.strip()]
    if len(pieces) >= 3 and not _MARKER_PREFIX.match(pieces[0]):
        pieces = pieces[1:]  # 「下一步，我镇将……」 introduces the numbered items
    if len(pieces) < 2:
        pieces = [match.group().strip() for match in _SENTENCE.finditer(text)]
    items = []
    for piece in pieces:
        piece = " ".join(piece.split())
        # 「重点做好以下工作：」 introduces the items; it is none.
        if len(_content(piece)) >= 2 and not re.search(r"[：:]$", piece):
            items.append(piece)
    return items


def _sentences(text: str) -> list[str]:
    return [
        sentence
        for match in _SENTENCE.finditer(text)
        if len(sentence := _MARKER_PREFIX.sub("", match.group().strip())) >= 6
    ]


def _content(text: str) -> set[str]:
    """The text's own words (two characters or more, none that every report says)."""
    return {
        word
        for word, _start, _end in words(text)
        if len(word) >= 2 and word not in _GENERIC and re.fullmatch(r"[\u4e00-\u9fff]+", word)
    }


def follow_up(plan: str, measures: str, *, limit: int = 3) -> list[FollowUp]:
    """Each item of last year's plan with this year's sentences that report on it. A word of
    the item counts when a sentence contains it, however the sentence's words are cut
    (「宣传教育」 in 「法律宣传教育活动」)."""
    items = plan_items(plan)
    sentences = _sentences(measures)
    if not items:
        return []
    count = max(1, len(sentences))
    cache: dict[str, float] = {}

    def weight(word: str) -> float:
        # Rare words say most; a word in most sentences says little.
        if word not in cache:
            frequency = sum(1 for sentence in sentences if word in sentence)
            cache[word] = max(0.2, math.log((count + 1) / (frequency + 0.5)))
        return cache[word]

    result = []
    for item in items:
        own = _content(item)
        # The item's first clause is its subject (「一是加强普法宣传。…」).
        lead = _content(re.split(r"[。，,：:；;]", _MARKER_PREFIX.sub("", item), maxsplit=1)[0])
        weights = {word: weight(word) for word in own | lead}
        total = sum(weights.values())
        lead_total = sum(weights[word] for word in lead)
        scored = []
        for sentence in sentences:
            shared = {word for word in weights if word in sentence}
            if len(shared) < 2 or not total:
                continue
            score = sum(weights[word] for word in shared) / total
            lead_score = (
                sum(weights[word] for word in shared & lead) / lead_total if lead_total else 0.0
            )
            # Either the sentence takes up the item's subject, or enough of its content.
            if (lead_score >= LEAD_SCORE and shared & lead) or (
                score >= MATCH_SCORE and len(shared) >= MIN_SHARED
            ):
                scored.append((max(score, lead_score), sentence))
        scored.sort(key=lambda pair: -pair[0])
        result.append(FollowUp(item, [sentence for _score, sentence in scored[:limit]]))
    return result
