"""Parts found under the headings real reports write, however numbered."""

import pytest

from reading.extract import extract

BODY = "我们做了很多工作，取得了明显成效，群众满意度进一步提高。\n"
TITLE = "某镇2023年法治政府建设工作报告\n"


def report(*headings: str) -> str:
    return TITLE + "".join(f"{heading}\n{BODY}" for heading in headings)


@pytest.mark.parametrize(
    "headings",
    [
        ("一、一年来的工作", "（一）加强领导，解决突出问题", "二、存在问题", "三、下步打算"),
        ("一、主要做法", "二、存在的不足", "三、2024年工作思路"),
        ("（一）主要做法及成效", "（二）问题和不足", "（三）下一步工作打算"),
        ("主要做法", "存在问题", "下步打算"),
        ("一、工作开展情况", "1.推进依法决策", "二、存在的问题和困难", "三、下一年度工作计划"),
        ("第一部分 2023年工作情况", "第二部分 存在的短板", "第三部分 2024年工作安排"),
        ("一、一年来的主要工作", "二、当前存在的问题", "三、今后工作打算"),
        ("一、2023年工作推进情况", "（一）坚持问题导向", "二、工作中的不足", "三、下一步工作举措"),
    ],
)
def test_headings_as_reports_write_them(headings):
    result = extract(report(*headings))
    assert list(result.sections) == ["measures_and_results", "shortcomings", "next_year_plan"]
    assert result.missing_sections == ["leadership_duty"]


def test_work_written_before_a_part_numbered_two_is_the_measures():
    text = TITLE + BODY * 2 + "二、存在问题\n" + BODY + "三、下步打算\n" + BODY
    result = extract(text)
    assert result.sections["measures_and_results"].startswith("我们做了很多工作")
    assert "measures_and_results" not in result.missing_sections
    assert result.sections["shortcomings"] == BODY.strip()
