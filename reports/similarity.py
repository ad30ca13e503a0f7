"""Copied passages between reports (查重): exact comparison of two texts, and a MinHash index.

Matching ignores what copying usually changes without changing the words: full-width/half-width
forms (NFKC), letter case, whitespace, line breaks and punctuation. Offsets always point into the
original text, so a passage can be shown and highlighted where it really is.

- compare_texts(a, b) is DOMAIN.md's contract of `manage.py compare_reports`. Its similarity is
  the share of A's characters (punctuation and whitespace not counted) that lie in passages also
  found in B: "how much of A is copied from B". It is asymmetric on purpose: a short report copied
  whole into a long one is 100 % copied, whatever the long one adds.
- The index: a MinHash signature (128 permutations, fixed seed) of each report's 8-character
  shingles, cut into 64 bands of 2 values. Each band is one indexed row (ReportBand), so the
  reports sharing a band with a given report come from one `band_hash IN (…)` query in any
  database, on any app server, with nothing kept in memory. Two values a band put the chance that
  two reports share at least one band at 1-(1-J²)^64 for shingle Jaccard J: about 0.5 at J=0.1 and
  0.999 at J=0.3, while unrelated reports (J below 0.02, stock phrases only) rarely meet. The
  candidates sharing the most bands are then compared exactly with compare_texts.
"""

import hashlib
import unicodedata
import zlib
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property, lru_cache

import numpy as np
from datasketch import MinHash
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe

from .models import (
    Report,
    ReportBand,
    ReportFingerprint,
    ReportSimilarity,
    ReportStatus,
)
from .sections import SECTION_KEYS, SECTIONS_BY_KEY, Section

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

CANDIDATES = 20  # candidates compared exactly per search
KEEP = 5  # most similar reports of the same year kept per report
# A report of the same year is kept (listed) once this share of the report is found in it: two
# unrelated reports share a stock phrase or two (1 % between the 莲池镇 and 花台乡 samples), which
# is no news to a reviewer. The previous year's report is always kept.
LIST_THRESHOLD = 0.1

SENT_STATUSES = [status for status in ReportStatus.values if status != ReportStatus.DRAFT]


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


def _merge(runs: list[tuple[int, int, int]]) -> list[tuple[int, int, int, int]]:
    """Runs as (a_start, a_end, b_start, b_end), neighbours with small gaps in both texts joined."""
    merged: list[list[int]] = []
    for a_start, b_start, length in runs:
        if merged:
            last = merged[-1]
            gap_a, gap_b = a_start - last[1], b_start - last[3]
            if 0 <= gap_a <= MAX_GAP and 0 <= gap_b <= MAX_GAP:
                last[1], last[3] = a_start + length, b_start + length
                continue
        merged.append([a_start, a_start + length, b_start, b_start + length])
    return [tuple(run) for run in merged]


def shared_passages(a: str | Prepared, b: str | Prepared) -> tuple[float, list[Passage]]:
    """(share of A's characters in passages also in B, the passages in A's order)."""
    a = a if isinstance(a, Prepared) else Prepared(a)
    b = b if isinstance(b, Prepared) else Prepared(b)
    if not a.clean or not b.clean:
        return 0.0, []
    passages = []
    covered = 0
    for a_start, a_end, b_start, b_end in _merge(_runs(a, b.clean)):
        if a_end - a_start < MIN_PASSAGE:
            continue
        covered += a_end - a_start
        passages.append(
            Passage(
                a.offsets[a_start],
                a.offsets[a_end - 1] + 1,
                b.offsets[b_start],
                b.offsets[b_end - 1] + 1,
            )
        )
    return round(covered / len(a.clean), 4), passages


def compare_texts(a: str, b: str) -> dict:
    """DOMAIN.md's compare_reports contract: similarity (share of A found in B, 0–1) and the
    shared passages, each as it appears in A with its offsets in A and in B."""
    similarity, passages = shared_passages(a, b)
    return {
        "similarity": similarity,
        "shared_passages": [
            {"text": a[p.a_start : p.a_end], "a_start": p.a_start, "b_start": p.b_start}
            for p in passages
        ],
    }


# --- signatures and bands -------------------------------------------------------------------


@lru_cache(maxsize=1)
def _permutations():
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
    return minhash.hashvalues.astype(np.uint32)


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


# --- reports --------------------------------------------------------------------------------


def report_parts(report: Report) -> list[tuple[str, int, str]]:
    """(part key, offset in the report text, part text) of each non-empty part."""
    parts = []
    offset = 0
    for key in SECTION_KEYS:
        text = getattr(report, key)
        if not text:
            continue
        if parts:
            offset += 2  # the "\n\n" between parts
        parts.append((key, offset, text))
        offset += len(text)
    return parts


def report_text(report: Report) -> str:
    """The parts as one text (the headings left out: every report has the same ones)."""
    return "\n\n".join(text for _key, _offset, text in report_parts(report))


def _fingerprint_rows(report: Report, now: datetime) -> tuple[ReportFingerprint, list[ReportBand]]:
    values = signature(report_text(report))
    fingerprint = ReportFingerprint(
        report=report,
        scheme=SCHEME,
        signature=b"" if values is None else values.astype("<u4").tobytes(),
        computed_at=now,
    )
    bands = (
        []
        if values is None
        else [
            ReportBand(report=report, period_id=report.period_id, band_hash=band_hash)
            for band_hash in band_hashes(values)
        ]
    )
    return fingerprint, bands


@transaction.atomic
def reports_fingerprint(*, reports: list[Report]) -> int:
    """Stores (replaces) the fingerprint and bands of each report, in bulk; returns the count."""
    now = timezone.now()
    fingerprints, bands = [], []
    for report in reports:
        fingerprint, rows = _fingerprint_rows(report, now)
        fingerprints.append(fingerprint)
        bands.extend(rows)
    ids = [report.pk for report in reports]
    ReportBand.objects.filter(report_id__in=ids).delete()
    ReportFingerprint.objects.filter(report_id__in=ids).delete()
    ReportFingerprint.objects.bulk_create(fingerprints)
    ReportBand.objects.bulk_create(bands, batch_size=5000)
    return len(fingerprints)


def similar_candidates(report: Report, limit: int = CANDIDATES) -> list[int]:
    """Ids of the same year's reports sharing the most bands with this report's stored bands,
    most first: one query on the band index."""
    mine = list(ReportBand.objects.filter(report=report).values_list("band_hash", flat=True))
    if not mine:
        return []
    return list(
        ReportBand.objects.filter(period_id=report.period_id, band_hash__in=mine)
        .exclude(report_id=report.pk)
        .values("report_id")
        .annotate(shared=Count("id"))
        .order_by("-shared", "report_id")
        .values_list("report_id", flat=True)[:limit]
    )


def _previous_year_report(report: Report) -> Report | None:
    return (
        Report.objects.filter(
            township_id=report.township_id,
            period__year=report.period.year - 1,
            status__in=SENT_STATUSES,
        )
        .select_related("period")
        .first()
    )


def _row(
    report: Report, other: Report, kind: str, now: datetime, mine: Prepared | None = None
) -> ReportSimilarity:
    mine = mine or Prepared(report_text(report))
    theirs = Prepared(report_text(other))
    similarity, passages = shared_passages(mine, theirs)
    return ReportSimilarity(
        report=report,
        other=other,
        kind=kind,
        similarity=similarity,
        passages=[
            {
                "text": mine.text[p.a_start : p.a_end],
                "a_start": p.a_start,
                "b_start": p.b_start,
                "b_text": theirs.text[p.b_start : p.b_end],
            }
            for p in passages
        ],
        computed_at=now,
    )


@dataclass
class SearchResult:
    candidates: int  # reports compared exactly
    rows: list[ReportSimilarity]


def similar_reports_search(report: Report) -> SearchResult:
    """The most similar reports of the same year (from the index, verified exactly) and the
    township's previous-year report, as unsaved rows; the report must be fingerprinted."""
    now = timezone.now()
    ids = similar_candidates(report)
    candidates = Report.objects.filter(pk__in=ids, status__in=SENT_STATUSES).select_related(
        "period"
    )
    mine = Prepared(report_text(report))
    same_year = [
        _row(report, other, ReportSimilarity.Kind.SAME_PERIOD, now, mine) for other in candidates
    ]
    same_year = sorted(
        (row for row in same_year if row.similarity >= LIST_THRESHOLD),
        key=lambda row: (-row.similarity, row.other_id),
    )[:KEEP]
    rows = list(same_year)
    previous = _previous_year_report(report)
    if previous is not None:
        rows.append(_row(report, previous, ReportSimilarity.Kind.PREVIOUS_YEAR, now, mine))
    return SearchResult(candidates=len(ids), rows=rows)


@transaction.atomic
def report_similarities_compute(*, report: Report) -> list[ReportSimilarity]:
    """Indexes the report, then finds and stores its similar reports (report_similarities_store)."""
    report = Report.objects.select_related("period").get(pk=report.pk)
    reports_fingerprint(reports=[report])
    return report_similarities_store(report=report)


@transaction.atomic
def report_similarities_store(*, report: Report) -> list[ReportSimilarity]:
    """Replaces every stored comparison involving the (fingerprinted) report: its own list, the
    rows of other reports that point at it (their share found in this one may have changed), and
    the next year's comparison with it. Returns the report's own rows."""
    found = similar_reports_search(report)
    now = timezone.now()
    rows = list(found.rows)
    for row in found.rows:
        if row.kind == ReportSimilarity.Kind.SAME_PERIOD:
            back = _row(row.other, report, ReportSimilarity.Kind.SAME_PERIOD, now)
            if back.similarity >= LIST_THRESHOLD:
                rows.append(back)
    following = (
        Report.objects.filter(
            township_id=report.township_id,
            period__year=report.period.year + 1,
            status__in=SENT_STATUSES,
        )
        .select_related("period")
        .first()
    )
    if following is not None:
        rows.append(_row(following, report, ReportSimilarity.Kind.PREVIOUS_YEAR, now))
    ReportSimilarity.objects.filter(report=report).delete()
    ReportSimilarity.objects.filter(other=report).delete()
    # An upsert: another app server may be storing the same pair for the other report right now.
    ReportSimilarity.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["report", "other"],
        update_fields=["kind", "similarity", "passages", "computed_at"],
    )
    return found.rows


def report_similarities_run(*, report_id: int) -> None:
    """The background job after a submission; a report deleted meanwhile is nothing to do."""
    report = Report.objects.filter(pk=report_id, status__in=SENT_STATUSES).first()
    if report is not None:
        report_similarities_compute(report=report)


# --- reads for the review page --------------------------------------------------------------


@dataclass
class SimilarityCheck:
    checked_at: datetime | None  # None: never indexed (not submitted since the check exists)
    rows: list[ReportSimilarity]  # the previous year first, then the most similar first
    threshold: float = ReportSimilarity.FLAG_THRESHOLD


def report_similarity_check(report: Report) -> SimilarityCheck:
    fingerprint = ReportFingerprint.objects.filter(report=report).only("computed_at").first()
    rows = sorted(
        ReportSimilarity.objects.filter(report=report).select_related(
            "other__township__county", "other__period"
        ),
        key=lambda row: (row.kind != ReportSimilarity.Kind.PREVIOUS_YEAR, -row.similarity),
    )
    return SimilarityCheck(fingerprint.computed_at if fingerprint else None, rows)


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(start, end) for start, end in merged]


def marked_html(text: str, spans: list[tuple[int, int]], offset: int = 0) -> str:
    """The text as paragraphs (one per non-blank line), escaped, with the spans (offsets in a
    longer text starting `offset` before this one) in <mark>."""
    spans = _merged(spans)
    paragraphs = []
    line_start = offset
    for line in text.split("\n"):
        line_end = line_start + len(line)
        if line.strip():
            pieces, cursor = [], line_start
            for start, end in spans:
                start, end = max(start, line_start), min(end, line_end)
                if start >= end:
                    continue
                pieces.append(escape(text[cursor - offset : start - offset]))
                pieces.append(f"<mark>{escape(text[start - offset : end - offset])}</mark>")
                cursor = end
            pieces.append(escape(text[cursor - offset : line_end - offset]))
            paragraphs.append(f"<p>{''.join(pieces)}</p>")
        line_start = line_end + 1
    return mark_safe("\n".join(paragraphs))  # noqa: S308 - every piece escaped


@dataclass
class SideBySide:
    similarity: float
    passages: list[tuple[str, str]]  # (the passage in this report, in the other one)
    parts: list[tuple[Section, str]]  # this report's parts, shared passages marked
    other_parts: list[tuple[Section, str]] | None  # the same for the other, if readable


def _marked_parts(report: Report, spans: list[tuple[int, int]]) -> list[tuple[Section, str]]:
    return [
        (SECTIONS_BY_KEY[key], marked_html(text, spans, offset))
        for key, offset, text in report_parts(report)
    ]


def side_by_side(report: Report, other: Report, *, show_other: bool) -> SideBySide:
    """The two reports compared now (stored results may predate an edit); the other report's
    full text only when the viewer may read it, else only the passages both contain."""
    text, other_text = report_text(report), report_text(other)
    similarity, passages = shared_passages(text, other_text)
    return SideBySide(
        similarity=similarity,
        passages=[(text[p.a_start : p.a_end], other_text[p.b_start : p.b_end]) for p in passages],
        parts=_marked_parts(report, [(p.a_start, p.a_end) for p in passages]),
        other_parts=_marked_parts(other, [(p.b_start, p.b_end) for p in passages])
        if show_other
        else None,
    )
