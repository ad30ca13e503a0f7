import json
import math
import os
import random
import resource
import statistics
import time
import tracemalloc
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from devtools.synthetic_texts import SyntheticTexts
from org.models import County, Period, Township
from reading.passages import BANDS, NUM_PERM, SHINGLE
from reports.models import Report, ReportBand, ReportFingerprint
from reports.similarity import (
    reports_fingerprint,
    similar_candidates,
    similar_reports_search,
)
from reports.workflow import ReportStatus

PREFIX = "基准查重"
PLANTED = 10  # copies (three sentences rewritten) of earlier reports, all among the first sizes[0]
BATCH = 2000


class Command(BaseCommand):
    help = (
        "性能基准：为 1 万、4 万份合成报告建立相似内容索引，测量单份报告的相似查找用时、"
        "索引占用空间和建索引速度（JSON）。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 40_000])
        parser.add_argument("--year", type=int, default=2095, help="基准数据使用的报告年度")
        parser.add_argument("--probes", type=int, default=10, help="另外随机查找的报告数")
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, sizes, year, probes, seed, **options):
        if connection.vendor != "postgresql":
            raise CommandError("基准须在 PostgreSQL 上运行（设置 DATABASE_URL）。")
        sizes = sorted(sizes)
        if sizes[0] < PLANTED * 200:
            raise CommandError(f"最小规模至少 {PLANTED * 200} 份报告。")
        started = time.perf_counter()
        period, planted = self._reports(year=year, total=sizes[-1], first=sizes[0], seed=seed)
        generated_seconds = time.perf_counter() - started
        ids = list(
            Report.objects.filter(period=period, township__county__province=f"{PREFIX}省")
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        ReportBand.objects.filter(period=period).delete()
        ReportFingerprint.objects.filter(report__period=period).delete()
        with connection.cursor() as cursor:
            # The rows deleted by an earlier run would count in the table sizes measured below.
            cursor.execute("VACUUM FULL reports_reportband, reports_reportfingerprint")

        figures: dict[str, Any] = {
            "benchmark": "similarity",
            "database": connection.vendor,
            "cores": os.cpu_count(),
            "shingle_characters": SHINGLE,
            "minhash_permutations": NUM_PERM,
            "lsh_bands": BANDS,
            "data_generation_seconds": round(generated_seconds, 1),
            "target_search_seconds": 0.5,
            "runs": [],
        }
        indexed = 0
        for size in sizes:
            self.stderr.write(f"建立索引：{indexed} → {size} 份报告……")
            started, cpu_started = time.perf_counter(), time.process_time()
            for start in range(indexed, size, BATCH):
                batch = list(
                    Report.objects.filter(pk__in=ids[start : min(start + BATCH, size)])
                    .select_related("period")
                    .order_by("pk")
                )
                reports_fingerprint(reports=batch)
            seconds = time.perf_counter() - started
            # CPU time of this process apart: on a shared machine the wall time includes waiting
            # for a core, and the database's own work shows only in the wall time.
            cpu_seconds = time.process_time() - cpu_started
            added, indexed = size - indexed, size
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE reports_reportband")
            figures["runs"].append(
                {
                    "reports_indexed": size,
                    "indexing_seconds": round(seconds, 1),
                    "indexing_reports_per_second": round(added / seconds, 1),
                    "indexing_python_cpu_seconds": round(cpu_seconds, 1),
                    **_sizes(),
                    **self._searches(ids[:size], planted, probes, seed),
                }
            )
        figures["max_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
        self.stdout.write(json.dumps(figures, ensure_ascii=False))

    def _reports(self, *, year: int, total: int, first: int, seed: int):
        """The period's synthetic reports, made once (kept for later runs), and the planted
        (copy id, source id) pairs."""
        period, _ = Period.objects.get_or_create(
            year=year, defaults={"deadline": f"{year + 1}-02-28"}
        )
        existing = Report.objects.filter(
            period=period, township__county__province=f"{PREFIX}省"
        ).count()
        if existing < total:
            self.stderr.write(f"生成 {total - existing} 份合成报告……")
            _generate(period=period, total=total, start=existing, first=first, seed=seed)
        pairs = _planted_numbers(first)
        names = {n: f"{PREFIX}镇{n:06d}" for n in {*pairs, *pairs.values()}}
        reports = dict(
            Report.objects.filter(period=period, township__name__in=names.values()).values_list(
                "township__name", "pk"
            )
        )
        planted = [(reports[names[copy]], reports[names[source]]) for copy, source in pairs.items()]
        return period, planted

    def _searches(self, ids: list[int], planted, probes: int, seed: int) -> dict:
        """Times similar_reports_search (candidate lookup + exact comparison) for the planted
        copies and for random reports."""
        rng = random.Random(seed)
        others = rng.sample(ids, k=probes)
        reports = Report.objects.select_related("period").in_bulk(
            [copy for copy, _source in planted] + others
        )
        search_times, cpu_times, lookup_times, compared = [], [], [], []
        found = 0
        for copy, source in planted:
            seconds, cpu, lookup, result = _timed_search(reports[copy])
            search_times.append(seconds)
            cpu_times.append(cpu)
            lookup_times.append(lookup)
            compared.append(result.candidates)
            found += any(r.other_id == source and r.flagged for r in result.rows)
        for pk in others:
            seconds, cpu, lookup, result = _timed_search(reports[pk])
            search_times.append(seconds)
            cpu_times.append(cpu)
            lookup_times.append(lookup)
            compared.append(result.candidates)
        tracemalloc.start()
        similar_reports_search(reports[others[0]])
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return {
            "searches": len(search_times),
            "search_seconds_median": round(statistics.median(search_times), 3),
            "search_seconds_max": round(max(search_times), 3),
            "search_python_cpu_seconds_median": round(statistics.median(cpu_times), 3),
            "candidate_lookup_seconds_median": round(statistics.median(lookup_times), 4),
            "candidates_compared_mean": round(statistics.mean(compared), 1),
            "planted_copies": len(planted),
            "planted_copies_found_and_flagged": found,
            "search_peak_python_heap_mb": round(peak / 2**20, 2),
        }


def _timed_search(report: Report):
    started = time.perf_counter()
    similar_candidates(report)
    lookup = time.perf_counter() - started
    started, cpu_started = time.perf_counter(), time.process_time()
    result = similar_reports_search(report)
    return time.perf_counter() - started, time.process_time() - cpu_started, lookup, result


def _sizes() -> dict:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_total_relation_size('reports_reportband'),"
            " pg_indexes_size('reports_reportband'),"
            " pg_total_relation_size('reports_reportfingerprint'),"
            " (SELECT count(*) FROM reports_reportband)"
        )
        bands, band_indexes, fingerprints, rows = cursor.fetchone()
    return {
        "band_rows": rows,
        "band_table_mb": round(bands / 2**20, 1),
        "band_indexes_mb": round(band_indexes / 2**20, 1),
        "fingerprint_table_mb": round(fingerprints / 2**20, 1),
        "index_bytes_per_report": round((bands + fingerprints) / max(rows // BANDS, 1)),
        "in_memory_index_mb": 0,
    }


def _planted_numbers(first: int) -> dict[int, int]:
    """Report number of each planted copy → number of the report it copies (both < first)."""
    step = first // PLANTED
    return {k * step + step // 2 + 7: k * step + 3 for k in range(PLANTED)}


def _generate(*, period: Period, total: int, start: int, first: int, seed: int) -> None:
    """Reports numbered start…total-1, 40 townships a county, bulk-inserted; a planted copy
    repeats its source with three sentences rewritten."""
    texts = SyntheticTexts(seed=seed + start)
    planted = _planted_numbers(first)
    sources = set(planted.values())
    kept: dict[int, dict[str, str]] = {}
    counties = math.ceil(total / 40)
    County.objects.bulk_create(
        [
            County(province=f"{PREFIX}省", city=f"{PREFIX}市", name=f"{PREFIX}县{c:05d}")
            for c in range(counties)
        ],
        ignore_conflicts=True,
    )
    county_ids = dict(County.objects.filter(province=f"{PREFIX}省").values_list("name", "pk"))
    Township.objects.bulk_create(
        [
            Township(
                county_id=county_ids[f"{PREFIX}县{n // 40:05d}"],
                name=f"{PREFIX}镇{n:06d}",
                kind=Township.Kind.ZHEN,
                order=n % 40,
            )
            for n in range(total)
        ],
        ignore_conflicts=True,
        batch_size=5000,
    )
    town_ids = dict(
        Township.objects.filter(county__province=f"{PREFIX}省").values_list("name", "pk")
    )
    for batch_start in range(start, total, BATCH):
        rows = []
        for n in range(batch_start, min(batch_start + BATCH, total)):
            if n in planted and planted[n] in kept:
                parts = texts.copy_of(kept[planted[n]])
            else:
                parts = texts.parts()
            if n in sources:
                kept[n] = parts
            rows.append(
                Report(
                    township_id=town_ids[f"{PREFIX}镇{n:06d}"],
                    period=period,
                    status=ReportStatus.SUBMITTED,
                    **parts,
                )
            )
        with transaction.atomic():
            Report.objects.bulk_create(rows, batch_size=500)
