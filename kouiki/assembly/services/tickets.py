"""The code in a reception ticket's QR code: a random token and its signature, nothing personal.

    KT1-<token>-<signature>

- `token`: 15 random bytes in base32 (24 characters), stored with the ticket; unguessable.
- `signature`: an HMAC-SHA256 of the token (Django's `salted_hmac`, the primitive of
  `django.core.signing`, keyed with SECRET_KEY and its fallbacks), truncated to 15 bytes, in base32.
  A forged or mistyped code is refused before any database lookup.

Only upper-case letters, digits and "-": a USB reader "types" the code like a keyboard, and these
keys are the same on Japanese and US layouts (":" or "_" are not). What arrives is normalized
(NFKC for a full-width IME, upper case for Caps Lock, spaces removed) before it is checked. These
characters are also QR's alphanumeric mode, which keeps the code small.
"""

from __future__ import annotations

import base64
import io
import re
import secrets
import unicodedata

import segno
from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac

PREFIX = "KT1"
_SALT = "kouiki.assembly.ticket"
_BYTES = 15
_CODE_RE = re.compile(rf"^{PREFIX}-([A-Z2-7]{{24}})-([A-Z2-7]{{24}})$")
# A reader may send a few stray characters around the code; nothing longer is worth checking.
MAX_CODE_LENGTH = 100


def new_token() -> str:
    return base64.b32encode(secrets.token_bytes(_BYTES)).decode("ascii")


def _signature(token: str, secret: str | bytes) -> str:
    digest = salted_hmac(_SALT, token, secret=secret, algorithm="sha256").digest()
    return base64.b32encode(digest[:_BYTES]).decode("ascii")


def ticket_code(token: str) -> str:
    """The code printed in the ticket's QR code."""
    return f"{PREFIX}-{token}-{_signature(token, settings.SECRET_KEY)}"


def normalize_code(raw: str) -> str:
    text = unicodedata.normalize("NFKC", raw or "")[:MAX_CODE_LENGTH]
    return re.sub(r"\s+", "", text).upper()


def token_from_code(raw: str) -> str | None:
    """The token of a genuine code, or None for anything else (forged, mistyped, truncated)."""
    match = _CODE_RE.match(normalize_code(raw))
    if match is None:
        return None
    token, signature = match.groups()
    for secret in [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]:
        if constant_time_compare(signature, _signature(token, secret)):
            return token
    return None


def qr_png(code: str, *, scale: int = 6) -> bytes:
    """The QR code as PNG bytes (error correction M, a quiet zone of 4 modules)."""
    buffer = io.BytesIO()
    segno.make(code, error="m", boost_error=False).save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()


def qr_data_uri(code: str, *, scale: int = 6) -> str:
    """The QR code as a data: URL for <img> (our CSP allows data: images) and for PDFs."""
    return "data:image/png;base64," + base64.b64encode(qr_png(code, scale=scale)).decode("ascii")
