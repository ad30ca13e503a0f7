"""The data elements' wording (indicators' rows) as the reading of reports takes it."""

from indicators.models import DataElement, DataElementSynonym
from reading.figures import ElementWords


def reading_vocabulary() -> tuple[ElementWords, ...]:
    """The active data elements with their synonyms, as the reading of reports takes them: read
    at every import, so an admin's change applies at once."""
    words: dict[int, tuple[list[str], list[str]]] = {}
    for element_id, kind, phrase in DataElementSynonym.objects.filter(
        element__active=True
    ).values_list("element_id", "kind", "phrase"):
        names, excludes = words.setdefault(element_id, ([], []))
        (names if kind == DataElementSynonym.Kind.NAME else excludes).append(phrase)
    return tuple(
        ElementWords(
            code=code,
            unit=unit,
            names=tuple(words.get(pk, ([], []))[0]),
            excludes=tuple(words.get(pk, ([], []))[1]),
        )
        for pk, code, unit in DataElement.objects.filter(active=True)
        .order_by("order", "code")
        .values_list("pk", "code", "unit")
    )
