"""A form field as crispy-bootstrap5 draws it (label, control, errors, help), built in Python.

crispy renders each field through a dozen nested templates and Django's widget templates; the
edit page has 22 fields and the log-in page is served to everyone, so the same markup is built
here directly: the same ids, classes and ARIA attributes (browser tests and the accessibility
checks read them), at a fraction of the cost. Widgets other than text inputs and text areas go
to crispy unchanged.
"""

import html

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django import forms, template
from django.forms.boundfield import BoundField
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

ASTERISK = '<span class="asteriskField">*</span>'

# Widget class → crispy's class for it, which it puts before "form-control".
FAST_WIDGETS: dict[type, str] = {
    forms.TextInput: "textinput",
    forms.NumberInput: "numberinput",
    forms.EmailInput: "emailinput",
    forms.PasswordInput: "passwordinput",
    forms.Textarea: "textarea",
}


def e(text: object) -> str:
    """django.utils.html.conditional_escape's answer, without its lazy-string wrappers (a field
    escapes some twenty pieces: names, values, each attribute)."""
    if hasattr(text, "__html__"):
        return text.__html__()
    return html.escape(str(text))


@register.filter
def bootstrap_field(field: BoundField) -> SafeString:
    widget = field.field.widget
    kind = FAST_WIDGETS.get(type(widget))
    if kind is None or field.field.disabled:
        return as_crispy_field(field)
    errors = field.errors
    attrs = {**widget.attrs}
    attrs.update(field.field.widget_attrs(widget))
    if field.field.required and field.form.use_required_attribute:
        attrs["required"] = True
    described = []
    if field.help_text:
        described.append(f"{field.auto_id}_helptext")
    if errors:
        attrs["aria-invalid"] = "true"
        described.append(f"{field.auto_id}_error")
    if described and "aria-describedby" not in attrs:
        attrs["aria-describedby"] = " ".join(described)
    # crispy adds its classes to the widget's own attrs; a field it drew before keeps them.
    classes = attrs.pop("class", "").split()
    classes += [c for c in (kind, "form-control") if c not in classes]
    if errors and "is-invalid" not in classes:
        classes.append("is-invalid")
    attrs["class"] = " ".join(classes)
    attrs["id"] = field.auto_id
    value = field.value()
    if isinstance(widget, forms.PasswordInput) and not widget.render_value:
        value = None
    value = widget.format_value(value)
    # Plain string building, every value through conditional_escape: format_html per piece
    # cost as much as the templates it replaces.
    name = e(field.html_name)
    if isinstance(widget, forms.Textarea):
        control = f'<textarea name="{name}"{_attrs(attrs)}>\n{e(value or "")}</textarea>'
    else:
        attrs = {"value": value, **attrs} if value is not None else attrs
        control = f'<input type="{e(widget.input_type)}" name="{name}"{_attrs(attrs)}>'
    auto_id = e(field.auto_id)
    label = ""
    if field.label:
        required = field.field.required
        css, star = (" requiredField", ASTERISK) if required else ("", "")
        label = f'<label for="{auto_id}" class="form-label{css}">{e(field.label)}{star}</label>'
    error_html = ""
    if errors:
        paragraphs = "".join(
            f'<p id="error_{n}_{auto_id}"><strong>{e(str(error))}</strong></p>'
            for n, error in enumerate(errors, 1)
        )
        error_html = f'<div id="{auto_id}_error" class="invalid-feedback">{paragraphs}</div>'
    help_html = ""
    if field.help_text:
        help_html = f'<div id="{auto_id}_helptext" class="form-text">{e(field.help_text)}</div>'
    return mark_safe(  # noqa: S308 - every piece above is escaped
        f'<div id="div_{auto_id}" class="mb-3">{label}{control}{error_html}{help_html}</div>'
    )


def _attrs(attrs: dict) -> str:
    """Attributes as Django's widget templates write them: True alone, False and None left out."""
    return "".join(
        f" {e(name)}" if value is True else f' {e(name)}="{e(value)}"'
        for name, value in attrs.items()
        if value is not False and value is not None
    )


@register.filter
def bootstrap_fields(form: forms.BaseForm) -> SafeString:
    """Every visible field of a form, and its hidden fields, as `{{ form|crispy }}` would."""
    hidden = format_html_join("", "{}", ((str(f),) for f in form.hidden_fields()))
    visible = format_html_join("", "{}", ((bootstrap_field(f),) for f in form.visible_fields()))
    errors = ""
    if form.non_field_errors():
        errors = format_html(
            '<div class="alert alert-block alert-danger"><ul class="m-0">{}</ul></div>',
            format_html_join("", "<li>{}</li>", ((e,) for e in form.non_field_errors())),
        )
    return format_html("{}{}{}", errors, hidden, visible)
