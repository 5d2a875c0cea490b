"""HTTP answers shared by the member screens and the back office."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header

from kouiki.fees.models import CapacityDocument


def document_response(document: CapacityDocument) -> HttpResponse:
    """The stored PDF (at most MAX_PDF_BYTES) as a download under the name it was uploaded with;
    no shared cache may keep it."""
    with document.file.open("rb") as stored:
        data = stored.read()
    response = HttpResponse(data, content_type="application/pdf")
    filename = document.original_name or f"{document.get_kind_display()}.pdf"
    if disposition := content_disposition_header(True, filename):
        response["Content-Disposition"] = disposition
    response["Content-Length"] = str(len(data))
    patch_cache_control(response, private=True, no_store=True)
    return response
