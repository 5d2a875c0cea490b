"""HTML → PDF with WeasyPrint and the BIZ UD fonts vendored in kouiki/core/fonts/.

Certificates, tickets and invoices are Django templates extending ``pdf/base.html``; a view
calls ``render_pdf`` and returns ``pdf_response``. The PDF looks the same on every machine:

- The fonts come from the repository, declared under their own family names ("Kouiki Gothic",
  "Kouiki Mincho"), so a BIZ UD font of another version installed on the machine can never take
  their place (Fontconfig prefers an installed font over an ``@font-face`` of the same name).
- WeasyPrint fetches nothing from the network: only ``data:`` URLs and ``file:`` URLs inside
  the ``kouiki`` package are read; anything else is refused and logged. Images made at run time
  (QR codes) go into the template as ``data:`` URLs.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

logger = logging.getLogger(__name__)

PACKAGE_DIR = Path(__file__).resolve().parent.parent
FONTS_DIR = Path(__file__).resolve().parent / "fonts"
# Relative URLs in PDF templates resolve against the kouiki package.
BASE_URL = PACKAGE_DIR.as_uri() + "/"

GOTHIC = "Kouiki Gothic"
MINCHO = "Kouiki Mincho"

_FONT_FACES = (
    (GOTHIC, "normal", "BIZUDGothic-Regular.ttf"),
    (GOTHIC, "bold", "BIZUDGothic-Bold.ttf"),
    (MINCHO, "normal", "BIZUDMincho-Regular.ttf"),
)


def _font_css() -> str:
    faces = "".join(
        f'@font-face {{ font-family: "{family}"; font-weight: {weight}; '
        f'src: url("{(FONTS_DIR / file).as_uri()}") format("truetype"); }}\n'
        for family, weight, file in _FONT_FACES
    )
    return faces + f'html {{ font-family: "{GOTHIC}", sans-serif; }}\n'


class LocalOnlyFetcher(URLFetcher):
    """Reads ``data:`` URLs and files inside the kouiki package; refuses everything else."""

    def __init__(self, root: Path = PACKAGE_DIR) -> None:
        super().__init__(allowed_protocols={"file", "data"}, allow_redirects=False, timeout=1)
        self.root = root.resolve()

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        if not self._allowed(url):
            logger.warning("PDF: refused to fetch %s", url[:200])
            raise ValueError(f"URL not allowed in a PDF: {url[:200]}")
        return super().fetch(url, headers)

    def _allowed(self, url: str) -> bool:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme == "data":
            return True
        if scheme != "file" or parts.netloc not in ("", "localhost"):
            return False
        path = Path(url2pathname(parts.path)).resolve()
        return path.is_relative_to(self.root) and path.is_file()


# One font configuration for the process: loading the three fonts (15 MB) into Fontconfig is the
# slow part of the first PDF. WeasyPrint's font configuration is not documented as thread-safe,
# so renders are serialized; they hold the GIL nearly all the time anyway.
_lock = threading.Lock()
_fonts: tuple[FontConfiguration, CSS] | None = None


def _font_setup(fetcher: URLFetcher) -> tuple[FontConfiguration, CSS]:
    global _fonts
    if _fonts is None:
        font_config = FontConfiguration()
        css = CSS(string=_font_css(), base_url=BASE_URL, url_fetcher=fetcher, font_config=font_config)
        _fonts = (font_config, css)
    return _fonts


def html_to_pdf(html: str) -> bytes:
    """Turn an HTML document into PDF bytes with the vendored fonts and no network access."""
    fetcher = LocalOnlyFetcher()
    with _lock:
        font_config, font_css = _font_setup(fetcher)
        document = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher)
        pdf: bytes = document.write_pdf(stylesheets=[font_css], font_config=font_config)
    return pdf


def render_pdf(template_name: str, context: dict[str, Any], *, request: HttpRequest | None = None) -> bytes:
    """Render a Django template (usually extending ``pdf/base.html``) to PDF bytes."""
    return html_to_pdf(render_to_string(template_name, context, request=request))


def pdf_response(pdf: bytes, filename: str, *, inline: bool = True) -> HttpResponse:
    """An ``application/pdf`` response; a Japanese ``filename`` goes out as RFC 6266 ``filename*``.

    Documents carry participants' data, so no shared cache may keep them.
    """
    response = HttpResponse(pdf, content_type="application/pdf")
    if disposition := content_disposition_header(not inline, filename):
        response["Content-Disposition"] = disposition
    response["Content-Length"] = str(len(pdf))
    patch_cache_control(response, private=True, no_store=True)
    return response
