import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from reading.extract import extract
from reading.register import load_register
from reading.tokens import tokenizer

SAMPLES = Path(settings.BASE_DIR) / "fixtures" / "samples"

# jieba's start-up in a fresh interpreter, with the cache folder given (empty = cold start).
_STARTUP = """
import sys, time
started = time.perf_counter()
import jieba
tk = jieba.Tokenizer()
tk.tmp_dir = sys.argv[1]
tk.initialize()
tk.load_userdict(sys.argv[2])
print(time.perf_counter() - started)
"""


def _startup_seconds(cache_dir: str) -> float:
    from reading.tokens import TERMS_FILE

    out = subprocess.run(
        [sys.executable, "-c", _STARTUP, cache_dir, str(TERMS_FILE)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return round(float(out.strip()), 3)


def corpus(count: int, seed: int = 7) -> list[str]:
    """Reports of varied shape: the samples with their paragraphs shuffled inside each part and
    figures changed, so that no two texts are the same."""
    rng = random.Random(seed)
    texts = [path.read_text(encoding="utf-8") for path in sorted(SAMPLES.glob("*.txt"))]
    out = []
    for index in range(count):
        lines = texts[index % len(texts)].split("\n")
        body = lines[3:-3]
        rng.shuffle(body)
        text = "\n".join(lines[:3] + body + lines[-3:])
        out.append(
            text.replace("26个", f"{rng.randint(5, 40)}个").replace(
                "400余件", f"{rng.randint(50, 900)}件"
            )
        )
    return out


class Command(BaseCommand):
    help = "性能基准：报告文本识别（每秒份数）和 jieba 启动用时（JSON）。"

    def add_arguments(self, parser):
        parser.add_argument("--reports", type=int, default=300)

    def handle(self, *args, reports: int, **options):
        with tempfile.TemporaryDirectory() as empty:
            cold = _startup_seconds(empty)
            warm = _startup_seconds(empty)  # the first run left its cache there
        texts = corpus(reports)
        tokenizer()  # loaded once per process, as in the portal
        load_register()  # the official register of places: once per process too (about 0.5 s)
        started = time.perf_counter()
        for text in texts:
            extract(text)
        seconds = time.perf_counter() - started
        characters = sum(len(text) for text in texts)
        figures = {
            "benchmark": "extraction",
            "cores": os.cpu_count(),
            "jieba_startup_cold_seconds": cold,
            "jieba_startup_cached_seconds": warm,
            "reports": reports,
            "average_characters": round(characters / reports),
            "seconds": round(seconds, 2),
            "reports_per_second": round(reports / seconds, 1),
        }
        self.stdout.write(json.dumps(figures, ensure_ascii=False))
