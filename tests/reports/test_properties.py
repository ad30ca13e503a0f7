"""Any input, never a server error: the report form and the document import take whatever a user
or a broken file gives them and answer with a clear refusal or a correct save."""

import io
import zipfile

from django.urls import reverse
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from reading.completeness import missing_parts
from reading.documents import DocumentError, read_document
from reading.extract import extract
from reading.sections import SECTION_KEYS
from reports.forms import MAX_FIGURE, WholeNumberField
from reports.models import Report
from reports.selectors.reports import report_figures

# Text a browser can send: any character except lone surrogates, which no encoding carries.
typed_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=400)
huge = st.integers(min_value=-(10**30), max_value=10**30)
figure_input = st.one_of(
    typed_text.map(lambda s: s[:30]),
    huge.map(str),
    st.integers(min_value=0, max_value=MAX_FIGURE).map(lambda n: f"{n:,}"),
    st.just(""),
)
CODES = ("villages_total", "villages_with_legal_advisor", "disputes_mediated", "disputes_resolved")
VIEW_SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@VIEW_SETTINGS
@given(
    parts=st.fixed_dictionaries({key: typed_text for key in SECTION_KEYS}),
    figures=st.fixed_dictionaries({code: figure_input for code in CODES}),
    submit=st.booleans(),
)
def test_report_form_saves_exactly_or_refuses_clearly(
    client, personas, draft, parts, figures, submit
):
    client.force_login(personas.clerk_lianchi)
    # An earlier example may have submitted it: each example starts from an editable draft.
    Report.objects.filter(pk=draft.pk).update(status="draft")
    report = Report.objects.get(pk=draft.pk)
    before = (report.version, report_figures(report))
    data = {"version": report.version, **parts}
    data.update({f"fig_{code}": value for code, value in figures.items()})
    if submit:
        data["submit"] = "1"
    response = client.post(reverse("report_edit", args=[report.pk]), data)
    assert response.status_code in (200, 302)
    event(f"status {response.status_code}")
    report.refresh_from_db()
    if response.status_code == 200:
        page = response.content.decode()
        if report.version == before[0]:
            # Refused: nothing stored changed, and what was typed is still on the page.
            assert report_figures(report) == before[1]
            assert "未保存" in page or "请" in page
        return
    # Saved: every part and figure is what was typed (line ends and outer blanks aside).
    for key, text in parts.items():
        assert getattr(report, key) == text.replace("\r\n", "\n").replace("\r", "\n").strip()
    assert report.missing_parts == missing_parts(
        {key: getattr(report, key) for key in SECTION_KEYS}
    )
    stored = report_figures(report)
    for code, value in figures.items():
        expected = WholeNumberField(required=False, min_value=0, max_value=MAX_FIGURE).clean(value)
        assert stored.get(code) == expected


@given(value=figure_input)
def test_whole_number_field_accepts_counts_and_explains_the_rest(value):
    from django.core.exceptions import ValidationError

    field = WholeNumberField(required=False, min_value=0, max_value=MAX_FIGURE)
    try:
        cleaned = field.clean(value)
    except ValidationError as exc:
        assert all(any("\u4e00" <= ch <= "\u9fff" for ch in m) for m in exc.messages)
    else:
        assert cleaned is None or 0 <= cleaned <= MAX_FIGURE


@settings(max_examples=200, deadline=None)
@given(text=typed_text)
def test_extraction_reads_any_text(text):
    result = extract(text)
    assert set(result.sections) <= set(SECTION_KEYS)
    for figure in result.metrics.values():
        assert figure.value >= 0
        assert figure.evidence in figure.sentence or figure.evidence
    assert result.as_contract()["missing_sections"] == result.missing_sections


def _docx_like(content: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        archive.writestr("word/document.xml", content)
    return buffer.getvalue()


@settings(max_examples=150, deadline=None)
@given(
    data=st.one_of(st.binary(max_size=2000), st.binary(max_size=500).map(_docx_like)),
    name=st.sampled_from(["a.docx", "a.txt", "a.doc", "a.pdf", "a", "报告.DOCX"]),
)
def test_any_file_is_read_or_refused_with_a_message(data, name):
    try:
        document = read_document(data, name)
    except DocumentError as exc:
        assert any("\u4e00" <= ch <= "\u9fff" for ch in str(exc))
    else:
        assert isinstance(document.text, str)


@VIEW_SETTINGS
@given(
    pasted=typed_text,
    upload=st.one_of(st.none(), st.binary(max_size=1000)),
    name=st.sampled_from(["a.docx", "a.txt", "a.exe"]),
)
def test_import_page_never_fails(client, personas, draft, pasted, upload, name):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(personas.clerk_lianchi)
    before = Report.objects.get(pk=draft.pk).version
    data = {"pasted": pasted}
    if upload is not None:
        data["document"] = SimpleUploadedFile(name, upload)
    response = client.post(reverse("report_import", args=[draft.pk]), data)
    assert response.status_code == 200
    assert Report.objects.get(pk=draft.pk).version == before  # nothing goes in before confirming
