import json
import re
from difflib import SequenceMatcher
from io import StringIO
from pathlib import Path

import docx
import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from devtools.synthetic_texts import SyntheticTexts
from org.models import County, Membership, Period, Township
from org.services import membership_assign
from reading.passages import BANDS, SHINGLE, band_hashes, clean_text, compare_texts, signature
from reports.models import Report, ReportBand, ReportFingerprint, ReportSimilarity
from reports.services.transitions import report_withdraw
from reports.similarity import (
    CANDIDATES,
    marked_html,
    report_similarities_run,
    report_similarities_store,
    report_text,
    reports_fingerprint,
    similar_candidates,
)
from reports.workflow import ReportStatus
from tests.factories import CountyFactory, ReportFactory, UserFactory
from tests.helpers import submit_report

SAMPLES = Path(settings.BASE_DIR) / "fixtures" / "samples"
HUATAI = (SAMPLES / "huatai-2023.txt").read_text(encoding="utf-8")
LIANCHI = (SAMPLES / "lianchi-2023.txt").read_text(encoding="utf-8")
LAOYANJI = (SAMPLES / "laoyanji-2022.txt").read_text(encoding="utf-8")

# Three sentences of 花台乡's report that the copier rewrote.
REWRITTEN = {
    "严格清理行政村“四清单一目录”，落实行政村依法履职事项40项、依法协助配合事项34项，"
    "对群众所开证明事项，主动对接派出所、县级有关部门，切实服务好群众需求。": (
        "本镇结合实际，组织各村对照职责清单逐项自查，对群众反映集中的证明事项建立台账。"
    ),
    "二是制定行政执法检查计划，防止随意检查、过度检查、重复检查，严禁干扰企业合法、正常生产秩序。": (
        "二是每季度开展一次执法案卷评查，发现问题当场反馈整改。"
    ),
    "二是定期对行政执法人员进行行政执法知识培训，重点强化执法人员纪律、作风和执法业务学习。": (
        "二是邀请县司法局业务骨干授课，全年培训执法人员五十余人次。"
    ),
}


def copied_with_changes(text: str) -> str:
    """The sample as a copier hands it in: three sentences rewritten, the township renamed,
    ASCII punctuation and spaces instead of full-width, other line breaks."""
    for original, rewrite in REWRITTEN.items():
        assert original in text
        text = text.replace(original, rewrite)
    text = text.replace("花台乡", "莲池镇").replace("，", ", ").replace("。", ". ")
    return "关于莲池镇法治政府建设情况的报告\n\n" + text.replace("\n", "\r\n\r\n")


def covered(passages: list[dict], start: int, end: int) -> bool:
    return any(p["a_start"] < end and start < p["a_start"] + len(p["text"]) for p in passages)


# --- compare_texts --------------------------------------------------------------------------


def test_a_copy_with_a_few_sentences_changed_is_found_with_the_right_passages():
    copy = copied_with_changes(HUATAI)
    result = compare_texts(HUATAI, copy)

    assert set(result) == {"similarity", "flagged", "shared_passages"}
    assert result["flagged"]
    assert result["similarity"] >= ReportSimilarity.FLAG_THRESHOLD
    assert result["similarity"] > 0.85
    passages = result["shared_passages"]
    assert len(passages) >= 3  # the rewritten sentences split the copied text
    for passage in passages:
        assert set(passage) == {"text", "a_start", "b_start"}
        assert (
            HUATAI[passage["a_start"] : passage["a_start"] + len(passage["text"])]
            == (passage["text"])
        )
        # At b_start the copy says (almost) the same words, whatever its punctuation, and
        # starts with the same ones: a passage begins with an exact run.
        words = clean_text(passage["text"])
        found = clean_text(copy[passage["b_start"] :])[: len(words)]
        assert found[:SHINGLE] == words[:SHINGLE]
        assert SequenceMatcher(a=words, b=found, autojunk=False).ratio() > 0.9
    for original in REWRITTEN:
        start = HUATAI.index(original)
        # A changed sentence is not copied text, apart from a few characters at its edges.
        middle = (start + 6, start + len(original) - 6)
        assert not covered(passages, *middle), original
    assert passages == sorted(passages, key=lambda p: p["a_start"])


def test_unrelated_samples_share_no_passage():
    for a, b in [(HUATAI, LIANCHI), (LIANCHI, LAOYANJI), (LAOYANJI, HUATAI)]:
        result = compare_texts(a, b)
        assert result["similarity"] < 0.1
        assert result["similarity"] < ReportSimilarity.FLAG_THRESHOLD
        assert not result["flagged"]


def neighbour_copy(own: str, neighbour: str, count: int = 14) -> tuple[str, list[str]]:
    """A township's own report with `count` sentences of 40–80 characters of a neighbour's
    report put in, between its own paragraphs: the shape of the real case."""
    sentences = [
        sentence + "。"
        for sentence in re.split("[。\n]", neighbour)
        if 40 <= len(clean_text(sentence)) <= 80
    ]
    taken = sentences[:: max(1, len(sentences) // count)][:count]
    paragraphs = own.split("\n")
    step = max(1, len(paragraphs) // (count + 1))
    for number, sentence in enumerate(taken):
        index = min(len(paragraphs) - 1, (number + 1) * step)
        paragraphs[index] = paragraphs[index] + sentence
    return "\n".join(paragraphs), taken


def test_several_long_passages_copied_from_one_neighbour_are_flagged_though_a_small_share():
    copy, taken = neighbour_copy(HUATAI, LIANCHI)
    assert len(taken) == 14
    result = compare_texts(copy, LIANCHI, references=[LAOYANJI])
    assert 0.1 < result["similarity"] < ReportSimilarity.FLAG_THRESHOLD
    assert result["flagged"]
    # The same few passages are no verdict on their own: two or three is what reports share.
    few, _ = neighbour_copy(HUATAI, LIANCHI, count=3)
    assert not compare_texts(few, LIANCHI, references=[LAOYANJI])["flagged"]


def test_passages_many_reports_share_are_template_text_and_never_flag():
    stock = [
        "坚持以习近平新时代中国特色社会主义思想为指导全面贯彻党的二十大和二十届二中三中全会精神"
        f"深入学习贯彻习近平法治思想第{n}条通用表述不可缺少。"
        for n in "一二三四五六七"
    ]
    template = "".join(stock)
    a = "甲镇今年修缮了三座桥。" + template
    b = "乙镇今年新建了两所学校。" + template
    others = ["丙镇报告。" + template, "丁镇报告。" + template]
    assert compare_texts(a, b)["flagged"]  # alone, seven long shared passages look copied
    assert not compare_texts(a, b, references=others)["flagged"]


DEV_SAMPLES = Path(settings.BASE_DIR).parent / "shared" / "samples" / "dev"


@pytest.mark.skipif(not DEV_SAMPLES.exists(), reason="the development set is not on this machine")
def test_real_reports_of_13_provinces_do_not_flag_each_other():
    texts = [path.read_text(encoding="utf-8") for path in sorted(DEV_SAMPLES.glob("*.txt"))]
    texts += [HUATAI, LIANCHI, LAOYANJI]
    for i, a in enumerate(texts):
        for j, b in enumerate(texts):
            if i != j:
                assert not compare_texts(a, b)["flagged"], (i, j)


def test_similarity_is_the_share_of_a_found_in_b():
    both = HUATAI + "\n" + LIANCHI
    assert compare_texts(HUATAI, both)["similarity"] == 1.0
    share = compare_texts(both, HUATAI)["similarity"]
    assert share == pytest.approx(len(clean_text(HUATAI)) / len(clean_text(both)), abs=0.01)
    assert compare_texts("", HUATAI) == {
        "similarity": 0.0,
        "flagged": False,
        "shared_passages": [],
    }


def test_width_case_and_punctuation_do_not_hide_a_copy():
    a = "全面落实“一村一法律顾问”制度，全镇26个行政村法律顾问覆盖率达100％，服务群众1000人次。"
    b = "全面落实一村一法律顾问制度 全镇２６个行政村法律顾问覆盖率达１００%；服务群众１０００人次"
    result = compare_texts(a, b)
    assert result["similarity"] == 1.0
    [passage] = result["shared_passages"]
    assert passage["text"] == a[:-1]  # the closing 。 is punctuation, not part of the passage
    assert passage["a_start"] == 0 and passage["b_start"] == 0


def test_a_short_stock_phrase_is_not_a_passage():
    phrase = "习近平新时代中国特色社会主义思想"  # 16 characters, in every report
    assert compare_texts(f"坚持以{phrase}为指导。", f"深入学习{phrase}。")["shared_passages"] == []


def test_marked_html_escapes_the_text():
    html = marked_html("甲<b>乙</b>\n丙丁", [(1, 4)])
    assert html == "<p>甲<mark>&lt;b&gt;</mark>乙&lt;/b&gt;</p>\n<p>丙丁</p>"


# --- the index ------------------------------------------------------------------------------


def test_the_index_finds_the_copy_among_many_reports_without_comparing_all_pairs(geography):
    period = Period.objects.get(year=2023)
    county = CountyFactory(name="查重测试县")
    texts = SyntheticTexts(seed=7)
    towns = Township.objects.bulk_create(
        Township(county=county, name=f"查重测试镇{n:03d}", kind=Township.Kind.ZHEN)
        for n in range(121)
    )
    originals = Report.objects.bulk_create(
        Report(township=town, period=period, status=ReportStatus.SUBMITTED, **texts.parts())
        for town in towns[:120]
    )
    source = originals[57]
    copy = Report.objects.create(
        township=towns[120],
        period=period,
        status=ReportStatus.SUBMITTED,
        **texts.copy_of({key: getattr(source, key) for key in texts.parts()}),
    )
    reports_fingerprint(reports=[*originals, copy])

    with CaptureQueriesContext(connection) as queries:
        candidates = similar_candidates(copy)
    # One statement: the report's own bands are its subquery.
    assert len(queries) == 1
    assert candidates[0] == source.pk
    assert len(candidates) <= CANDIDATES < len(originals)

    rows = report_similarities_store(report=copy)
    assert rows[0].other_id == source.pk and rows[0].flagged
    assert rows[0].similarity > 0.8
    assert all(not row.flagged for row in rows[1:])
    # The source's reviewer learns of the copy too.
    back = ReportSimilarity.objects.get(report=source, other=copy)
    assert back.flagged and back.kind == ReportSimilarity.Kind.SAME_PERIOD
    # Unrelated synthetic reports share stock sentences of the samples but are never flagged.
    for report in originals[:20]:
        assert not any(row.flagged for row in report_similarities_store(report=report))


def test_fingerprinting_again_rewrites_only_the_bands_that_changed(personas):
    report = ReportFactory(
        township=personas.lianchi,
        period=personas.period,
        status=ReportStatus.SUBMITTED,
        measures_and_results=HUATAI,
    )
    reports_fingerprint(reports=[report])
    first = dict(ReportBand.objects.filter(report=report).values_list("pk", "band_hash"))
    assert len(first) == BANDS

    # The same text again: not one row is deleted or written.
    with CaptureQueriesContext(connection) as queries:
        reports_fingerprint(reports=[report])
    assert dict(ReportBand.objects.filter(report=report).values_list("pk", "band_hash")) == first
    assert not [q for q in queries if "reports_reportband" in q["sql"] and "INSERT" in q["sql"]]

    # A sentence changed: the bands are exactly the new signature's, most rows kept as they were.
    report.measures_and_results = HUATAI.replace(*next(iter(REWRITTEN.items())))
    report.save(update_fields=["measures_and_results"])
    reports_fingerprint(reports=[report])
    now = dict(ReportBand.objects.filter(report=report).values_list("pk", "band_hash"))
    expected = band_hashes(signature(report_text(report)))
    assert sorted(now.values()) == sorted(expected)
    kept = set(now) & set(first)
    assert len(now) - len(kept) == len(set(expected) - set(first.values())) > 0
    assert len(kept) > BANDS // 2
    assert ReportFingerprint.objects.filter(report=report).count() == 1


# --- submission -----------------------------------------------------------------------------


def submit_text(personas, township, clerk, text, full_parts):
    return submit_report(
        township=township,
        period=personas.period,
        clerk=clerk,
        parts={**full_parts, "measures_and_results": text},
    )


@pytest.fixture
def copied_pair(personas, full_parts, django_capture_on_commit_callbacks):
    """花台乡 submits its sample report, then 莲池镇 submits a copy of it (checks run)."""
    with django_capture_on_commit_callbacks(execute=True):
        original = submit_text(personas, personas.huatai, personas.clerk_huatai, HUATAI, full_parts)
        copy = submit_text(
            personas,
            personas.lianchi,
            personas.clerk_lianchi,
            copied_with_changes(HUATAI),
            full_parts,
        )
    return original, copy


def test_submit_stores_the_similar_reports_after_the_commit(
    personas, full_parts, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        original = submit_text(personas, personas.huatai, personas.clerk_huatai, HUATAI, full_parts)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        copy = submit_text(
            personas,
            personas.lianchi,
            personas.clerk_lianchi,
            copied_with_changes(HUATAI),
            full_parts,
        )
    assert not ReportSimilarity.objects.filter(report=copy).exists()
    for callback in callbacks:
        callback()

    row = ReportSimilarity.objects.get(report=copy)
    assert (row.other_id, row.kind) == (original.pk, ReportSimilarity.Kind.SAME_PERIOD)
    assert row.flagged
    text = report_text(copy)
    for passage in row.passages:
        assert (
            text[passage["a_start"] : passage["a_start"] + len(passage["text"])]
            == (passage["text"])
        )
    assert ReportSimilarity.objects.get(report=original, other=copy).flagged
    assert ReportFingerprint.objects.filter(report__in=[original, copy]).count() == 2


def test_a_report_gone_back_to_draft_before_the_check_is_left_alone(
    personas, full_parts, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        report = submit_text(personas, personas.lianchi, personas.clerk_lianchi, HUATAI, full_parts)
    report_withdraw(report=report, actor=personas.clerk_lianchi)
    for callback in callbacks:
        callback()
    report_similarities_run(report_id=report.pk + 1000)  # deleted meanwhile: nothing to do
    assert not ReportFingerprint.objects.exists()
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT


def test_resubmitting_without_the_copied_text_clears_the_flag(
    personas, full_parts, copied_pair, django_capture_on_commit_callbacks
):
    original, copy = copied_pair
    report_withdraw(report=copy, actor=personas.clerk_lianchi)
    with django_capture_on_commit_callbacks(execute=True):
        submit_text(personas, personas.lianchi, personas.clerk_lianchi, LIANCHI, full_parts)
    assert not ReportSimilarity.objects.filter(report=copy).exists()
    assert not ReportSimilarity.objects.filter(report=original).exists()


# --- review page ----------------------------------------------------------------------------


def test_the_review_page_lists_the_similar_reports(client, personas, copied_pair):
    _original, copy = copied_pair
    client.force_login(personas.reviewer_shenqiu)
    page = client.get(reverse("report_review", args=[copy.pk])).content.decode()
    panel = page[page.index("相似内容检查") :]
    row = ReportSimilarity.objects.get(report=copy)
    assert "花台乡2023年度报告" in panel and "巫溪县" in panel
    assert f"{round(row.similarity * 100)}%" in panel
    assert "疑似抄袭/雷同" in panel
    assert reverse("report_similar", args=[copy.pk, row.other_id]) in panel


def test_the_review_page_lists_copied_passages_with_their_source_and_the_template_share(
    client, personas, full_parts, django_capture_on_commit_callbacks
):
    copy_text, taken = neighbour_copy(LIANCHI, HUATAI)
    with django_capture_on_commit_callbacks(execute=True):
        submit_text(personas, personas.huatai, personas.clerk_huatai, HUATAI, full_parts)
        copy = submit_text(
            personas, personas.lianchi, personas.clerk_lianchi, copy_text, full_parts
        )
    row = ReportSimilarity.objects.get(report=copy)
    assert row.flagged
    client.force_login(personas.reviewer_shenqiu)
    page = client.get(reverse("report_review", args=[copy.pk])).content.decode()
    panel = page[page.index("相似内容检查") :]
    assert "疑似抄袭/雷同" in panel
    assert f"与花台乡相同的段落 {len(row.copied_passages)} 处" in panel
    assert len(row.copied_passages) >= 14
    assert taken[0][:20] in panel
    assert "出处：花台乡2023年度报告" in panel
    assert "套话" in panel and "约占本报告" in panel


def test_the_review_page_says_when_nothing_was_found(
    client, personas, full_parts, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report = submit_text(
            personas, personas.lianchi, personas.clerk_lianchi, LIANCHI, full_parts
        )
    client.force_login(personas.reviewer_shenqiu)
    page = client.get(reverse("report_review", args=[report.pk])).content.decode()
    assert "未发现与同年度其他乡镇或本乡镇上一年度报告雷同的段落" in page
    assert "疑似抄袭/雷同</span>" not in page


def test_another_countys_report_shows_only_the_shared_passages(client, personas, copied_pair):
    original, copy = copied_pair
    client.force_login(personas.reviewer_shenqiu)
    page = client.get(reverse("report_similar", args=[copy.pk, original.pk])).content.decode()
    assert "您无权查看其报告全文" in page
    marked = re.findall(r"<mark>(.*?)</mark>", page, flags=re.S)
    assert len(marked) >= 6  # each passage in both versions, and in this report's text
    assert "对群众所开证明事项" not in page  # 花台乡's own sentence, rewritten in the copy
    assert "本镇结合实际" in page  # the copy's own sentence, in the copy's text


def test_a_readable_report_is_shown_side_by_side(client, personas, copied_pair):
    original, copy = copied_pair
    client.force_login(personas.admin)
    page = client.get(reverse("report_similar", args=[copy.pk, original.pk])).content.decode()
    assert "您无权查看其报告全文" not in page
    assert "对群众所开证明事项" in page and "本镇结合实际" in page
    assert page.count("<mark>") >= 6
    assert "疑似抄袭/雷同" in page


def test_similar_page_refusals(client, personas, copied_pair):
    original, copy = copied_pair
    url = reverse("report_similar", args=[copy.pk, original.pk])
    wuxi_reviewer = UserFactory(username="wuxi")
    membership_assign(
        user=wuxi_reviewer, role=Membership.Role.REVIEWER, county=County.objects.get(name="巫溪县")
    )

    assert client.get(url).status_code == 302  # to the log-in page
    client.force_login(personas.clerk_lianchi)
    assert client.get(url).status_code == 404
    client.force_login(wuxi_reviewer)  # reviews the other report, not this one
    assert client.get(url).status_code == 404
    client.force_login(personas.reviewer_shenqiu)
    assert client.post(url).status_code == 405
    not_similar = reverse("report_similar", args=[copy.pk, copy.pk])
    assert client.get(not_similar).status_code == 404
    assert client.get(url).status_code == 200


# --- commands -------------------------------------------------------------------------------


def test_compare_reports_prints_the_contract_json(db, tmp_path):
    copy = tmp_path / "copy.txt"
    copy.write_text(copied_with_changes(HUATAI), encoding="utf-8")
    out = StringIO()
    call_command(
        "compare_reports", str(SAMPLES / "huatai-2023.txt"), str(copy), "--json", stdout=out
    )
    result = json.loads(out.getvalue())
    assert result == compare_texts(HUATAI, copy.read_text(encoding="utf-8"))
    assert set(result) == {"similarity", "flagged", "shared_passages"}
    assert result["flagged"]
    assert result["similarity"] > 0.85
    first = result["shared_passages"][0]
    assert HUATAI[first["a_start"] :].startswith(first["text"])
    assert "\\u" not in out.getvalue()  # Chinese as it is (ensure_ascii=False)


def test_compare_reports_reads_gb18030_and_docx_and_summarises_in_chinese(db, tmp_path):
    gbk = tmp_path / "huatai-gbk.txt"
    gbk.write_bytes(HUATAI.encode("gb18030"))
    word = tmp_path / "copy.docx"
    document = docx.Document()
    for line in copied_with_changes(HUATAI).splitlines():
        document.add_paragraph(line)
    document.save(word)

    out = StringIO()
    call_command("compare_reports", str(gbk), str(word), stdout=out)
    summary = out.getvalue()
    assert "相似度：" in summary and "疑似抄袭/雷同" in summary and "相同段落" in summary

    out = StringIO()
    call_command("compare_reports", str(SAMPLES / "lianchi-2023.txt"), str(gbk), stdout=out)
    # Two real reports of different counties share one stock phrase, and are not flagged.
    assert "相似度：1%" in out.getvalue() and "疑似抄袭" not in out.getvalue()

    out = StringIO()
    call_command("compare_reports", str(SAMPLES / "laoyanji-2022.txt"), str(gbk), stdout=out)
    assert "相似度：0%" in out.getvalue() and "未发现相同段落" in out.getvalue()

    with pytest.raises(CommandError, match="找不到文件"):
        call_command("compare_reports", str(tmp_path / "none.txt"), str(gbk))
    sheet = tmp_path / "report.xlsx"
    sheet.write_bytes(b"PK\x03\x04")
    with pytest.raises(CommandError, match=r"Word 文档（\.docx 或 \.doc）、WPS 文档（\.wps）"):
        call_command("compare_reports", str(sheet), str(gbk))


def test_index_similarity_indexes_existing_reports_and_compares_with_last_year(personas):
    last_year = ReportFactory(
        township=personas.lianchi,
        period=Period.objects.get(year=2022),
        status=ReportStatus.PUBLISHED,
        measures_and_results=LIANCHI,
    )
    this_year = ReportFactory(
        township=personas.lianchi,
        period=personas.period,
        status=ReportStatus.SUBMITTED,
        measures_and_results=LIANCHI.replace("2023", "2024") + "\n今年新增工作若干项。",
    )
    draft = ReportFactory(
        township=personas.huatai, period=personas.period, measures_and_results=LIANCHI
    )
    out = StringIO()
    call_command("index_similarity", stdout=out)
    assert "已为 2 份报告建立索引" in out.getvalue()

    row = ReportSimilarity.objects.get(report=this_year)
    assert (row.other_id, row.kind) == (last_year.pk, ReportSimilarity.Kind.PREVIOUS_YEAR)
    assert row.flagged
    assert not ReportFingerprint.objects.filter(report=draft).exists()
    assert not ReportSimilarity.objects.filter(other=draft).exists()

    with pytest.raises(CommandError, match="没有1999报告年度"):
        call_command("index_similarity", period=1999)


def test_the_other_reports_words_between_shared_runs_are_never_shown(
    client, personas, full_parts, django_capture_on_commit_callbacks
):
    """A passage runs across a short gap (a changed figure); another county's reviewer sees
    both sides of the gap, but not what the other report says in it."""
    shared = "全年共排查化解各类矛盾纠纷，组织开展法律进村居活动，群众满意度持续提升，"
    tail = "切实把矛盾纠纷化解在基层、解决在萌芽状态，为经济社会发展营造良好环境。"
    theirs = f"{shared}其中调处成功9173件，{tail}"
    mine = f"{shared}其中调处成功286件，{tail}"
    parts = {**full_parts, "measures_and_results": mine}
    with django_capture_on_commit_callbacks(execute=True):
        other = submit_text(personas, personas.huatai, personas.clerk_huatai, theirs, full_parts)
        report = submit_report(
            township=personas.lianchi,
            period=personas.period,
            clerk=personas.clerk_lianchi,
            parts=parts,
        )
    row = ReportSimilarity.objects.get(report=report, other=other)
    assert any("…" in passage["b_text"] for passage in row.passages)
    assert all("9173" not in passage["b_text"] for passage in row.passages)
    client.force_login(personas.reviewer_shenqiu)
    page = client.get(reverse("report_similar", args=[report.pk, other.pk])).content.decode()
    assert "您无权查看其报告全文" in page
    assert "9173" not in page
    assert "切实把矛盾纠纷化解在基层" in page
