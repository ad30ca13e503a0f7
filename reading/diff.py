"""What changed between two versions of a text, with a bounded amount of work.

Paragraphs (lines) are compared first; characters are compared only inside a changed paragraph
pair, and only up to a budget per text: Chinese has no spaces to split words on, and a character
diff of two long texts grows with the square of their length. Past the budget, or for texts of
very many paragraphs, changed paragraphs are shown whole (deleted, then inserted).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from difflib import SequenceMatcher

# Characters compared one by one in one changed paragraph pair, and in one text altogether.
PAIR_CHARS = 1_500
TEXT_CHARS = 20_000
# Paragraphs on either side beyond which paragraphs are not even matched to each other.
MAX_PARAGRAPHS = 3_000


@dataclass
class Diff:
    # ("equal" | "insert" | "delete", text), in the order of the new text; "\n" between paragraphs
    pieces: list[tuple[str, str]] = field(default_factory=list)
    coarse: bool = False  # some changed paragraphs are shown whole, not character by character
    compared_chars: int = 0  # characters handed to the character-level comparison

    def add(self, op: str, text: str) -> None:
        if not text:
            return
        if self.pieces and self.pieces[-1][0] == op:
            self.pieces[-1] = (op, self.pieces[-1][1] + text)
        else:
            self.pieces.append((op, text))


def diff_texts(before: str, after: str) -> Diff:
    result = Diff()
    old, new = before.split("\n"), after.split("\n")
    if len(old) > MAX_PARAGRAPHS or len(new) > MAX_PARAGRAPHS:
        result.coarse = before != after
        if before == after:
            result.add("equal", after)
        else:
            result.add("delete", before)
            result.add("insert", after)
        return result
    lines = SequenceMatcher(a=old, b=new, autojunk=False)
    started = {"old": False, "new": False}

    def paragraph(pieces: list[tuple[str, str]], *, in_old: bool, in_new: bool) -> None:
        """One paragraph of the old text, the new one or both, after the line break that
        separates it from the previous paragraph of the same text."""
        breaks_old, breaks_new = in_old and started["old"], in_new and started["new"]
        if breaks_old or breaks_new:
            result.add(
                "equal" if breaks_old and breaks_new else "delete" if breaks_old else "insert", "\n"
            )
        started["old"] = started["old"] or in_old
        started["new"] = started["new"] or in_new
        for op, text in pieces:
            result.add(op, text)

    for op, a1, a2, b1, b2 in lines.get_opcodes():
        if op == "equal":
            for line in new[b1:b2]:
                paragraph([("equal", line)], in_old=True, in_new=True)
            continue
        removed, added = "\n".join(old[a1:a2]), "\n".join(new[b1:b2])
        cost = len(removed) + len(added)
        small = len(removed) <= PAIR_CHARS and len(added) <= PAIR_CHARS
        if op == "replace" and small and result.compared_chars + cost <= TEXT_CHARS:
            result.compared_chars += cost
            paragraph(_characters(removed, added), in_old=True, in_new=True)
            continue
        result.coarse = result.coarse or op == "replace"
        for line in old[a1:a2]:
            paragraph([("delete", line)], in_old=True, in_new=False)
        for line in new[b1:b2]:
            paragraph([("insert", line)], in_old=False, in_new=True)
    return result


def _characters(before: str, after: str) -> list[tuple[str, str]]:
    pieces = []
    matcher = SequenceMatcher(a=before, b=after, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            pieces.append(("equal", after[b1:b2]))
        if op in ("delete", "replace"):
            pieces.append(("delete", before[a1:a2]))
        if op in ("insert", "replace"):
            pieces.append(("insert", after[b1:b2]))
    return pieces
