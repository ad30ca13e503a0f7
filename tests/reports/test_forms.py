import pytest

from indicators.models import DataElement
from indicators.selectors import active_data_elements
from reports.forms import ReportForm, figure_field_name


def bound(**figures):
    return ReportForm(
        {"version": 1, **{figure_field_name(c): v for c, v in figures.items()}},
        elements=active_data_elements(),
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("typed", "stored"),
    [("26", 26), ("２６", 26), (" 1,000 ", 1000), ("1，000", 1000), ("0", 0), ("", None)],
)
def test_whole_numbers_typed_as_clerks_type_them(geography, typed, stored):
    form = bound(villages_total=typed)
    assert form.is_valid(), form.errors
    assert form.figures()["villages_total"] == stored


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("-1", "不能为负数。"),
        ("3.5", "请填写整数"),
        ("二十六", "请填写整数"),
        ("9" * 12, "数值过大"),
    ],
)
def test_bad_numbers_refused_with_chinese_message(geography, typed, message):
    form = bound(villages_total=typed)
    assert not form.is_valid()
    assert message in form.errors[figure_field_name("villages_total")][0]


@pytest.mark.django_db
def test_form_follows_the_data_elements_rows(geography):
    DataElement.objects.create(
        code="rural_law_workers",
        name="农村学法用法示范户数",
        unit="户",
        area="普法与公共法律服务",
        order=115,
    )
    DataElement.objects.filter(code="emergency_drills").update(active=False)
    form = ReportForm(elements=active_data_elements())
    assert "fig_rural_law_workers" in form.fields
    assert "fig_emergency_drills" not in form.fields
    areas = dict(form.figure_groups())
    names = [field.name for field, _, _, _ in areas["普法与公共法律服务"]]
    assert names == [
        "fig_legal_consultations",
        "fig_publicity_events",
        "fig_rural_law_workers",
        "fig_publicity_materials",
    ]
    assert form.fields["fig_rural_law_workers"].label == "农村学法用法示范户数（户）"
