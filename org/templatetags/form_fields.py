"""A form field as crispy-bootstrap5 draws it (label, control, errors, help), built in Python.

crispy renders each field through a dozen nested templates and Django's widget templates; the
edit page has 22 fields and the log-in page is served to everyone, so the same markup is built
here directly: the same ids, classes and ARIA attributes (browser tests and the accessibility
checks read them), at a fraction of the cost. Widgets other than text inputs and text areas go
to crispy unchanged.
"""

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django import forms, template
from django.forms.boundfield import BoundField
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

# Widget class → crispy's class for it, which it puts before "form-control".
FAST_WIDGETS: dict[type, str] = {
    forms.TextInput: "textinput",
    forms.NumberInput: "numberinput",
    forms.EmailInput: "emailinput",
    forms.PasswordInput: "passwordinput",
    forms.Textarea: "textarea",
}


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
    if isinstance(widget, forms.Textarea):
        control = format_html(
            '<textarea name="{}"{}>\n{}</textarea>', field.html_name, _attrs(attrs), value or ""
        )
    else:
        attrs = {"value": value, **attrs} if value is not None else attrs
        control = format_html(
            '<input type="{}" name="{}"{}>', widget.input_type, field.html_name, _attrs(attrs)
        )
    label = ""
    if field.label:
        required = field.field.required
        label = format_html(
            '<label for="{}" class="form-label{}">{}{}</label>',
            field.auto_id,
            " requiredField" if required else "",
            field.label,
            mark_safe('<span class="asteriskField">*</span>') if required else "",
        )
    error_html = ""
    if errors:
        error_html = format_html(
            '<div id="{}_error" class="invalid-feedback">{}</div>',
            field.auto_id,
            format_html_join(
                "",
                '<p id="error_{}_{}"><strong>{}</strong></p>',
                ((n, field.auto_id, e) for n, e in enumerate(errors, 1)),
            ),
        )
    help_html = ""
    if field.help_text:
        help_html = format_html(
            '<div id="{}_helptext" class="form-text">{}</div>', field.auto_id, field.help_text
        )
    return format_html(
        '<div id="div_{}" class="mb-3">{}{}{}{}</div>',
        field.auto_id,
        label,
        control,
        error_html,
        help_html,
    )


def _attrs(attrs: dict) -> SafeString:
    """Attributes as Django's widget templates write them: True alone, False and None left out."""
    return format_html_join(
        "",
        "{}",
        (
            (format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value),)
            for name, value in attrs.items()
            if value is not False and value is not None
        ),
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
