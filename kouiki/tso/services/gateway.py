"""The contract of the operators' gateway: operations, answers and the adapter interface.

docs/decisions/0011-switching-hub.md ("The gateway") fixes `Operation` and `Answer`; the hub codes
against them. docs/decisions/0014-operators-gateway.md explains the rest: how a message travels,
how answers come back (at once in the reply to a send, later through a per-area answer feed read
with a cursor), and the two adapters (`simulator`, `http`), chosen by KOUIKI_TSO_ADAPTER.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from django.conf import settings
from django.utils.dateparse import parse_datetime


class Operation(StrEnum):
    FACILITY_INQUIRY = "facility_inquiry"  # SW-L01
    USAGE_PASSWORD = "usage_password"  # SW-L02 (kind 08)
    USAGE_RETRIEVE = "usage_retrieve"  # SW-L03
    RECONNECT = "reconnect"  # SW-L04 (kind 04)
    ABOLISH = "abolish"  # SW-L05 (kinds 01 / 02, payload["removal"])
    SWITCH_START = "switch_start"  # SW-L08 (kind 05)
    SWITCH_ABOLISH = "switch_abolish"  # SW-L11 (kind 03)
    AMPERE_CHANGE = "ampere_change"  # SW-L12 (kind 06)
    CUSTOMER_CHANGE = "customer_change"  # SW-L13 (kind 07)


OPERATION_LABELS: dict[str, str] = {
    Operation.FACILITY_INQUIRY: "設備情報照会",
    Operation.USAGE_PASSWORD: "使用量情報照会申請",
    Operation.USAGE_RETRIEVE: "使用量情報照会（取得）",
    Operation.RECONNECT: "再点",
    Operation.ABOLISH: "廃止",
    Operation.SWITCH_START: "スイッチング開始",
    Operation.SWITCH_ABOLISH: "スイッチング廃止",
    Operation.AMPERE_CHANGE: "アンペア変更",
    Operation.CUSTOMER_CHANGE: "需要者情報変更",
}


class Outcome(StrEnum):
    ACCEPTED = "accepted"  # the operator's 受付工程 moved on; more answers follow
    COMPLETED = "completed"  # final: done, `data` carries the result
    REJECTED = "rejected"  # final: 不備, with error_code and error_detail


FINAL_OUTCOMES = frozenset({Outcome.COMPLETED, Outcome.REJECTED})

# The longest texts of an answer that are kept: the gateway's AnswerRecord and the hub's Application
# store the step and the error code in columns of these lengths. An answer's longer texts are cut
# when it enters the gateway (`storable`), so that no operator can make an answer unstorable.
STEP_MAX_LENGTH = 60
ERROR_CODE_MAX_LENGTH = 64
ERROR_DETAIL_MAX_LENGTH = 2000

# 受付工程 (the operator's processing step) as the simulator names it.
STEP_RECEIVED = "一般送配電事業者受付"
STEP_COMPLETED = "完了"
STEP_REJECTED = "不備"


@dataclass(frozen=True, kw_only=True)
class Answer:
    """One answer of an operator to one message (ADR 11)."""

    message_id: str  # the id the hub's message carried
    reference: str  # the hub's 受付番号
    operation: str
    area: str  # "01".."10"
    outcome: str  # "accepted" | "completed" | "rejected"
    step: str  # 受付工程 in Japanese
    data: dict[str, Any]  # result: facility info, usage, registry changes in data["registry"]
    error_code: str = ""  # on "rejected": a stable code, e.g. "usage_password_expired"
    error_detail: str = ""  # on "rejected": Japanese text for the retailer
    answered_at: datetime

    @property
    def is_final(self) -> bool:
        return self.outcome in FINAL_OUTCOMES


@dataclass(frozen=True, kw_only=True)
class OutgoingMessage:
    """What an adapter sends: the message row's content and the number of this attempt."""

    message_id: str
    area: str
    operation: str
    reference: str
    payload: dict[str, Any] = field(default_factory=dict)
    attempt: int = 1


@dataclass(frozen=True)
class FeedItem:
    """An answer from an operator's answer feed, at its position `seq` (gapless, per area)."""

    seq: int
    answer: Answer


class OperatorUnavailable(Exception):
    """The operator could not be reached or did not say it had the message: try again later."""


class MessageRefused(Exception):
    """The operator answered that it will never take this message (malformed, HTTP 4xx)."""


class Adapter(Protocol):
    """How the gateway talks to the ten area operators.

    `send` hands one message to its area's operator and returns the answers it gives at once
    (usually "accepted", and for an inquiry the final answer too). It raises OperatorUnavailable
    when the operator is down or the reply was lost, MessageRefused when the operator will never
    take the message. Sending the same message id again must not make the operator act twice: it
    returns the same answers.

    `answers_after` reads the area's answer feed after position `after`: every answer the operator
    gave (those returned by `send` too), in order, none skipped. The gateway polls it periodically
    and keeps its position per area.
    """

    def send(self, message: OutgoingMessage) -> list[Answer]: ...

    def answers_after(self, area: str, after: int, *, limit: int = 500) -> list[FeedItem]: ...


def storable(answer: Answer) -> Answer:
    """The answer as it can be kept: its step, error code and error detail cut to the lengths above
    and without NUL characters (a PostgreSQL text cannot hold one); the same answer when they fit."""

    def cut(text: str, limit: int) -> str:
        return text.replace("\x00", "")[:limit]

    step = cut(answer.step, STEP_MAX_LENGTH)
    error_code = cut(answer.error_code, ERROR_CODE_MAX_LENGTH)
    error_detail = cut(answer.error_detail, ERROR_DETAIL_MAX_LENGTH)
    if (step, error_code, error_detail) == (answer.step, answer.error_code, answer.error_detail):
        return answer
    return replace(answer, step=step, error_code=error_code, error_detail=error_detail)


def answer_to_json(answer: Answer) -> dict[str, Any]:
    return {
        "message_id": answer.message_id,
        "reference": answer.reference,
        "operation": answer.operation,
        "area": answer.area,
        "outcome": answer.outcome,
        "step": answer.step,
        "data": answer.data,
        "error_code": answer.error_code,
        "error_detail": answer.error_detail,
        "answered_at": answer.answered_at.isoformat(),
    }


def answer_from_json(value: dict[str, Any]) -> Answer:
    """An Answer from its JSON form, its texts cut to what is kept (`storable`); raises
    ValueError when a field is missing or malformed."""
    try:
        answered_at = parse_datetime(str(value["answered_at"]))
        if answered_at is None or answered_at.tzinfo is None:
            raise ValueError(f"answered_at is not an aware ISO datetime: {value['answered_at']!r}")
        outcome = Outcome(str(value["outcome"]))
        data = value.get("data") or {}
        if not isinstance(data, dict):
            raise ValueError("data must be an object")
        answer = Answer(
            message_id=str(value["message_id"]),
            reference=str(value["reference"]),
            operation=str(value["operation"]),
            area=str(value["area"]),
            outcome=outcome.value,
            step=str(value["step"]),
            data=data,
            error_code=str(value.get("error_code") or ""),
            error_detail=str(value.get("error_detail") or ""),
            answered_at=answered_at,
        )
    except KeyError as missing:
        raise ValueError(f"answer field missing: {missing}") from None
    return storable(answer)


def get_adapter() -> Adapter:
    """The adapter KOUIKI_TSO_ADAPTER names: "simulator" (default) or "http"."""
    from kouiki.tso.services.adapters import HttpAdapter, SimulatorAdapter

    name = settings.KOUIKI_TSO_ADAPTER
    if name == "simulator":
        return SimulatorAdapter()
    if name == "http":
        return HttpAdapter.from_settings()
    raise ValueError(f"KOUIKI_TSO_ADAPTER must be 'simulator' or 'http', not {name!r}")
