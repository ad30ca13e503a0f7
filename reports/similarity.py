"""The copied-passage index of submitted reports (查重), kept in the database, and its reads.

The text work (passages, signatures, bands) is reading.passages. Each submitted report's MinHash
bands are rows (ReportBand), so the reports sharing a band with a given report come from one
indexed query, on any app server, with nothing kept in memory; the candidates sharing the most
bands are then compared exactly.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from celery import shared_task
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import Q, Value
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe

from reading.passages import (
    FLAG_LONG_PASSAGES,
    FLAG_SHARE,
    LONG_PASSAGE,
    SCHEME,
    Prepared,
    band_hashes,
    clean_text,
    is_template,
    shared_passages,
    signature,
    verdict,
)
from reading.sections import SECTION_KEYS, SECTIONS_BY_KEY, Section
from reportportal.db import FixedQuery, execute_prepared

from .models import Report, ReportBand, ReportFingerprint, ReportSimilarity
from .workflow import SENT_STATUSES

CANDIDATES = 20  # candidates compared exactly per search
KEEP = 5  # most similar reports of the same year kept per report
# A report of the same year is kept (listed) once this share of the report is found in it: two
# unrelated reports share a stock phrase or two (1 % between the 莲池镇 and 花台乡 samples), which
# is no news to a reviewer. The previous year's report is always kept.
LIST_THRESHOLD = 0.1


# --- reports --------------------------------------------------------------------------------


def report_parts(report: Report) -> list[tuple[str, int, str]]:
    """(part key, offset in the report text, part text) of each non-empty part."""
    parts: list[tuple[str, int, str]] = []
    offset = 0
    for key, text in report.parts().items():
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
    """Stores (replaces) the fingerprint and bands of each report, in bulk; returns the count.

    Only the bands that changed are deleted and inserted: a report sent again after a few words
    were changed keeps most of its 64 bands, and rewriting them all on every submission left the
    band index full of dead entries that every candidate search then had to step over."""
    now = timezone.now()
    fingerprints, bands = [], []
    for report in reports:
        fingerprint, rows = _fingerprint_rows(report, now)
        fingerprints.append(fingerprint)
        bands.extend(rows)
    ids = [report.pk for report in reports]
    # (report, period, hash) → how many bands should hold it, and the ids of those that do.
    wanted = Counter((band.report_id, band.period_id, band.band_hash) for band in bands)
    stored: defaultdict[tuple[int, int, int], list[int]] = defaultdict(list)
    for pk, report_id, period_id, band_hash in ReportBand.objects.filter(
        report_id__in=ids
    ).values_list("pk", "report_id", "period_id", "band_hash"):
        stored[(report_id, period_id, band_hash)].append(pk)
    gone = [pk for key, pks in stored.items() for pk in pks[wanted[key] :]]
    if gone:
        ReportBand.objects.filter(pk__in=gone).delete()
    ReportBand.objects.bulk_create(
        [
            ReportBand(report_id=key[0], period_id=key[1], band_hash=key[2])
            for key, count in wanted.items()
            for _ in range(count - len(stored[key]))
        ],
        batch_size=5000,
    )
    ReportFingerprint.objects.filter(report_id__in=ids).delete()
    ReportFingerprint.objects.bulk_create(fingerprints)
    return len(fingerprints)


# The report's own bands are read by the statement itself: one round trip, and a fixed text
# prepared once per connection (the worker runs it after every submission).
_CANDIDATES = f"""
SELECT b.report_id FROM {ReportBand._meta.db_table} b
WHERE b.period_id = %s AND b.report_id <> %s AND b.band_hash IN (
    SELECT m.band_hash FROM {ReportBand._meta.db_table} m WHERE m.report_id = %s
)
GROUP BY b.report_id
ORDER BY count(b.id) DESC, b.report_id
LIMIT %s
"""


def similar_candidates(report: Report, limit: int = CANDIDATES) -> list[int]:
    """Ids of the same year's reports sharing the most bands with this report's stored bands,
    most first: one query on the band index."""
    with connection.cursor() as cursor:
        execute_prepared(cursor, _CANDIDATES, [report.period_id, report.pk, report.pk, limit])
        return [report_id for (report_id,) in cursor.fetchall()]


# A township has one report a year: the order only makes the statement's text fixed. The year
# goes in as a Value: as a plain number FixedQuery's stand-in would be out of the field's range.
_SENT_OF_TOWNSHIP_AND_YEAR = FixedQuery(
    lambda township, year: (
        Report.objects.filter(
            township_id=township, period__year=Value(year), status__in=SENT_STATUSES
        )
        .select_related("period")
        .order_by("pk")[:1]
    )
)
_WITH_PERIOD = FixedQuery(
    lambda pk: Report.objects.filter(pk=pk).select_related("period").order_by()
)
_SENT = FixedQuery(
    lambda pk: (
        Report.objects.filter(pk=pk, status__in=SENT_STATUSES).select_related("period").order_by()
    )
)


def _sent_report_of(township_id: int, year: int) -> Report | None:
    found = _SENT_OF_TOWNSHIP_AND_YEAR(township_id, year)
    return found[0] if found else None


def _previous_year_report(report: Report) -> Report | None:
    return _sent_report_of(report.township_id, report.period.year - 1)


@lru_cache(maxsize=1)
def _sample_references() -> tuple[Prepared, ...]:
    """The real reports shipped in fixtures/samples: a baseline of the template sentences
    (套话) every report repeats, even in a county with few reports yet."""
    folder = Path(settings.BASE_DIR) / "fixtures" / "samples"
    return tuple(
        Prepared(path.read_text(encoding="utf-8")) for path in sorted(folder.glob("*.txt"))
    )


REFERENCE_REPORTS = 200


def reference_texts(*, exclude: tuple[str, ...] = ()) -> list[str]:
    """Other reports to tell template text from copying, for compare_reports: the samples and
    the latest submitted reports in the portal (none when its database is not set up)."""
    texts = [prepared.text for prepared in _sample_references()]
    try:
        reports = Report.objects.filter(status__in=SENT_STATUSES).order_by("-pk")[
            :REFERENCE_REPORTS
        ]
        texts.extend(report_text(report) for report in reports)
    except DatabaseError:
        pass
    excluded = {clean_text(text) for text in exclude}
    return [text for text in texts if clean_text(text) not in excluded]


def _row(
    report: Report,
    other: Report,
    kind: str,
    now: datetime,
    mine: Prepared | None = None,
    references: dict[int, Prepared] | None = None,
    theirs: Prepared | None = None,
) -> ReportSimilarity:
    """The comparison of a report with another. Passages that at least two of the other
    references (the same year's candidates and the samples) contain too are template text."""
    references = references or {}
    # Each text is prepared once per search (similar_reports_search), not once per row.
    mine = mine or references.get(report.pk) or Prepared(report_text(report))
    theirs = theirs or references.get(other.pk) or Prepared(report_text(other))
    similarity, passages = shared_passages(mine, theirs)
    pool = [
        prepared
        for pk, prepared in references.items()
        if pk not in (report.pk, other.pk) and prepared.clean != theirs.clean
    ]
    pool.extend(
        prepared
        for prepared in _sample_references()
        if prepared.clean not in (mine.clean, theirs.clean)
    )
    template = [is_template(mine, passage, pool) for passage in passages]
    judged = verdict(mine, passages, template, same_year=kind == ReportSimilarity.Kind.SAME_PERIOD)
    return ReportSimilarity(
        report=report,
        other=other,
        kind=kind,
        similarity=similarity,
        copied=judged.copied_share,
        flagged=judged.flagged,
        passages=[
            {
                "text": mine.text[p.a_start : p.a_end],
                "a_start": p.a_start,
                "b_start": p.b_start,
                "b_text": p.b_shared(theirs.text),
                "template": is_stock,
            }
            for p, is_stock in zip(passages, template, strict=True)
        ],
        computed_at=now,
    )


@dataclass
class SearchResult:
    candidates: int  # reports compared exactly
    rows: list[ReportSimilarity]
    references: dict[int, Prepared]  # the candidates' texts, by report id
    mine: Prepared  # the report's own


def similar_reports_search(report: Report) -> SearchResult:
    """The most similar reports of the same year (from the index, verified exactly) and the
    township's previous-year report, as unsaved rows; the report must be fingerprinted."""
    now = timezone.now()
    ids = similar_candidates(report)
    candidates = Report.objects.filter(pk__in=ids, status__in=SENT_STATUSES).select_related(
        "period"
    )
    mine = Prepared(report_text(report))
    references = {other.pk: Prepared(report_text(other)) for other in candidates}
    same_year = [
        _row(report, other, ReportSimilarity.Kind.SAME_PERIOD, now, mine, references)
        for other in candidates
    ]
    same_year = sorted(
        (row for row in same_year if row.similarity >= LIST_THRESHOLD or row.flagged),
        key=lambda row: (-row.similarity, row.other_id),
    )[:KEEP]
    rows = list(same_year)
    previous = _previous_year_report(report)
    if previous is not None:
        rows.append(
            _row(report, previous, ReportSimilarity.Kind.PREVIOUS_YEAR, now, mine, references)
        )
    return SearchResult(candidates=len(ids), rows=rows, references=references, mine=mine)


@transaction.atomic
def report_similarities_compute(*, report: Report) -> list[ReportSimilarity]:
    """Indexes the report, then finds and stores its similar reports (report_similarities_store)."""
    found = _WITH_PERIOD(report.pk)
    if not found:
        raise Report.DoesNotExist(f"report {report.pk} does not exist")
    report = found[0]
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
            back = _row(
                row.other,
                report,
                ReportSimilarity.Kind.SAME_PERIOD,
                now,
                found.references.get(row.other_id),
                found.references,
                theirs=found.mine,
            )
            if back.similarity >= LIST_THRESHOLD or back.flagged:
                rows.append(back)
    following = _sent_report_of(report.township_id, report.period.year + 1)
    if following is not None:
        rows.append(
            _row(following, report, ReportSimilarity.Kind.PREVIOUS_YEAR, now, theirs=found.mine)
        )
    ReportSimilarity.objects.filter(Q(report=report) | Q(other=report)).delete()
    # An upsert: another app server may be storing the same pair for the other report right now.
    ReportSimilarity.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["report", "other"],
        update_fields=["kind", "similarity", "copied", "flagged", "passages", "computed_at"],
    )
    return found.rows


def report_similarities_run(*, report_id: int) -> None:
    """The background job after a submission; a report deleted meanwhile is nothing to do."""
    found = _SENT(report_id)
    if found:
        report_similarities_compute(report=found[0])


# The task keeps its old name so that checks queued before an upgrade still run.
@shared_task(name="reports.similarities_run")
def similarities_run(report_id: int) -> None:
    report_similarities_run(report_id=report_id)


# --- reads for the review page --------------------------------------------------------------


@dataclass
class SimilarityCheck:
    checked_at: datetime | None  # None: never indexed (not submitted since the check exists)
    rows: list[ReportSimilarity]  # the previous year first, then the most similar first
    template_share: float = 0.0  # share of the report in template passages (套话)
    threshold: float = FLAG_SHARE
    long_passage: int = LONG_PASSAGE
    long_passages: int = FLAG_LONG_PASSAGES


# The review page's reads, compiled once; the other reports without their parts (the panel names
# them; their passages are stored with the comparison).
_FINGERPRINT = FixedQuery(
    lambda pk: ReportFingerprint.objects.filter(report_id=pk).only("computed_at").order_by("pk")[:1]
)
_COMPARISONS = FixedQuery(
    lambda pk: (
        ReportSimilarity.objects.filter(report_id=pk)
        .select_related("other__township__county", "other__period")
        .defer(*(f"other__{key}" for key in SECTION_KEYS))
    )
)


def report_similarity_check(report: Report) -> SimilarityCheck:
    found = _FINGERPRINT(report.pk)
    fingerprint = found[0] if found else None
    rows = sorted(
        _COMPARISONS(report.pk),
        key=lambda row: (
            row.kind != ReportSimilarity.Kind.PREVIOUS_YEAR,
            not row.flagged,
            -row.similarity,
        ),
    )
    spans = [
        (p["a_start"], p["a_start"] + len(p["text"]))
        for row in rows
        for p in row.passages
        if p.get("template")
    ]
    template_share = 0.0
    if spans:
        text = report_text(report)
        total = len(clean_text(text))
        stock = sum(len(clean_text(text[start:end])) for start, end in _merged(spans))
        template_share = round(stock / total, 4) if total else 0.0
    return SimilarityCheck(fingerprint.computed_at if fingerprint else None, rows, template_share)


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
            pieces: list[str] = []
            cursor = line_start
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
        passages=[(text[p.a_start : p.a_end], p.b_shared(other_text)) for p in passages],
        parts=_marked_parts(report, [(p.a_start, p.a_end) for p in passages]),
        other_parts=_marked_parts(other, [run for p in passages for run in p.b_runs])
        if show_other
        else None,
    )
