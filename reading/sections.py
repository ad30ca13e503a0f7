"""The five parts of a township's annual report (DOMAIN.md keys, official headings, in official order)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Section:
    key: str
    number: str
    heading: str
    hint: str
    required: bool


SECTIONS: tuple[Section, ...] = (
    Section(
        "measures_and_results",
        "一",
        "上一年度推进法治政府建设的主要举措和成效",
        "写明全年采取的主要措施、取得的成效，尽量用具体数字说明（如调解纠纷件数、普法活动场次）。",
        True,
    ),
    Section(
        "shortcomings",
        "二",
        "存在的不足和原因",
        "如实写明工作中存在的问题及其原因，不要只写成绩。",
        True,
    ),
    Section(
        "leadership_duty",
        "三",
        "党政主要负责人履行推进法治建设第一责任人职责情况",
        "写明党委书记、乡（镇）长本人如何组织学法、研究法治工作、督促依法行政。",
        True,
    ),
    Section(
        "next_year_plan",
        "四",
        "下一年度推进法治政府建设的主要安排",
        "列出下一年度的主要工作安排和措施。",
        True,
    ),
    Section(
        "other",
        "五",
        "其他需要报告的情况",
        "没有可不填。",
        False,
    ),
)

SECTION_KEYS = tuple(section.key for section in SECTIONS)
REQUIRED_SECTION_KEYS = tuple(section.key for section in SECTIONS if section.required)
SECTIONS_BY_KEY = {section.key: section for section in SECTIONS}
