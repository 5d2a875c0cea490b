"""The two adapters of the gateway (KOUIKI_TSO_ADAPTER): the in-process simulator and HTTP.

The HTTP protocol, per area endpoint (KOUIKI_TSO_ENDPOINTS[area], e.g.
`https://tso.example.jp/kouiki/03`), both JSON, with `Authorization: Bearer <token>` when
KOUIKI_TSO_HTTP_TOKEN is set:

- `POST {endpoint}/messages` with `{"message_id", "reference", "operation", "payload", "attempt"}`.
  2xx: the operator has the message; the body is `{"message_id", "answers": [<answer>, ...]}`,
  the answers it gives at once. The same message id again returns the same answers (the operator
  acts once). 5xx, 401, 403, 404, 408, 425, 429, a timeout or a refused connection: not taken, try
  again later (OperatorUnavailable). Any other 4xx (400, 413, 422, ...): the operator will never
  take this message (MessageRefused).
- `GET {endpoint}/answers?after=N&limit=M`: `{"answers": [{"seq": n, <answer>}, ...]}`, every
  answer with a position greater than N, in order; positions are gapless and in commit order,
  so a reader that keeps the last one it saw never skips an answer.

An `<answer>` is `gateway.answer_to_json`: the fields of `Answer`, `answered_at` in ISO 8601.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx
from django.conf import settings

from kouiki.core import http_clients
from kouiki.tso.services import simulator
from kouiki.tso.services.gateway import (
    Answer,
    FeedItem,
    MessageRefused,
    OperatorUnavailable,
    OutgoingMessage,
    answer_from_json,
)

# Not taken, but worth trying again: a timeout or throttling, and what a fix of our configuration
# (token, endpoint) cures — never a reason to give a message up.
RETRYABLE_STATUSES = frozenset({401, 403, 404, 408, 425, 429})


class SimulatorAdapter:
    """The ten operators simulated in this process (kouiki.tso.services.simulator)."""

    def send(self, message: OutgoingMessage) -> list[Answer]:
        return simulator.receive(message)

    def answers_after(self, area: str, after: int, *, limit: int = 500) -> list[FeedItem]:
        return simulator.answers_after(area, after, limit=limit)


class HttpAdapter:
    """A real operator endpoint per area, spoken to with httpx (protocol in the module docstring)."""

    def __init__(
        self,
        endpoints: Mapping[str, str],
        *,
        token: str = "",
        timeout: float = 10.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.endpoints = {area: url.rstrip("/") for area, url in endpoints.items()}
        self.token = token
        self.timeout = timeout
        self.transport = transport

    @classmethod
    def from_settings(cls) -> HttpAdapter:
        return cls(
            settings.KOUIKI_TSO_ENDPOINTS,
            token=settings.KOUIKI_TSO_HTTP_TOKEN,
            timeout=float(settings.KOUIKI_TSO_HTTP_TIMEOUT_SECONDS),
        )

    def _client(self) -> httpx.Client:
        headers = {"Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        return http_clients.client(timeout=self.timeout, headers=headers, transport=self.transport)

    def _endpoint(self, area: str) -> str:
        try:
            return self.endpoints[area]
        except KeyError:
            raise OperatorUnavailable(f"エリア {area} の接続先が設定されていません。") from None

    def send(self, message: OutgoingMessage) -> list[Answer]:
        body = {
            "message_id": message.message_id,
            "reference": message.reference,
            "operation": message.operation,
            "payload": message.payload,
            "attempt": message.attempt,
        }
        response = self._call("POST", f"{self._endpoint(message.area)}/messages", json=body)
        if 400 <= response.status_code < 500:
            raise MessageRefused(f"HTTP {response.status_code}: {response.text[:300]}")
        try:
            return [answer_from_json(value) for value in _json_list(response, "answers")]
        except ValueError as error:
            raise OperatorUnavailable(f"回答の形式が正しくありません: {error}") from error

    def answers_after(self, area: str, after: int, *, limit: int = 500) -> list[FeedItem]:
        response = self._call(
            "GET", f"{self._endpoint(area)}/answers", params={"after": after, "limit": limit}
        )
        if 400 <= response.status_code < 500:
            raise OperatorUnavailable(f"HTTP {response.status_code}: {response.text[:300]}")
        items = []
        for value in _json_list(response, "answers"):
            try:
                items.append(FeedItem(seq=int(value["seq"]), answer=answer_from_json(value)))
            except (KeyError, TypeError, ValueError) as error:
                raise OperatorUnavailable(f"回答フィードの形式が正しくありません: {error}") from error
        return items

    def _call(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        try:
            with self._client() as client:
                response = client.request(method, url, **kwargs)
        except httpx.HTTPError as error:
            raise OperatorUnavailable(f"{type(error).__name__}: {error}") from error
        if response.status_code >= 500 or response.status_code in RETRYABLE_STATUSES:
            raise OperatorUnavailable(f"HTTP {response.status_code}: {response.text[:300]}")
        return response


def _json_list(response: httpx.Response, key: str) -> list[dict[str, Any]]:
    """A list under `key` of a JSON object body; a body we cannot read is a reply we did not get."""
    try:
        values = response.json()[key]
    except (ValueError, KeyError, TypeError) as error:
        raise OperatorUnavailable(
            f"応答の形式が正しくありません（HTTP {response.status_code}）: {error}"
        ) from error
    if not isinstance(values, list) or not all(isinstance(value, dict) for value in values):
        raise OperatorUnavailable(f"応答の形式が正しくありません（HTTP {response.status_code}）。")
    return values
