"""Whether a report has its required parts: the one definition used by the stored missing parts,
the score, the submission check, the review page and the PDFs."""

from __future__ import annotations

import re

from .normalise import normalise
from .sections import REQUIRED_SECTION_KEYS, SECTION_KEYS
from .structure import split_sections

_PLACEHOLDER = re.compile(
    r"^[\s。．.、，,…-]*(?:无|暂无|没有|略|同上|待补充|未填|无其他情况)?[\s。．.、，,…-]*$"
)


def part_is_present(text: str) -> bool:
    """A part counts only with real content: 「无」 or 「略」 is not a part."""
    return bool(text and text.strip()) and not _PLACEHOLDER.match(text.strip())


def parts_present(parts: dict[str, str]) -> dict[str, bool]:
    """Which parts a report really has. A clerk who pastes the whole report into one box still
    has its parts: the headings inside that box count too."""
    present = {key: part_is_present(parts.get(key, "")) for key in SECTION_KEYS}
    for key in SECTION_KEYS:
        content = parts.get(key) or ""
        if content.count("\n") < 2:
            continue
        split = split_sections(normalise(content))
        if len(split.sections) < 2:
            continue
        for found, section_text in split.sections.items():
            if part_is_present(section_text):
                present[found] = True
    return present


def missing_parts(parts: dict[str, str]) -> list[str]:
    """Required parts a report lacks, in official order (stored on Report.missing_parts)."""
    present = parts_present(parts)
    return [key for key in REQUIRED_SECTION_KEYS if not present[key]]
