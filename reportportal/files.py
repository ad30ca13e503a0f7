"""Answering with a stored private file (a report's PDF, a summary, evidence) once the view has
checked who may have it.

Behind nginx (PRIVATE_FILES_ACCEL_PREFIX set) the portal answers with headers only and nginx sends
the bytes from its internal location, so a large file never holds an app worker; the location is
`internal`, so its URLs answer 404 to anyone who asks for them directly. Without nginx the file is
streamed from storage.
"""

from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import FileResponse, HttpResponse
from django.http.response import HttpResponseBase


def stored_file_response(
    *, name: str, filename: str, content_type: str, attachment: bool = True
) -> HttpResponseBase:
    """`name` is the storage name (relative to MEDIA_ROOT); `filename` what the browser saves."""
    prefix = settings.PRIVATE_FILES_ACCEL_PREFIX
    response: HttpResponseBase
    if prefix:
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = f"{prefix}/{quote(name)}"
    else:
        response = FileResponse(default_storage.open(name, "rb"), content_type=content_type)
    disposition = "attachment" if attachment else "inline"
    # RFC 6266: the Chinese name in UTF-8, and an ASCII fallback for old clients.
    response["Content-Disposition"] = (
        f"{disposition}; filename=\"download{_suffix(filename)}\"; filename*=UTF-8''{quote(filename)}"
    )
    return response


def _suffix(filename: str) -> str:
    dot = filename.rfind(".")
    suffix = filename[dot:] if dot > 0 else ""
    return suffix if suffix.isascii() and suffix[1:].isalnum() else ""
