"""Synonyms (同义说法) are rows admins edit; the reading of reports uses them at the next import."""

from django.urls import reverse

from indicators.models import DataElement, DataElementSynonym
from reading.extract import extract
from reports.selectors.vocabulary import reading_vocabulary

TEXT = "2023年，全镇开展消防安全检查12次，调处邻里纠纷30件。"


def test_default_synonyms_are_loaded_with_the_data_elements(geography):
    element = DataElement.objects.get(code="disputes_mediated")
    names = set(element.synonyms.filter(kind="name").values_list("phrase", flat=True))
    assert {"纠纷", "矛盾纠纷"} <= names
    assert element.synonyms.filter(kind="exclude", phrase="调解成功").exists()


def test_an_admin_adds_an_element_with_its_synonyms_and_the_next_import_reads_it(client, personas):
    assert "fire_checks" not in extract(TEXT, vocabulary=reading_vocabulary()).metrics
    client.force_login(personas.admin)
    response = client.post(
        reverse("admin:indicators_dataelement_add"),
        {
            "code": "fire_checks",
            "name": "消防安全检查次数",
            "unit": "次",
            "area": "其他",
            "order": 500,
            "active": "on",
            "synonyms-TOTAL_FORMS": "1",
            "synonyms-INITIAL_FORMS": "0",
            "synonyms-0-kind": "name",
            "synonyms-0-phrase": "消防安全检查",
        },
    )
    assert response.status_code == 302
    metrics = extract(TEXT, vocabulary=reading_vocabulary()).metrics
    assert metrics["fire_checks"].value == 12
    assert metrics["disputes_mediated"].value == 30


def test_removing_a_synonym_and_adding_an_exclusion_apply_at_once(geography):
    element = DataElement.objects.get(code="disputes_mediated")
    assert extract(TEXT, vocabulary=reading_vocabulary()).metrics["disputes_mediated"].value == 30
    DataElementSynonym.objects.create(element=element, kind="exclude", phrase="邻里")
    assert "disputes_mediated" not in extract(TEXT, vocabulary=reading_vocabulary()).metrics
    DataElementSynonym.objects.filter(element=element, kind="exclude", phrase="邻里").delete()
    element.synonyms.filter(kind="name").exclude(phrase="调处纠纷").delete()
    DataElementSynonym.objects.create(element=element, kind="name", phrase="调处纠纷")
    # Only 「调处纠纷」 names it now: 「调处邻里纠纷」 no longer does.
    assert "disputes_mediated" not in extract(TEXT, vocabulary=reading_vocabulary()).metrics


def test_an_inactive_element_is_not_read(geography):
    DataElement.objects.filter(code="disputes_mediated").update(active=False)
    assert "disputes_mediated" not in extract(TEXT, vocabulary=reading_vocabulary()).metrics
