"""Figures of a Locust run (devtools/locustfile.py) in the shape `manage.py loadtest` prints: per
page and overall request counts and p50/p95/p99/max, and the errors users saw.

Reads Locust's own statistics (--json-file: one entry per request name, with its response times
counted by value) and what the scenario's conductor adds (the log-in phase, the window, errors,
action counts). Locust keeps response times rounded (to 10 ms from 100 ms, to 100 ms from 1 s), so
percentiles are as fine as that; the maximum is exact.
"""

import math
import re
from collections import Counter

ERROR_SAMPLE = 25
ACTIONS = ("saves", "submits", "withdrawals", "reviewer_404_on_withdrawn_report (expected)")
# Locust reports a failure as the repr of its exception: CatchResponseError('HTTP 500') …
WRAPPED = re.compile(r"^\w+\((['\"])(.*)\1\)$", re.S)


def percentile(counts: dict[float, int], q: float) -> float:
    """Nearest-rank percentile over values counted by value: a value that was really observed."""
    total = sum(counts.values())
    if not total:
        return 0.0
    rank = max(1, math.ceil(q * total))
    seen = 0
    for value in sorted(counts):
        seen += counts[value]
        if seen >= rank:
            return value
    return max(counts)


def _response_times(entry: dict) -> Counter[float]:
    return Counter({float(ms): n for ms, n in entry.get("response_times", {}).items()})


def figures(entries: list[dict]) -> dict:
    times: Counter[float] = Counter()
    for entry in entries:
        times.update(_response_times(entry))
    count = sum(entry["num_requests"] for entry in entries)
    maximum = max((entry.get("max_response_time") or 0.0 for entry in entries), default=0.0)
    # A rounded value may lie above the exact maximum (4,261 ms is kept as 4,300).
    return {
        "count": count,
        "p50_ms": round(min(percentile(times, 0.50), maximum), 1),
        "p95_ms": round(min(percentile(times, 0.95), maximum), 1),
        "p99_ms": round(min(percentile(times, 0.99), maximum), 1),
        "max_ms": round(maximum, 1),
    }


def summarise(entries: list[dict]) -> dict:
    """{"pages": {name: figures}, "overall": figures}; names are the scenario's request names."""
    entries = [entry for entry in entries if entry.get("num_requests")]
    by_page: dict[str, list[dict]] = {}
    for entry in entries:
        by_page.setdefault(entry["name"], []).append(entry)
    pages = {name: figures(group) for name, group in sorted(by_page.items())}
    return {"pages": pages, "overall": figures(entries)}


def message_of(error: dict) -> str:
    text = str(error.get("error", ""))
    wrapped = WRAPPED.match(text)
    return wrapped.group(2) if wrapped else text


def errors(rows: list[dict]) -> dict:
    """Locust's failures (one row per request name and message, with occurrences)."""
    by_kind: Counter[str] = Counter()
    sample: list[str] = []
    for row in rows:
        message = message_of(row)
        kind = re.split(r"[:(«]", message, maxsplit=1)[0].strip() or message
        by_kind[f"{row['name']}: {kind}"] += row["occurrences"]
        if len(sample) < ERROR_SAMPLE:
            times = f"（{row['occurrences']} 次）" if row["occurrences"] > 1 else ""
            sample.append(f"{row['name']}: {message}{times}"[:300])
    return {
        "count": sum(by_kind.values()),
        "by_kind": dict(by_kind.most_common()),
        "sample": sample,
    }


def results_of(stats: list[dict], extra: dict, seconds: float) -> dict:
    """The run's figures: `stats` is Locust's --json-file (the measured window), `extra` what the
    conductor wrote (log-in phase, window times, failures of both phases, action counts)."""
    login = extra.get("login") or {}
    window = extra.get("window") or {}
    run = summarise(stats)
    login_figures = summarise(login.get("stats", []))
    total = run["overall"]["count"]
    return {
        "login_seconds": login.get("seconds", 0.0),
        "login": login_figures["overall"] | {"pages": login_figures["pages"]},
        "users_logged_in": login.get("logged_in", 0),
        "users_not_logged_in": login.get("failed", 0),
        "duration_seconds": round(window["closed"] - window["opened"], 1) if window else 0.0,
        "total_requests": total,
        "requests_per_second": round(total / seconds, 1),
        "pages": run["pages"],
        "overall": run["overall"],
        # A user who cannot log in sees it as much as one whose save fails.
        "errors": errors(login.get("errors", []) + extra.get("errors", [])),
        "actions": dict.fromkeys(ACTIONS, 0) | extra.get("counts", {}),
    }
