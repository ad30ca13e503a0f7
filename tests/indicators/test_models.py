import pytest
from django.core.exceptions import ValidationError

from indicators.models import DataElement, IndicatorSet, ValidationRule


@pytest.mark.django_db
def test_default_data_elements_are_loaded_in_order(geography):
    codes = list(DataElement.objects.values_list("code", flat=True))
    assert len(codes) == 17
    assert codes[0] == "villages_total" and codes[-1] == "emergency_drills"


@pytest.mark.django_db
def test_rule_with_unknown_code_is_refused_on_save_in_admin(geography):
    rule = ValidationRule(
        indicator_set=IndicatorSet.objects.get(period__year=2023),
        left_expression="disputes_resolvd",
        operator="<=",
        right_expression="disputes_mediated",
        message="x",
    )
    with pytest.raises(ValidationError) as error:
        rule.full_clean()
    assert "disputes_resolvd" in str(error.value.message_dict["left_expression"])
    assert "right_expression" not in error.value.message_dict


@pytest.mark.django_db
def test_rule_violation_message_names_both_values(geography):
    rule = ValidationRule.objects.get(
        left_expression="head_appearances", indicator_set__period__year=2023
    )
    assert rule.violation({"head_appearances": 3, "admin_lawsuits": 2}) == (
        "行政机关负责人出庭应诉案件数（3）不能多于行政诉讼应诉案件数（2），请核对。"
    )
    assert rule.violation({"head_appearances": 2, "admin_lawsuits": 2}) is None
    assert rule.violation({"head_appearances": 3, "admin_lawsuits": None}) is None
