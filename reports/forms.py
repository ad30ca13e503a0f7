"""The report form, built from the sections and the active data elements (no field per code in code)."""

import unicodedata

from django import forms

from indicators.models import DataElement

from .sections import SECTIONS
from .text import normalise_text

FIGURE_PREFIX = "fig_"
MAX_FIGURE = 10**9


def figure_field_name(code: str) -> str:
    return FIGURE_PREFIX + code


class WholeNumberField(forms.IntegerField):
    """A count typed by a clerk: full-width digits (２６) and separators (1,000 / 1，000) accepted."""

    default_error_messages = {
        "invalid": "请填写整数，例如 26；不清楚的请留空。",
        "min_value": "不能为负数。",
        "max_value": "数值过大，请核对是否多输入了数字。",
    }

    def to_python(self, value):
        if isinstance(value, str):
            value = unicodedata.normalize("NFKC", value)
            value = value.replace(",", "").replace(" ", "").strip()
        return super().to_python(value)


class ReportForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, elements: list[DataElement], **kwargs):
        super().__init__(*args, **kwargs)
        self.elements = elements
        # field name → what is stored now, filled in after a version conflict.
        self.conflicts: dict[str, str | int | None] = {}
        for section in SECTIONS:
            self.fields[section.key] = forms.CharField(
                label=f"{section.number}、{section.heading}",
                help_text=section.hint,
                required=False,
                strip=False,
                widget=forms.Textarea(attrs={"rows": 12 if section.required else 5}),
            )
        for element in elements:
            self.fields[figure_field_name(element.code)] = WholeNumberField(
                label=f"{element.name}（{element.unit}）",
                help_text=element.help_text,
                required=False,
                min_value=0,
                max_value=MAX_FIGURE,
                widget=forms.TextInput(
                    attrs={"inputmode": "numeric", "autocomplete": "off", "class": "figure"}
                ),
            )

    @classmethod
    def initial_for(cls, report, figures: dict[str, int | None]) -> dict:
        initial = {"version": report.version}
        initial.update({section.key: getattr(report, section.key) for section in SECTIONS})
        initial.update({figure_field_name(code): value for code, value in figures.items()})
        return initial

    def section_fields(self):
        return [
            (section, self[section.key], self.conflicts.get(section.key)) for section in SECTIONS
        ]

    def figure_groups(self):
        """[(area, [(bound field, in conflict, stored value), …]), …], areas in first-seen order."""
        groups: dict[str, list] = {}
        for element in self.elements:
            name = figure_field_name(element.code)
            groups.setdefault(element.area, []).append(
                (self[name], name in self.conflicts, self.conflicts.get(name))
            )
        return list(groups.items())

    def parts(self) -> dict[str, str]:
        return {section.key: self.cleaned_data[section.key] for section in SECTIONS}

    def figures(self) -> dict[str, int | None]:
        return {e.code: self.cleaned_data[figure_field_name(e.code)] for e in self.elements}

    def add_check_errors(self, errors: dict[str, list[str]]) -> None:
        """Shows submission problems (keyed by part key or element code) at their fields."""
        for key, messages in errors.items():
            field = key if key in self.fields else figure_field_name(key)
            for message in messages:
                self.add_error(field if field in self.fields else None, message)

    def mark_conflicts(self, report, stored_figures: dict[str, int | None]) -> None:
        """Remembers every part and figure where the stored report differs from what was typed."""
        typed = self.cleaned_data
        for section in SECTIONS:
            stored = getattr(report, section.key)
            if stored != normalise_text(typed[section.key]):
                self.conflicts[section.key] = stored
        for element in self.elements:
            name = figure_field_name(element.code)
            if stored_figures.get(element.code) != typed[name]:
                self.conflicts[name] = stored_figures.get(element.code)

    def error_summary(self) -> list[tuple[str, str, str]]:
        """(field id, label, message) for the list at the top; a rule naming two figures once."""
        seen = set()
        summary = []
        for field in self:
            for message in field.errors:
                if message not in seen:
                    seen.add(message)
                    summary.append((field.id_for_label, field.label, message))
        summary.extend(("", "", message) for message in self.non_field_errors())
        return summary
