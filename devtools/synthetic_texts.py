"""Deterministic synthetic report texts for the similarity tests and benchmark.

Each text mixes sentences of the three sample reports (what real reports of different townships
share: stock phrases, quoted documents) with random sentences made of the samples' character
pairs, so that unrelated texts look alike on the surface without being copies.
"""

import random
import re
from pathlib import Path

from django.conf import settings

SAMPLES = Path(settings.BASE_DIR) / "fixtures" / "samples"
PART_LENGTHS = {
    "measures_and_results": 1200,
    "shortcomings": 300,
    "leadership_duty": 300,
    "next_year_plan": 400,
}
SAMPLE_SHARE = 0.2  # of sentences taken from the samples


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[。；！？])|\n", text) if s and s.strip()]


class SyntheticTexts:
    def __init__(self, seed: int = 1):
        self.rng = random.Random(seed)
        text = "\n".join(path.read_text(encoding="utf-8") for path in sorted(SAMPLES.glob("*.txt")))
        self.sample_sentences = [s for s in _sentences(text) if len(s) >= 12]
        cjk = [c for c in text if "\u4e00" <= c <= "\u9fff"]
        self.pairs = sorted({a + b for a, b in zip(cjk, cjk[1:], strict=False)})

    def sentence(self) -> str:
        rng = self.rng
        words = [rng.choice(self.pairs) for _ in range(rng.randint(6, 16))]
        comma = rng.randint(2, len(words) - 2)
        return "".join(words[:comma]) + "，" + "".join(words[comma:]) + "。"

    def part(self, length: int) -> str:
        sentences, size = [], 0
        while size < length:
            if self.rng.random() < SAMPLE_SHARE:
                sentence = self.rng.choice(self.sample_sentences)
            else:
                sentence = self.sentence()
            sentences.append(sentence)
            size += len(sentence)
        return "".join(sentences)

    def parts(self) -> dict[str, str]:
        """The five parts of one report (other left empty, as most reports do)."""
        parts = {key: self.part(length) for key, length in PART_LENGTHS.items()}
        parts["other"] = ""
        return parts

    def copy_of(self, parts: dict[str, str], changes: int = 3) -> dict[str, str]:
        """The parts with `changes` sentences of the first part rewritten, as a copier would."""
        copied = dict(parts)
        sentences = _sentences(copied["measures_and_results"])
        for index in self.rng.sample(range(len(sentences)), k=min(changes, len(sentences))):
            sentences[index] = self.sentence()
        copied["measures_and_results"] = "".join(sentences)
        return copied
