"""PDFs: Japanese text in the vendored BIZ UD fonts, nothing fetched from the network."""

from __future__ import annotations

import io
import logging
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from kouiki.core.pdf import LocalOnlyFetcher, pdf_response, render_pdf


@pytest.fixture(scope="module")
def sample_pdf() -> bytes:
    return render_pdf("pdf/sample.html", {"organization_name": "東京電力エナジーパートナー株式会社"})


def embedded_fonts(pdf: bytes) -> dict[str, str]:
    """BaseFont of every font on the first page → family name inside the embedded font program."""
    fonts = {}
    for ref in PdfReader(io.BytesIO(pdf)).pages[0]["/Resources"]["/Font"].values():
        font: Any = ref.get_object()
        descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
        program = TTFont(io.BytesIO(descriptor["/FontFile2"].get_object().get_data()))
        fonts[str(font["/BaseFont"]).split("+", 1)[1]] = program["name"].getDebugName(1)
    return fonts


def test_japanese_text_comes_back_from_the_pdf(sample_pdf: bytes) -> None:
    text = PdfReader(io.BytesIO(sample_pdf)).pages[0].extract_text()

    assert "電力広域的運営推進機関" in text
    assert "加入証跡" in text
    assert "東京電力エナジーパートナー株式会社" in text
    assert "1 / 1 ページ" in text


def test_the_pdf_embeds_the_vendored_biz_ud_fonts(sample_pdf: bytes) -> None:
    # The vendored faces carry their own family names, so these can only come from kouiki/core/fonts.
    assert embedded_fonts(sample_pdf) == {
        "Kouiki-Gothic": "BIZ UDGothic",
        "Kouiki-Gothic-Bold": "BIZ UDGothic",
        "Kouiki-Mincho": "BIZ UDMincho",
    }


class CountingHandler(BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self) -> None:
        self.requests.append(self.path)
        self.send_response(404)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def web_server() -> Iterator[str]:
    CountingHandler.requests = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), CountingHandler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_remote_url_in_the_html_is_not_fetched(web_server: str, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="kouiki.core.pdf"):
        pdf = render_pdf("pdf/sample.html", {"remote_image_url": f"{web_server}/logo.png"})

    assert pdf.startswith(b"%PDF-")
    assert CountingHandler.requests == []
    assert f"refused to fetch {web_server}/logo.png" in caplog.text


def test_only_files_inside_the_package_can_be_read() -> None:
    fetcher = LocalOnlyFetcher()
    fonts = fetcher.root / "core" / "fonts"

    with pytest.raises(ValueError, match="not allowed"):
        fetcher.fetch("file:///etc/hostname")
    with pytest.raises(ValueError, match="not allowed"):
        fetcher.fetch(f"{fonts.as_uri()}/../../../../etc/hostname")
    assert fetcher.fetch((fonts / "OFL.txt").as_uri()).read().startswith(b"Copyright")
    assert fetcher.fetch("data:text/plain;base64,5Yqg5YWl").read() == "加入".encode()


def test_pdf_response_names_a_japanese_file_per_rfc_6266() -> None:
    inline = pdf_response(b"%PDF-1.7", "加入証跡.pdf")
    attachment = pdf_response(b"%PDF-1.7", "加入証跡.pdf", inline=False)

    assert inline["Content-Type"] == "application/pdf"
    assert inline["Content-Disposition"] == (
        "inline; filename*=utf-8''%E5%8A%A0%E5%85%A5%E8%A8%BC%E8%B7%A1.pdf"
    )
    assert attachment["Content-Disposition"].startswith("attachment; filename*=utf-8''")
    assert "no-store" in inline["Cache-Control"]
