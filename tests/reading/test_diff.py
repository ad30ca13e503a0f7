"""reading.diff: what changed between two rounds, with bounded work whatever the input."""

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from reading.diff import MAX_PARAGRAPHS, PAIR_CHARS, TEXT_CHARS, diff_texts


def sides(diff):
    """The old and the new text, put back together from the pieces."""
    old = "".join(text for op, text in diff.pieces if op != "insert")
    new = "".join(text for op, text in diff.pieces if op != "delete")
    return old, new


def test_a_changed_figure_is_marked_by_its_letters():
    before = "一、主要举措\n全年调解矛盾纠纷286件。\n二、存在问题"
    after = "一、主要举措\n全年调解矛盾纠纷300件。\n二、存在问题"
    diff = diff_texts(before, after)
    assert ("delete", "286") in diff.pieces and ("insert", "300") in diff.pieces
    assert not diff.coarse
    assert sides(diff) == (before, after)


def test_paragraphs_added_and_removed_stay_whole():
    before = "甲段。\n乙段。\n丙段。"
    after = "甲段。\n丙段。\n丁段新增。"
    diff = diff_texts(before, after)
    assert ("delete", "\n乙段。") in diff.pieces
    assert ("insert", "\n丁段新增。") in diff.pieces
    assert sides(diff) == (before, after)


def test_a_long_rewrite_compares_a_bounded_number_of_characters():
    """130,000 characters rewritten throughout (the review page took 30 s on this): the
    character-level comparison stops at its budget and the rest is shown paragraph by paragraph."""
    rng = random.Random(12)
    words = "法治政府建设推进依法行政矛盾纠纷调解普法宣传学习培训"

    def paragraph():
        return "".join(rng.choice(words) for _ in range(rng.randint(200, 1200)))

    before_paragraphs = [paragraph() for _ in range(200)]
    after_paragraphs = [p[:50] + "改" + p[60:] for p in before_paragraphs]
    before, after = "\n".join(before_paragraphs), "\n".join(after_paragraphs)
    assert len(before) > 130_000
    diff = diff_texts(before, after)
    assert diff.compared_chars <= TEXT_CHARS
    assert diff.coarse
    assert sides(diff) == (before, after)


def test_one_huge_paragraph_is_never_compared_letter_by_letter():
    before, after = "甲" * 68_000, "乙" + "甲" * 67_999
    diff = diff_texts(before, after)
    assert diff.compared_chars == 0  # a pair above PAIR_CHARS is shown whole
    assert len(before) > PAIR_CHARS
    assert diff.coarse and sides(diff) == (before, after)


def test_very_many_paragraphs_are_not_matched_at_all():
    before = "\n".join("段" for _ in range(MAX_PARAGRAPHS + 1))
    after = before + "\n新"
    diff = diff_texts(before, after)
    assert diff.compared_chars == 0 and diff.coarse
    assert sides(diff) == (before, after)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="甲乙丙\n。1", max_size=300), st.text(alphabet="甲乙丙\n。1", max_size=300))
def test_any_two_texts_come_back_whole(before, after):
    diff = diff_texts(before, after)
    assert sides(diff) == (before, after)
    assert diff.compared_chars <= TEXT_CHARS
