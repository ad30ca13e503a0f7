"""The report form, built from the sections and the active data elements (no field per code in code)."""

import unicodedata

from django import forms
from django.conf import settings
from django.core.validators import ProhibitNullCharactersValidator

from indicators.models import DataElement
from reading.documents import DocumentError, check_upload, max_upload_bytes, read_document
from reading.normalise import normalise_text
from reading.sections import SECTIONS

from .validators import validate_part, validate_short_text

FIGURE_PREFIX = "fig_"
MAX_FIGURE = 10**9


def text_field(*, max_chars: int | None = None, **kwargs) -> forms.CharField:
    """A text field checked by reports.validators (length, control characters, piled-up accents)
    with one Chinese message, instead of Django's generic NUL check."""
    field = forms.CharField(**kwargs)
    field.validators = [
        v for v in field.validators if not isinstance(v, ProhibitNullCharactersValidator)
    ]
    field.validators.append(validate_part if max_chars is None else validate_short_text(max_chars))
    return field


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
            self.fields[section.key] = text_field(
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
        initial.update(report.parts())
        initial.update({figure_field_name(code): value for code, value in figures.items()})
        return initial

    def section_fields(self):
        return [
            (section, self[section.key], self.conflicts.get(section.key)) for section in SECTIONS
        ]

    def figure_groups(self):
        """[(area, [(bound field, in conflict, stored value, comment target), …]), …], areas in
        first-seen order."""
        groups: dict[str, list] = {}
        for element in self.elements:
            name = figure_field_name(element.code)
            groups.setdefault(element.area, []).append(
                (
                    self[name],
                    name in self.conflicts,
                    self.conflicts.get(name),
                    f"fig:{element.code}",
                )
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
        stored_parts = report.parts()
        for section in SECTIONS:
            stored = stored_parts[section.key]
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
                    summary.append((field.id_for_label, str(field.label), str(message)))
        summary.extend(("", "", str(message)) for message in self.non_field_errors())
        return summary


class ImportUploadForm(forms.Form):
    """The clerk's Word or text file, or the report pasted as text."""

    document = forms.FileField(
        label="上传报告文件",
        required=False,
        help_text="Word 文档（.docx、.doc）、WPS 文档（.wps）、文字版 PDF 或纯文本（.txt）。"
        ".doc、.wps 和 PDF 需要转换，稍等几秒。扫描件 PDF 没有文字，无法识别。",
        widget=forms.ClearableFileInput(attrs={"accept": ".docx,.doc,.wps,.pdf,.txt"}),
    )
    pasted = text_field(
        max_chars=settings.REPORT_IMPORT_MAX_CHARS,
        label="或者粘贴报告全文",
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 8, "placeholder": "从 Word 中全选复制后粘贴到这里"}),
    )

    def clean(self):
        """Refuses what is no report at once; reads a short document here ("parsed"), and leaves
        a long one ("deferred": name and bytes) or long pasted text to the task queue."""
        data = super().clean() or {}
        document, pasted = data.get("document"), (data.get("pasted") or "").strip()
        if not document and not pasted and not self.errors:
            raise forms.ValidationError("请选择要上传的报告文件，或把报告全文粘贴到文本框中。")
        if document:
            if document.size > max_upload_bytes():
                self.add_error(
                    "document",
                    f"文件太大，请上传不超过 {max_upload_bytes() // 1048576} MB 的文件。",
                )
                return data
            content = document.read()
            try:
                cost = check_upload(content, document.name)
                if cost > settings.IMPORT_INLINE_MAX_BYTES:
                    data["deferred"] = (document.name, content)
                else:
                    data["parsed"] = read_document(content, document.name)
            except DocumentError as exc:
                self.add_error("document", str(exc))
        elif len(pasted) > settings.IMPORT_INLINE_MAX_CHARS:
            data["deferred"] = ("", pasted.encode("utf-8"))
        return data


IMPORT_CHOICES = (
    ("replace", "用导入的内容替换"),
    ("append", "接在已填内容后面"),
    ("keep", "不导入，保留已填内容"),
)


_FIGURE_HIDDEN = ("sentence", "evidence_start", "evidence_length", "approximate", "unsure")


class ImportConfirmForm(forms.Form):
    """What the clerk accepts of an import: each part (edited if needed, and how it joins what is
    already typed) and each figure. Evidence travels in hidden fields so that a refused
    confirmation can be shown again as it was."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, report, elements, found_parts, figures_found, stored_figures, **kw):
        super().__init__(*args, **kw)
        self.report = report
        self.elements = [e for e in elements if e.code in figures_found]
        self.found_parts = [s for s in SECTIONS if s.key in found_parts]
        self.stored_figures = stored_figures
        for section in self.found_parts:
            already = bool(report.parts()[section.key].strip())
            self.fields[f"part_{section.key}"] = text_field(
                label=f"{section.number}、{section.heading}",
                required=False,
                strip=False,
                widget=forms.Textarea(attrs={"rows": 8}),
            )
            self.fields[f"use_{section.key}"] = forms.ChoiceField(
                label="如何导入",
                choices=IMPORT_CHOICES if already else IMPORT_CHOICES[::2],
                initial="keep" if already else "replace",
                widget=forms.RadioSelect,
            )
        for element in self.elements:
            code = element.code
            stored = stored_figures.get(code)
            self.fields[f"fig_{code}"] = WholeNumberField(
                label=f"{element.name}（{element.unit}）",
                required=False,
                min_value=0,
                max_value=MAX_FIGURE,
                widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "figure"}),
            )
            # A doubtful figure (「请核对」) is never taken unless the clerk ticks it.
            sure = not isinstance(figures_found, dict) or figures_found[code].sure
            self.fields[f"take_{code}"] = forms.BooleanField(
                label="采用", required=False, initial=stored is None and sure
            )
            for name in _FIGURE_HIDDEN:
                self.fields[f"{name}_{code}"] = forms.CharField(
                    required=False, widget=forms.HiddenInput
                )

    @classmethod
    def initial_for(cls, report, extraction, figures_offered) -> dict:
        initial = {"version": report.version}
        for key, text in extraction.sections.items():
            initial[f"part_{key}"] = text
        for code, figure in figures_offered.items():
            initial[f"fig_{code}"] = figure.value
            initial[f"sentence_{code}"] = figure.sentence
            initial[f"evidence_start_{code}"] = figure.evidence_start
            initial[f"evidence_length_{code}"] = len(figure.evidence)
            initial[f"approximate_{code}"] = "1" if figure.approximate else ""
            initial[f"unsure_{code}"] = "" if figure.sure else "1"
        return initial

    def part_rows(self):
        return [
            (
                section,
                self[f"part_{section.key}"],
                self[f"use_{section.key}"],
                getattr(self.report, section.key),
            )
            for section in self.found_parts
        ]

    def figure_rows(self):
        rows = []
        for element in self.elements:
            code = element.code
            sentence = self._hidden("sentence", code)
            try:
                start = int(self._hidden("evidence_start", code))
                length = int(self._hidden("evidence_length", code))
            except ValueError:
                start, length = 0, 0
            rows.append(
                {
                    "element": element,
                    "field": self[f"fig_{code}"],
                    "take": self[f"take_{code}"],
                    "hidden": [self[f"{n}_{code}"] for n in _FIGURE_HIDDEN],
                    "before": sentence[:start],
                    "evidence": sentence[start : start + length],
                    "after": sentence[start + length :],
                    "approximate": bool(self._hidden("approximate", code)),
                    "unsure": bool(self._hidden("unsure", code)),
                    "stored": self.stored_figures.get(code),
                }
            )
        return rows

    def _hidden(self, name: str, code: str) -> str:
        return self[f"{name}_{code}"].value() or ""

    def clean(self):
        data = super().clean() or {}
        for element in self.elements:
            code = element.code
            taken = data.get(f"take_{code}") and data.get(f"fig_{code}") is None
            if taken and f"fig_{code}" not in self.errors:
                self.add_error(f"fig_{code}", "已勾选“采用”，请填写数值，或取消勾选。")
        return data

    def accepted_parts(self) -> dict[str, tuple[str, str]]:
        """{part key: (how, text)} for the parts to import."""
        return {
            section.key: (
                self.cleaned_data[f"use_{section.key}"],
                self.cleaned_data[f"part_{section.key}"],
            )
            for section in self.found_parts
            if self.cleaned_data[f"use_{section.key}"] != "keep"
        }

    def accepted_figures(self) -> dict[str, int]:
        return {
            element.code: self.cleaned_data[f"fig_{element.code}"]
            for element in self.elements
            if self.cleaned_data.get(f"take_{element.code}")
        }
