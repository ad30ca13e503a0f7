"""The fast field renderer draws what crispy-bootstrap5 draws: same elements, ids, classes and
ARIA attributes (attribute order and white space aside)."""

import pytest
from django import forms
from django.template import Context, Template
from django.test.html import parse_html

from org.templatetags.form_fields import bootstrap_field, bootstrap_fields
from reportportal.security import LoginForm


class Sample(forms.Form):
    figure = forms.IntegerField(
        label="调解成功件数（件）",
        help_text="全年累计，<不清楚>请留空",
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "figure"}),
    )
    text = forms.CharField(label="一、主要举措", widget=forms.Textarea(attrs={"rows": 12}))
    note = forms.CharField(label="说明", max_length=20, required=False)
    secret = forms.CharField(label="密码", widget=forms.PasswordInput)
    amount = forms.IntegerField(label="数额", min_value=0)
    choice = forms.ChoiceField(label="选择", choices=[("a", "甲"), ("b", "乙")])


def crispy(field) -> str:
    return Template("{% load crispy_forms_filters %}{{ field|as_crispy_field }}").render(
        Context({"field": field})
    )


BOUND = {
    "figure": "十二",
    "text": "<script>alert(1)</script>\n第二行",
    "note": "x" * 30,
    "secret": "hunter2",
    "amount": "-1",
    "choice": "b",
}


@pytest.mark.parametrize("data", [None, BOUND, {"text": "", "figure": "12"}])
@pytest.mark.parametrize("name", ["figure", "text", "note", "secret", "amount", "choice"])
def test_each_field_is_drawn_as_crispy_draws_it(data, name):
    form = Sample(data)
    if data is not None:
        form.is_valid()
        form.add_error("figure", "再核对一次 <b>")
    field = form[name]
    assert parse_html(str(bootstrap_field(field))) == parse_html(crispy(field))


@pytest.mark.django_db
def test_the_log_in_form_is_drawn_as_crispy_draws_it():
    for data in (None, {"username": "nobody", "password": ""}):
        form = LoginForm(data=data)
        if data:
            form.is_valid()
            form.add_error(None, "请输入正确的用户名和密码。")
        expected = Template("{% load crispy_forms_tags %}{{ form|crispy }}").render(
            Context({"form": form})
        )
        assert parse_html(str(bootstrap_fields(form))) == parse_html(expected)


def test_text_is_escaped():
    form = Sample(BOUND)
    form.is_valid()
    html = str(bootstrap_field(form["text"]))
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "&lt;不清楚&gt;" in str(bootstrap_field(form["figure"]))


def test_its_escape_answers_as_djangos_conditional_escape():
    from django.utils.html import conditional_escape
    from django.utils.safestring import mark_safe
    from django.utils.translation import gettext_lazy

    from org.templatetags.form_fields import e

    for value in (
        "a < b & \"c\" 'd' >",
        mark_safe("<b>已转义</b>"),
        gettext_lazy("This field is required."),
        42,
        None,
        "",
        "乡镇<script>",
    ):
        assert e(value) == conditional_escape(value)
