"""Django's template backend, rendering without per-value localisation.

The portal has one language (settings.LANGUAGES) whose number formats add nothing: no thousands
separator, "." for decimals. Django still localised every number a template prints: each went
through number_format, which looks up the active language and three formats (about 5 µs). Pages
drawn afresh print a hundred or more (ids in links and forms, figures, counts, scores): in a
replay of the load test's users, 160 a request and about 0.9 ms while the cached bodies were
being drawn again, 13 a request once most of them were cached. Rendered with `use_l10n=False`, a
number is printed with str(), and a date, time or datetime with the settings' formats, which
settings.py takes from Django's zh-hans locale.

What changes: nothing an integer, a figure or a score looks like (tests/test_templating.py
renders each kind of value both ways). Only a float or a Decimal that Python writes in
exponent notation (1e-05, 1E+2) would print differently; the pages print none of those bare:
shares and ratios go through floatformat, which still localises.
"""

from typing import Any

from django.http import HttpRequest
from django.template import TemplateDoesNotExist
from django.template.backends.django import DjangoTemplates, reraise
from django.template.backends.django import Template as DjangoTemplate
from django.template.context import make_context
from django.utils.safestring import SafeString


class Template(DjangoTemplate):
    def render(
        self, context: dict[str, Any] | None = None, request: HttpRequest | None = None
    ) -> SafeString:
        made = make_context(
            context, request, autoescape=self.backend.engine.autoescape, use_l10n=False
        )
        try:
            return self.template.render(made)
        except TemplateDoesNotExist as exc:
            reraise(exc, self.backend)


class PortalTemplates(DjangoTemplates):
    def from_string(self, template_code: str) -> Template:
        return Template(self.engine.from_string(template_code), self)

    def get_template(self, template_name: str) -> Template:
        try:
            return Template(self.engine.get_template(template_name), self)
        except TemplateDoesNotExist as exc:
            reraise(exc, self)
