"""Reading free-text reports: the three real samples, labelled by hand, and reports written in
other ways (other headings, numbering, units, Chinese numerals, percentages)."""

from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings

from reading.completeness import missing_parts, parts_present
from reading.extract import extract
from reading.figures import extract_figures
from reading.normalise import chinese_to_int, normalise, parse_number
from reading.places import find_township, find_year
from reading.structure import split_sections
from reading.tokens import tokenizer

SAMPLES = Path(settings.BASE_DIR) / "fixtures" / "samples"


def sample(name: str) -> str:
    return (SAMPLES / name).read_text(encoding="utf-8")


# My labels: (value, approximate, words the evidence must contain). Figures the text does not
# state as a number are absent (e.g. 花台乡 hires "律师" without a count).
LABELS = {
    "huatai-2023.txt": {
        "township": "花台乡",
        "year": 2023,
        "missing": ["leadership_duty"],
        "sections": {
            "measures_and_results": ("（一）深入学习贯彻党的二十大精神", "合格率100%。"),
            "shortcomings": ("（一）依法行政执法力量薄弱", "不信“法”的情况。"),
            "next_year_plan": ("一是不断加强法治队伍建设", "合法合规。"),
        },
        "metrics": {
            "certified_enforcement_officers": (6, False, "行政执法资格人员6人"),
            "staff_law_trainings": (6, False, "集中学法6场次"),
            "disputes_mediated": (90, True, "调解矛盾纠纷90余件"),
            "disputes_resolved": (90, True, "调解成功率达100%"),
            "emergency_drills": (2, False, "演练2次"),
        },
    },
    "lianchi-2023.txt": {
        "township": "莲池镇",
        "year": 2023,
        "missing": [],
        "sections": {
            "leadership_duty": ("莲池镇高度重视法治建设工作", "做学法表率。"),
            "measures_and_results": ("（一）强化学习培训", "能力不断增强。"),
            "shortcomings": ("全镇法治建设工作虽取得了一定成绩", "还不够浓厚。"),
            "next_year_plan": ("下一步，我镇将继续深入学习", "乡镇执法队伍。"),
        },
        "metrics": {
            "villages_total": (26, False, "26个行政村"),
            "villages_with_legal_advisor": (26, False, "覆盖率达100%"),
            "rule_of_law_meetings": (6, False, "专题会议6次"),
            # 「组织法治专题学习10余次」 and 「开展专题法治讲座3次」 say neither who studied nor
            # who was trained: not the 中心组's count, nor staff training, as the dev set labels.
            "certified_enforcement_officers": (12, False, "执法证12人"),
            "legal_consultations": (1000, False, "1000人次"),
            "publicity_events": (30, True, "普法宣传活动30余场"),
            "publicity_materials": (1000, True, "宣传手册1000余份"),
            "disputes_mediated": (400, True, "矛盾纠纷400余件"),
        },
    },
    "laoyanji-2022.txt": {
        "township": "老颜集乡",
        "year": 2022,
        "missing": [],
        "sections": {
            "measures_and_results": ("1、加强组织领导", "维权能力。"),
            # Its 「下一步」 paragraph sits inside 存在的不足 without a heading: it stays there.
            "shortcomings": ("虽然我乡法治政府建设工作取得了一定成效", "参与法治宣传教育。"),
            "leadership_duty": ("老颜集乡党政主要负责人", "日常工作全过程。"),
            "next_year_plan": ("针对上述法治政府建设过程中的问题和困难", "法治良序。"),
        },
        "metrics": {
            "villages_total": (27, False, "全乡27个行政村"),
            "villages_with_legal_advisor": (27, False, "27个行政村的法律顾问"),
            # 《民法典》100本 and 《法律明白人培训材料》120本, handed out in one go.
            "publicity_materials": (220, False, "100本"),
        },
    },
}


@pytest.mark.parametrize("name", sorted(LABELS))
def test_samples_read_as_labelled(name):
    label = LABELS[name]
    result = extract(sample(name))
    assert result.township == label["township"]
    assert result.year == label["year"]
    assert result.missing_sections == label["missing"]
    assert set(result.sections) == set(label["sections"])
    for key, (opening, ending) in label["sections"].items():
        assert result.sections[key].startswith(opening), key
        assert result.sections[key].endswith(ending), key
    got = {code: (figure.value, figure.approximate) for code, figure in result.metrics.items()}
    assert got == {code: (value, approx) for code, (value, approx, _) in label["metrics"].items()}
    for code, (_, _, words) in label["metrics"].items():
        assert words in result.metrics[code].evidence, code


def test_no_heading_line_or_signature_is_kept_in_a_part():
    result = extract(sample("lianchi-2023.txt"))
    every_part = "\n".join(result.sections.values())
    assert "三、存在的不足、原因和问题整改情况" not in every_part
    assert "2023年12月15日" not in every_part
    assert "沈丘县人民政府：" in result.preamble


def test_contract_shape():
    contract = extract(sample("huatai-2023.txt")).as_contract()
    assert set(contract) == {"township", "year", "sections", "missing_sections", "metrics"}
    assert contract["missing_sections"] == ["leadership_duty"]
    assert contract["metrics"]["disputes_mediated"] == {
        "value": 90,
        "approximate": True,
        "evidence": "全年调解矛盾纠纷90余件",
    }


VARIED = """东风镇人民政府关于2022年度法治政府建设工作情况的报告
第一部分 2022年工作开展情况
全镇辖12个行政村、2个社区，实现村（社区）法律顾问全覆盖。聘请2名律师担任镇政府法律顾问。全年共受理矛盾纠纷286起，调解成功280起，调解成功率97.9％。
审查合同及规范性文件23份。召开党委会专题研究法治建设工作4次。党委理论学习中心组开展集中学法１２次。开展普法宣传活动二十余场次，发放宣传资料5000余份（册）。提供法律咨询360余人次。
全镇持有行政执法证人员15名。组织开展应急演练3场。参加学法考试128人次。发生行政诉讼案件3件，负责人出庭应诉3件，出庭率100%。
第二部分 存在的问题和不足
执法力量不足。
第三部分 2023年工作计划
继续加强普法。
第四部分 其他需要报告的情况
无。
"""


def test_other_numbering_units_and_numerals():
    result = extract(VARIED)
    assert (result.township, result.year) == ("东风镇", 2022)
    assert list(result.sections) == [
        "measures_and_results",
        "shortcomings",
        "next_year_plan",
        "other",
    ]
    assert result.missing_sections == ["leadership_duty"]
    values = {code: (f.value, f.approximate) for code, f in result.metrics.items()}
    assert values == {
        "villages_total": (14, False),  # 12 villages and 2 communities
        "villages_with_legal_advisor": (14, False),  # 全覆盖
        "gov_legal_advisors": (2, False),
        "legality_reviews": (23, False),
        "rule_of_law_meetings": (4, False),
        "leadership_study_sessions": (12, False),  # full-width digits
        "staff_exam_participants": (128, False),
        "certified_enforcement_officers": (15, False),
        "legal_consultations": (360, True),
        "publicity_events": (20, True),  # 二十余场次
        "publicity_materials": (5000, True),  # 份（册）
        "disputes_mediated": (286, False),
        "disputes_resolved": (280, False),
        "admin_lawsuits": (3, False),
        "head_appearances": (3, False),
        "emergency_drills": (3, False),
    }


def test_combined_heading_is_split_and_duty_found_first():
    text = """西河街道2023年法治政府建设年度报告
一、党政主要负责人履行推进法治建设第一责任人职责情况
街道党工委书记带头学法。
二、主要做法和成效
（一）完善制度
建立了合法性审查制度。
（二）化解矛盾
近百起纠纷得到化解。
三、存在问题及下一步工作打算
基层执法人员少。
下一步，我们将加强培训。
"""
    result = extract(text)
    assert result.township == "西河街道"
    assert result.sections == {
        "measures_and_results": "（一）完善制度\n建立了合法性审查制度。\n（二）化解矛盾\n近百起纠纷得到化解。",
        "shortcomings": "基层执法人员少。",
        "leadership_duty": "街道党工委书记带头学法。",
        "next_year_plan": "下一步，我们将加强培训。",
    }
    assert result.metrics["disputes_mediated"].value == 100
    assert result.metrics["disputes_mediated"].approximate is True


def test_unnumbered_headings_rates_and_stated_zero():
    text = """关于2023年法治政府建设情况的报告
今年以来，南山乡认真落实上级部署。
工作成效
全乡现有8个行政村，法律顾问覆盖率100%。全年未发生行政诉讼案件。
存在不足
宣传不够。
明年工作思路
加强学习。
"""
    result = extract(text)
    assert (result.township, result.year) == ("南山乡", 2023)
    assert set(result.sections) == {"measures_and_results", "shortcomings", "next_year_plan"}
    assert result.metrics["villages_total"].value == 8
    assert result.metrics["villages_with_legal_advisor"].value == 8
    assert result.metrics["admin_lawsuits"].value == 0
    assert result.metrics["admin_lawsuits"].evidence == "全年未发生行政诉讼案件"


def test_word_headings_without_numbers_use_the_hints():
    # Word numbers these headings itself, so the text has no 「一、」; with a comma inside, they
    # read like ordinary sentences unless Word's heading style tells otherwise.
    text = (
        "花园乡法治政府建设报告\n主要工作，取得成效\n做了工作。\n存在的不足，原因分析\n"
        "人手少。\n下一步，工作打算\n继续。"
    )
    assert split_sections(normalise(text)).sections == {}
    hinted = split_sections(normalise(text), hints={1: 1, 3: 1, 5: 1})
    assert hinted.sections == {
        "measures_and_results": "做了工作。",
        "shortcomings": "人手少。",
        "next_year_plan": "继续。",
    }


def test_words_that_only_look_like_counts_are_ignored():
    text = "一、主要举措和成效\n落实“一村一法律顾问”制度，严格落实“第一议题”制度，一是加强学习，二是开展普法。"
    assert extract(text).metrics == {}


def test_keywords_are_whole_words():
    # 「农村」 is not 「村」: 5 rural schools are not the county's villages.
    text = "一、主要举措和成效\n全镇在5个农村学校开展普法。"
    assert "villages_total" not in extract(text).metrics


@pytest.mark.parametrize(
    ("numeral", "value"),
    [
        ("三", 3),
        ("十", 10),
        ("十二", 12),
        ("二十", 20),
        ("一百零五", 105),
        ("三千二百", 3200),
        ("两万", 20000),
        ("两", 2),
    ],
)
def test_chinese_numerals(numeral, value):
    assert chinese_to_int(numeral) == value


def test_numbers_with_multipliers():
    assert parse_number("1.2万") == Decimal(12000)
    assert parse_number("3千") == Decimal(3000)
    assert parse_number("abc") is None


def test_normalise_full_width_and_spaces():
    assert normalise("　覆盖率达１００％\u00a0，共２６个\r\n[bookmark: _GoBack]下一行 ") == (
        "覆盖率达100% ，共26个\n下一行"
    )


def test_year_from_title_not_from_signature_date():
    assert find_year("关于2022年度法治政府建设情况的报告\n正文。\n2023年1月5日") == 2022


def test_known_township_names_win():
    text = "关于2023年度法治政府建设的报告\n我乡在各镇的支持下推进工作。莲池镇。"
    assert find_township(text, known=("莲池镇", "花台乡")) == "莲池镇"


def test_completeness_counts_real_content_and_parts_inside_one_box():
    assert missing_parts(
        {
            "measures_and_results": "做了很多工作。",
            "shortcomings": "无",
            "leadership_duty": "略。",
            "next_year_plan": "",
        }
    ) == ["shortcomings", "leadership_duty", "next_year_plan"]
    # The whole report pasted into the first box still has its parts.
    pasted = sample("lianchi-2023.txt")
    present = parts_present({"measures_and_results": pasted})
    assert present == {
        "measures_and_results": True,
        "shortcomings": True,
        "leadership_duty": True,
        "next_year_plan": True,
        "other": False,
    }


def test_jieba_loads_once_and_caches_in_the_var_folder():
    assert tokenizer() is tokenizer()
    assert Path(tokenizer().tmp_dir) == Path(settings.VAR_DIR) / "jieba"
    assert (Path(settings.VAR_DIR) / "jieba" / "jieba.cache").exists()
    # The domain dictionary keeps terms whole.
    assert "法律顾问" in tokenizer().lcut("配备法律顾问")


@pytest.mark.parametrize(
    ("text", "code", "value"),
    [
        ("全年调解矛盾纠纷34件次，调解成功32件。", "disputes_mediated", 34),
        ("全年调解矛盾纠纷34件次，调解成功32件。", "disputes_resolved", 32),
        ("坚持党委理论学习中心组定期学法6次。", "leadership_study_sessions", 6),
        ("开展法治讲座两场，公职人员集中学习了《宪法》。", "staff_law_trainings", 2),
        ("2025年，司法所共参与领导班子会议9次、审核合同5份。", "legality_reviews", 5),
        ("解答法律咨询活动3次，共计服务对象1000人次。", "legal_consultations", 1000),
    ],
)
def test_plain_phrasings_are_read(text, code, value):
    figures = extract_figures(text)
    assert figures[code].value == value
    assert figures[code].sure


@pytest.mark.parametrize(
    ("text", "code"),
    [
        # Study of theory in general, not of law.
        (
            "2023年开展党委理论中心组学习12次，邀请党校老师集中培训学习4次。",
            "leadership_study_sessions",
        ),
        # A standing rule, not the year's count.
        ("每年年初召开一次专题会议部署全年法治工作。", "rule_of_law_meetings"),
        # A training whose trainees are not said.
        ("开展《民法典》专题培训会2次。", "staff_law_trainings"),
        # 8 villages are the subject of another statement.
        ("8个行政村党支部书记全部完成年度述法。", "villages_total"),
    ],
)
def test_counts_that_are_not_the_element_are_not_taken(text, code):
    assert code not in extract_figures(text)


@pytest.mark.parametrize(
    ("text", "code", "value"),
    [
        # One count shared by three bodies.
        ("镇党委会、镇长办公室会议、理论学习中心组年度学法8次。", "leadership_study_sessions", 8),
        # Legal consultation mixed with other services.
        ("为群众提供法律咨询、政策咨询、法律服务达300余人次。", "legal_consultations", 300),
        # One named activity, not the year's total.
        ("开展“校园法治小院”“银发普法专场”活动2场。", "publicity_events", 2),
        # A sum the text does not state.
        ("发放民法典读本950余本，禁毒手册1500余本。", "publicity_materials", 2450),
    ],
)
def test_doubtful_figures_are_offered_to_check_not_filled(text, code, value):
    figure = extract_figures(text)[code]
    assert figure.value == value
    assert not figure.sure
    assert code not in extract(text).as_contract()["metrics"]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("全镇下辖行政村15个、社区2个，总人口3万人。", 17),
        ("我乡共有行政村8个。", 8),
        ("辖12个行政村、2个社区。", 14),
    ],
)
def test_villages_counted_either_way_round(text, value):
    assert extract_figures(text)["villages_total"].value == value


def test_a_count_derived_from_a_rate_below_100_is_offered_to_check():
    figures = extract_figures("全年排查调处矛盾纠纷120件，调解成功率达98%。")
    assert figures["disputes_mediated"].sure
    assert figures["disputes_resolved"].value == 118 and not figures["disputes_resolved"].sure
    exact = extract_figures("全年排查调处矛盾纠纷120件，调解成功率达100%。")
    assert exact["disputes_resolved"].value == 120 and exact["disputes_resolved"].sure
