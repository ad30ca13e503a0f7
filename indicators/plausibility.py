"""Is a figure plausible? Last year beside this year, and the county's median per village:
pure functions, no queries (DHIS2's "follow-up", as county reviewers catch typos).

A figure is marked 「请核实」 when it changed by the factor or more since last year (×3 or ÷3 by
default; a drop to 0 from at least the factor counts), or when its value per village is the
factor or more away from the median of the county's other townships (at least MEDIAN_MIN_PEERS
of them with the figure known). A change from 0 is left to the median rule: any ratio to 0 is
infinite. Small counts are never marked: a figure within MIN_DIFFERENCE of last year's or of
what the median would give the township (0 lawsuits where the county has 0.08 per village) is
normal, and marking it would bury the figures worth a second look. The number of villages is
also held against the official register's count of 村/居委会 (manage.py load_divisions)."""

import statistics
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from .scoring import fmt

DEFAULT_FACTOR = Decimal(3)
# The element every per-village comparison divides by (and is itself not compared per village).
VILLAGES = "villages_total"
MEDIAN_MIN_PEERS = 3
MIN_DIFFERENCE = 5
TENTH = Decimal("0.1")


def _ratio_words(ratio: Decimal) -> str:
    if ratio >= 1:
        return f"{fmt(ratio.quantize(TENTH, rounding=ROUND_HALF_UP))} 倍"
    return f"{fmt((1 / ratio).quantize(TENTH, rounding=ROUND_HALF_UP))} 分之一"


@dataclass(frozen=True)
class FigureFlag:
    value: int | None
    previous: int | None  # last year's figure (None: no report or unknown)
    median_per_village: Decimal | None  # the county's, when there were enough peers
    reasons: tuple[str, ...] = field(default=())

    @property
    def change(self) -> int | None:
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous

    @property
    def change_words(self) -> str:
        """「+12」「−3」「持平」, or empty when there is nothing to compare."""
        change = self.change
        if change is None:
            return ""
        if change == 0:
            return "持平"
        return f"+{change}" if change > 0 else f"−{-change}"

    @property
    def flagged(self) -> bool:
        return bool(self.reasons)


def county_medians(
    peers: list[Mapping[str, int | None]], codes: list[str]
) -> dict[str, Decimal | None]:
    """Per element: the median value per village over the peers that know it and their
    villages, or None when fewer than MEDIAN_MIN_PEERS do."""
    medians: dict[str, Decimal | None] = {}
    for code in codes:
        if code == VILLAGES:
            continue
        per_village = [
            Decimal(figures[code]) / Decimal(figures[VILLAGES])  # type: ignore[arg-type]
            for figures in peers
            if figures.get(code) is not None and (figures.get(VILLAGES) or 0) > 0
        ]
        medians[code] = (
            statistics.median(per_village) if len(per_village) >= MEDIAN_MIN_PEERS else None
        )
    return medians


def figure_flags(
    *,
    current: Mapping[str, int | None],
    previous: Mapping[str, int | None],
    medians: Mapping[str, Decimal | None],
    codes: list[str],
    factor: Decimal = DEFAULT_FACTOR,
    registered_villages: int | None = None,
) -> dict[str, FigureFlag]:
    """code → its flag, for each of the codes (in that order). `registered_villages`: how many
    村/居委会 the official register lists for the township (None: not loaded)."""
    villages = current.get(VILLAGES)
    flags = {}
    for code in codes:
        value, before = current.get(code), previous.get(code)
        reasons = []
        # The register lags behind merges of villages by a year or two: a small gap is normal.
        if (
            code == VILLAGES
            and value is not None
            and registered_villages
            and abs(value - registered_villages) > max(2, registered_villages // 10)
        ):
            reasons.append(f"官方区划登记村（居）委会 {registered_villages} 个")
        if value is not None and before is not None and abs(value - before) >= MIN_DIFFERENCE:
            if before > 0 and value > 0:
                ratio = Decimal(value) / Decimal(before)
                if ratio >= factor or ratio <= 1 / factor:
                    reasons.append(f"是上年（{before}）的 {_ratio_words(ratio)}")
            elif value == 0 and before >= factor:
                reasons.append(f"上年为 {before}，今年为 0")
        median = medians.get(code)
        if value is not None and median is not None and median > 0 and villages:
            per_village = Decimal(value) / Decimal(villages)
            far = abs(Decimal(value) - median * villages) >= MIN_DIFFERENCE
            if far and (
                per_village == 0 or per_village / median >= factor or median / per_village >= factor
            ):
                reasons.append(
                    f"每村 {fmt(per_village.quantize(Decimal('0.01')))}，"
                    f"全县中位数每村 {fmt(median.quantize(Decimal('0.01')))}"
                )
        flags[code] = FigureFlag(
            value=value, previous=before, median_per_village=median, reasons=tuple(reasons)
        )
    return flags
