"""Everything the portal reads from a report's free text, in one call."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from .figures import ElementWords, Figure, extract_figures, rules_for
from .normalise import normalise
from .places import find_township, find_year
from .sections import REQUIRED_SECTION_KEYS
from .structure import split_sections
from .tokens import words


@dataclass
class Extraction:
    township: str | None
    year: int | None
    sections: dict[str, str]
    headings: dict[str, str]
    preamble: str
    metrics: dict[str, Figure] = field(default_factory=dict)

    @property
    def missing_sections(self) -> list[str]:
        return [key for key in REQUIRED_SECTION_KEYS if not self.sections.get(key)]

    def as_contract(self) -> dict[str, Any]:
        """DOMAIN.md's JSON for `extract_report`."""
        return {
            "township": self.township,
            "year": self.year,
            "sections": dict(self.sections),
            "missing_sections": self.missing_sections,
            "metrics": {
                code: {
                    "value": figure.value,
                    "approximate": figure.approximate,
                    "evidence": figure.evidence,
                }
                for code, figure in self.metrics.items()
                if figure.sure
            },
        }

    def to_json(self) -> dict[str, Any]:
        """Everything found, as JSON (kept while a queued import waits for the clerk)."""
        return {
            "township": self.township,
            "year": self.year,
            "sections": self.sections,
            "headings": self.headings,
            "preamble": self.preamble,
            "metrics": {code: asdict(figure) for code, figure in self.metrics.items()},
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Extraction:
        return cls(
            township=data["township"],
            year=data["year"],
            sections=dict(data["sections"]),
            headings=dict(data["headings"]),
            preamble=data["preamble"],
            metrics={code: Figure(**figure) for code, figure in data["metrics"].items()},
        )


def extract(
    text: str,
    *,
    known_townships: tuple[str, ...] = (),
    hints: dict[int, int] | None = None,
    vocabulary: tuple[ElementWords, ...] | None = None,
) -> Extraction:
    """Everything the portal reads from a report's free text. `vocabulary` is the portal's
    data elements with their synonyms (rows admins edit); without it, the built-in words."""
    clean = normalise(text)
    split = split_sections(clean, hints=hints)
    tokens = words(clean)
    return Extraction(
        township=find_township(clean, known=known_townships, tokens=tokens),
        year=find_year(clean),
        sections=split.sections,
        headings=split.headings,
        preamble=split.preamble,
        metrics=extract_figures(clean, tokens=tokens, rules=rules_for(vocabulary)),
    )
