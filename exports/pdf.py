"""Rendering HTML to PDF with WeasyPrint, safely and fast (exports.documents makes the HTML).

The renderer may read only the project's own static files: user text is escaped by the templates,
and even if markup slipped through, SafeURLFetcher refuses every other file and every URL.
"""

import gc
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote, urlparse

from django.conf import settings
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

logger = logging.getLogger(__name__)
STATIC_ROOT_FOR_PDF = Path(settings.BASE_DIR) / "static"
PDF_ASSETS = (STATIC_ROOT_FOR_PDF / "pdf").resolve()


class BlockedResource(ValueError):
    pass


class SafeURLFetcher(URLFetcher):
    """Files under the project's static/pdf folder only; every other file and every URL is
    refused (WeasyPrint then leaves the resource out and carries on)."""

    def __init__(self):
        super().__init__(allowed_protocols={"file"}, allow_redirects=False)

    def fetch(self, url, headers=None):
        parsed = urlparse(url)
        if parsed.scheme == "file":
            path = Path(unquote(parsed.path)).resolve()
            if path.is_relative_to(PDF_ASSETS) and path.is_file():
                return super().fetch(url, headers)
        logger.warning("PDF renderer refused to fetch %s", url)
        raise BlockedResource(f"refused: {url}")


_per_thread = threading.local()
_gc_lock = threading.Lock()
_gc_renders = 0
_gc_threshold: tuple[int, ...] = ()
GC_FIRST_GENERATION = 50_000


def _font_config() -> FontConfiguration:
    """One font configuration per thread, kept: a new one would load the CJK fonts again for
    every document (Pango's font map is not for sharing between threads)."""
    if not hasattr(_per_thread, "font_config"):
        _per_thread.font_config = FontConfiguration()
    return _per_thread.font_config


@contextmanager
def _fewer_gc_passes() -> Iterator[None]:
    """WeasyPrint makes millions of short-lived objects, and at Python's default threshold (700
    allocations) the cyclic collector ran some 250 times a county summary, a tenth of its CPU
    time. While any thread renders, the first generation waits for GC_FIRST_GENERATION objects;
    the last render to finish puts the threshold back. Garbage is still collected, in 2 passes."""
    global _gc_renders, _gc_threshold
    with _gc_lock:
        if _gc_renders == 0:
            _gc_threshold = gc.get_threshold()
            if _gc_threshold[0]:  # 0: collection switched off, leave it so
                gc.set_threshold(max(_gc_threshold[0], GC_FIRST_GENERATION), *_gc_threshold[1:])
        _gc_renders += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_renders -= 1
            if _gc_renders == 0:
                gc.set_threshold(*_gc_threshold)


def render_pdf(template: str, context: dict) -> bytes:
    html = render_to_string(template, context)
    with _fewer_gc_passes():
        return HTML(
            string=html,
            base_url=STATIC_ROOT_FOR_PDF.as_uri() + "/",
            url_fetcher=SafeURLFetcher(),
        ).write_pdf(font_config=_font_config())
