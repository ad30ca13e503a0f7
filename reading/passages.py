"""Copied passages between two texts (查重), and the MinHash signature that finds candidates.

Pure text work: reports.similarity keeps the index in the database and runs the checks.

Matching ignores what copying usually changes without changing the words: full-width/half-width
forms (NFKC), letter case, whitespace, line breaks and punctuation. Offsets always point into the
original text, so a passage can be shown and highlighted where it really is.

- compare_texts(a, b) is DOMAIN.md's contract of `manage.py compare_reports`. Its similarity is
  the share of A's characters (punctuation and whitespace not counted) that lie in passages also
  found in B: "how much of A is copied from B". It is asymmetric on purpose: a short report copied
  whole into a long one is 100 % copied, whatever the long one adds.
- The index (reports.similarity stores it): a MinHash signature (128 permutations, fixed seed) of each report's 8-character
  shingles, cut into 64 bands of 2 values. Each band is one indexed row (ReportBand), so the
  reports sharing a band with a given report come from one `band_hash IN (…)` query in any
  database, on any app server, with nothing kept in memory. Two values a band put the chance that
  two reports share at least one band at 1-(1-J²)^64 for shingle Jaccard J: about 0.5 at J=0.1 and
  0.999 at J=0.3, while unrelated reports (J below 0.02, stock phrases only) rarely meet. The
  candidates sharing the most bands are then compared exactly with compare_texts.
"""

from __future__ import annotations

import hashlib
import unicodedata
import zlib
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

import numpy as np
from datasketch import MinHash

SHINGLE = 8  # characters; Chinese words are 1–4 characters, so 8 is a short phrase
MIN_PASSAGE = 20  # characters without punctuation; shorter shared runs are stock phrases
# Two exact runs whose gaps are this short in both texts are one passage: a changed figure or
# word ("调解纠纷286件" / "调解纠纷300件") does not make copied text original.
MAX_GAP = 6
MAX_POSITIONS = 32  # places in B tried for one shingle of A (stock phrases repeat)

NUM_PERM = 128
BANDS = 64
ROWS = NUM_PERM // BANDS
SEED = 6  # issue 6
# Stored with every fingerprint and mixed into every band hash: changing any parameter above
# makes old bands unmatchable instead of wrong, until `manage.py index_similarity` rebuilds them.
SCHEME = f"c{SHINGLE}-p{NUM_PERM}-b{BANDS}x{ROWS}-s{SEED}-v1"


# --- text -----------------------------------------------------------------------------------


@lru_cache(maxsize=65536)
def _fold(char: str) -> str:
    """What one character is matched as: "" for punctuation and spacing, "a" for "Ａ", "12"
    for "½" (NFKC "1⁄2" without the fraction slash)."""
    return "".join(c for c in unicodedata.normalize("NFKC", char).lower() if c.isalnum())


def _folded(text: str) -> list[str]:
    fold = {char: _fold(char) for char in set(text)}
    return [fold[char] for char in text]


def clean_with_offsets(text: str) -> tuple[str, list[int]]:
    """The text as matched (NFKC, lower case, letters and digits only) and, for each of its
    characters, the offset of the original character it comes from."""
    pieces = _folded(text)
    return "".join(pieces), [index for index, piece in enumerate(pieces) for _ in piece]


def clean_text(text: str) -> str:
    """clean_with_offsets without the offsets (for indexing)."""
    return "".join(_folded(text))


def shingles(clean: str) -> set[str]:
    if len(clean) <= SHINGLE:
        return {clean} if clean else set()
    return {clean[i : i + SHINGLE] for i in range(len(clean) - SHINGLE + 1)}


# --- exact comparison -----------------------------------------------------------------------


@dataclass(frozen=True)
class Passage:
    """A shared passage as offsets into the original texts, ends exclusive."""

    a_start: int
    a_end: int
    b_start: int
    b_end: int
    # B's exact runs inside the passage: what B shares with A, without B's own words between
    # them (a changed figure in a gap is B's, not shared).
    b_runs: tuple[tuple[int, int], ...] = ()

    def b_shared(self, b: str) -> str:
        """The passage as found in B, its gaps left out (「…」): only text both texts contain."""
        if not self.b_runs:
            return b[self.b_start : self.b_end]
        return "…".join(b[start:end] for start, end in self.b_runs)


def _common_length(a: str, i: int, b: str, j: int) -> int:
    """Length of the common prefix of a[i:] and b[j:], compared in slices (long runs are common)."""
    limit = min(len(a) - i, len(b) - j)
    length = 0
    while length < limit:
        step = min(64, limit - length)
        if a[i + length : i + length + step] == b[j + length : j + length + step]:
            length += step
            continue
        while a[i + length] == b[j + length]:
            length += 1
        break
    return length


class Prepared:
    """A text ready for comparing, kept while one report is compared with many."""

    def __init__(self, text: str):
        self.text = text
        self.clean, self.offsets = clean_with_offsets(text)

    @cached_property
    def grams(self) -> set[str]:
        clean = self.clean
        return {clean[i : i + SHINGLE] for i in range(len(clean) - SHINGLE + 1)}


def _runs(a: Prepared, cb: str) -> list[tuple[int, int, int]]:
    """Exact common runs (a_start, b_start, length) of at least SHINGLE characters, taken
    greedily from the start of A, the longest at each place."""
    k = SHINGLE
    ca, a_grams = a.clean, a.grams
    places: dict[str, list[int]] = {}
    # Comprehensions first: most shingles of two reports are not shared, and skipping them in C
    # makes comparing unrelated reports several times faster.
    for j in [j for j in range(len(cb) - k + 1) if cb[j : j + k] in a_grams]:
        found = places.setdefault(cb[j : j + k], [])
        if len(found) < MAX_POSITIONS:
            found.append(j)
    runs = []
    free = 0  # A before this offset is in a run already
    for i in [i for i in range(len(ca) - k + 1) if ca[i : i + k] in places]:
        if i < free:
            continue
        best_j, best = -1, 0
        for j in places[ca[i : i + k]]:
            length = _common_length(ca, i, cb, j)
            if length > best:
                best_j, best = j, length
        runs.append((i, best_j, best))
        free = i + best
    return runs


def _merge(runs: list[tuple[int, int, int]]) -> list[list[tuple[int, int, int]]]:
    """Runs grouped into passages: neighbours with small gaps in both texts go together."""
    merged: list[list[tuple[int, int, int]]] = []
    for a_start, b_start, length in runs:
        if merged:
            last_a, last_b, last_length = merged[-1][-1]
            gap_a, gap_b = a_start - (last_a + last_length), b_start - (last_b + last_length)
            if 0 <= gap_a <= MAX_GAP and 0 <= gap_b <= MAX_GAP:
                merged[-1].append((a_start, b_start, length))
                continue
        merged.append([(a_start, b_start, length)])
    return merged


def shared_passages(a: str | Prepared, b: str | Prepared) -> tuple[float, list[Passage]]:
    """(share of A's characters in passages also in B, the passages in A's order)."""
    a = a if isinstance(a, Prepared) else Prepared(a)
    b = b if isinstance(b, Prepared) else Prepared(b)
    if not a.clean or not b.clean:
        return 0.0, []
    passages = []
    covered = 0
    for group in _merge(_runs(a, b.clean)):
        a_start, b_start, _length = group[0]
        last_a, last_b, last_length = group[-1]
        a_end, b_end = last_a + last_length, last_b + last_length
        if a_end - a_start < MIN_PASSAGE:
            continue
        covered += a_end - a_start
        passages.append(
            Passage(
                a.offsets[a_start],
                a.offsets[a_end - 1] + 1,
                b.offsets[b_start],
                b.offsets[b_end - 1] + 1,
                tuple(
                    (b.offsets[start], b.offsets[start + length - 1] + 1)
                    for _a, start, length in group
                ),
            )
        )
    return round(covered / len(a.clean), 4), passages


# --- copying or template (套话) ----------------------------------------------------------------

# A passage that at least this many other reports also contain is template text (套话: the
# nationwide sentences every report repeats), not copying from one report.
TEMPLATE_REPORTS = 2
TEMPLATE_COVER = 0.6  # share of a passage's shingles another report must contain
LONG_PASSAGE = 40  # characters without punctuation: a sentence, not a stock phrase
# The portal's verdict 疑似抄袭/雷同: this share of a report copied from one other report, or
# this many long passages copied from it even when they are a small share (fourteen passages
# of 40–80 characters, 17 % of a township's text, copied from a neighbour's report). Unrelated
# real reports share at most one such passage (the 30 development reports of 13 provinces).
FLAG_SHARE = 0.3
FLAG_LONG_PASSAGES = 5


def is_template(a: Prepared, passage: Passage, references: list[Prepared]) -> bool:
    """Whether the passage of A is also in at least TEMPLATE_REPORTS of the references (other
    reports than the two compared)."""
    if len(references) < TEMPLATE_REPORTS:
        return False
    clean = clean_text(a.text[passage.a_start : passage.a_end])
    grams = shingles(clean)
    if not grams:
        return False
    found = 0
    for reference in references:
        if len(grams & reference.grams) >= TEMPLATE_COVER * len(grams):
            found += 1
            if found >= TEMPLATE_REPORTS:
                return True
    return False


@dataclass(frozen=True)
class Verdict:
    copied_share: float  # share of A in passages copied from B (template text left out)
    long_copied: int  # copied passages of LONG_PASSAGE characters or more
    flagged: bool


def verdict(
    a: Prepared, passages: list[Passage], template: list[bool], *, same_year: bool = True
) -> Verdict:
    """The portal's verdict on A against one other report (the review page's and
    compare_reports' 疑似抄袭/雷同). Template passages never count. Several long passages flag
    a report of the same year; a township's own report of the year before is flagged only by
    share (reusing one's own sentences is no copying)."""
    lengths = [
        len(clean_text(a.text[p.a_start : p.a_end]))
        for p, is_stock in zip(passages, template, strict=True)
        if not is_stock
    ]
    share = round(sum(lengths) / len(a.clean), 4) if a.clean else 0.0
    long_copied = sum(1 for length in lengths if length >= LONG_PASSAGE)
    flagged = share >= FLAG_SHARE or (same_year and long_copied >= FLAG_LONG_PASSAGES)
    return Verdict(share, long_copied, flagged)


def compare_texts(a: str, b: str, *, references: list[str] | None = None) -> dict[str, Any]:
    """DOMAIN.md's compare_reports contract: similarity (share of A found in B, 0–1), the
    portal's verdict `flagged`, and the shared passages, each as it appears in A with its
    offsets in A and in B. `references` are other reports: passages they share too are
    template text, which never makes a flag."""
    mine, theirs = Prepared(a), Prepared(b)
    similarity, passages = shared_passages(mine, theirs)
    prepared = [Prepared(text) for text in references or []]
    template = [is_template(mine, passage, prepared) for passage in passages]
    return {
        "similarity": similarity,
        "flagged": verdict(mine, passages, template).flagged,
        "shared_passages": [
            {"text": a[p.a_start : p.a_end], "a_start": p.a_start, "b_start": p.b_start}
            for p in passages
        ],
    }


# --- signatures and bands -------------------------------------------------------------------


@lru_cache(maxsize=1)
def _permutations() -> Any:
    return MinHash(num_perm=NUM_PERM, seed=SEED).permutations


def _identity(value: int) -> int:
    return value


def signature(text: str) -> np.ndarray | None:
    """The MinHash signature (uint32 × NUM_PERM) of the text's shingles; None when it has none."""
    grams = shingles(clean_text(text))
    if not grams:
        return None
    minhash = MinHash(
        num_perm=NUM_PERM,
        seed=SEED,
        hashfunc=_identity,
        permutations=_permutations(),
        scheme="affine32",
    )
    # crc32 is fast and stable across processes; MinHash mixes it (Murmur3 finaliser) anyway.
    minhash.update_batch([zlib.crc32(gram.encode()) for gram in grams])
    values: np.ndarray = minhash.hashvalues.astype(np.uint32)
    return values


def band_hashes(values: np.ndarray) -> list[int]:
    """One signed 64-bit hash per band (a BigIntegerField), distinct per band and per SCHEME."""
    raw = values.astype("<u4").tobytes()
    width = ROWS * 4
    hashes = []
    for band in range(BANDS):
        digest = hashlib.blake2b(
            raw[band * width : (band + 1) * width],
            digest_size=8,
            key=SCHEME.encode(),
            person=band.to_bytes(2, "little"),
        ).digest()
        hashes.append(int.from_bytes(digest, "little", signed=True))
    return hashes
