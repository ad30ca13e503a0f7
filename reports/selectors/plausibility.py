"""Last year beside this year for every figure of a report, the county's median per village, and
who has checked a figure marked 「请核实」: a fixed number of queries, whatever the county's size."""

import hashlib
from dataclasses import dataclass
from decimal import Decimal
from typing import cast

from django.core.cache import cache
from django.db import connection

from indicators.models import DataElement
from indicators.plausibility import DEFAULT_FACTOR, FigureFlag, county_medians, figure_flags
from indicators.selectors import active_data_elements, active_indicator_set
from org.models import Township
from reportportal.db import execute_prepared

from ..models import FigureCheck, Report, ReportValue
from ..workflow import SENT_STATUSES
from .reports import previous_figures, report_figures
from .stamps import FRAGMENT_SECONDS, county_sent_stamp, report_has


@dataclass(frozen=True)
class FigureRow:
    element: DataElement
    flag: FigureFlag
    check: FigureCheck | None  # the latest check of this figure, if any

    @property
    def checked(self) -> bool:
        """Checked, and still at the value that was checked."""
        return self.check is not None and self.check.value == self.flag.value

    @property
    def needs_check(self) -> bool:
        return self.flag.flagged and not self.checked

    @property
    def target(self) -> str:
        return f"fig:{self.element.code}"


def change_factor(report: Report) -> Decimal:
    indicator_set = active_indicator_set(report.period)
    return (indicator_set.change_factor if indicator_set else None) or DEFAULT_FACTOR


def figure_plausibility(report: Report) -> dict[str, FigureRow]:
    """code → row, in form order, for every active data element."""
    elements = active_data_elements()
    codes = [element.code for element in elements]
    # This year's figures as the edit page's form reads them (once a request).
    current = report_figures(report)
    # The county's medians change only with its sent reports: kept in the cache on the stamp
    # that changes with any of them (reports.selectors.stamps). A sent report is left out of its
    # own peers; for any other the peers are all the sent reports, the same for the county.
    county_id, period_id = report.township.county_id, report.period_id
    whose = f"report{report.pk}" if report.status in SENT_STATUSES else f"{county_id}:{period_id}"
    medians = cast(
        dict[str, Decimal | None],
        cache.get_or_set(
            "medians:{}:{}".format(
                whose,
                hashlib.sha256(
                    "|".join([*codes, county_sent_stamp(county_id, period_id)]).encode()
                ).hexdigest(),
            ),
            lambda: _county_medians(report, codes),
            FRAGMENT_SECONDS,
        ),
    )
    flags = figure_flags(
        current=current,
        previous=previous_figures(report),
        medians=medians,
        codes=codes,
        factor=change_factor(report),
        registered_villages=report.township.villages_registered,
    )
    latest: dict[int, FigureCheck] = {}
    if report_has(report.pk, "checks"):
        for check in FigureCheck.objects.filter(report=report).select_related("checked_by"):
            latest[check.element_id] = check  # ordered by time: the last one stays
    return {
        element.code: FigureRow(
            element=element, flag=flags[element.code], check=latest.get(element.pk)
        )
        for element in elements
    }


# The county's sent reports' figures (but the report's own), written out and prepared once: read
# again whenever a report of the county is sent or withdrawn. The statuses are the workflow's.
_PEER_FIGURES_SQL = f"""
SELECT v.report_id, e.code, v.value
FROM {ReportValue._meta.db_table} v
JOIN {Report._meta.db_table} r ON r.id = v.report_id
JOIN {Township._meta.db_table} t ON t.id = r.township_id
JOIN {DataElement._meta.db_table} e ON e.id = v.element_id
WHERE r.period_id = %s AND t.county_id = %s AND v.report_id <> %s
  AND r.status IN ({", ".join(f"'{status}'" for status in sorted(SENT_STATUSES))})
"""


def _county_medians(report: Report, codes: list[str]) -> dict[str, Decimal | None]:
    peers: dict[int, dict[str, int | None]] = {}
    with connection.cursor() as cursor:
        execute_prepared(
            cursor, _PEER_FIGURES_SQL, [report.period_id, report.township.county_id, report.pk]
        )
        for report_id, code, value in cursor.fetchall():
            peers.setdefault(report_id, {})[code] = value
    return county_medians(list(peers.values()), codes)
