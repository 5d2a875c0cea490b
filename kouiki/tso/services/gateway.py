"""The contract of the operators' gateway: operations, answers and the adapter interface.

docs/decisions/0011-switching-hub.md ("The gateway") fixes `Operation` and `Answer`; the hub codes
against them. docs/decisions/0014-operators-gateway.md explains the rest: how a message travels,
how answers come back (at once in the reply to a send, later through a per-area answer feed read
with a cursor), and the two adapters (`simulator`, `http`), chosen by KOUIKI_TSO_ADAPTER.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
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

MESSAGE_CODE_MAX_LENGTH = 10
MESSAGE_TEXT_MAX_LENGTH = 500
MAX_MESSAGES = 20
NOTES_MAX_LENGTH = 2000

# 受付工程 (the operator's processing step) as the simulator names it.
STEP_RECEIVED = "一般送配電事業者受付"
STEP_COMPLETED = "完了"
STEP_REJECTED = "不備"


class StepCode(StrEnum):
    """受付工程 as the real system codes it (SWITCHING-REAL.md "Codes"): 01–04 and 10 are steps in
    progress (their names are unverified: the simulator uses 01 for "taken"), 05 the 開始 and 廃止 of
    one switch matched, 06 and 08 complete (the simulator: 06 where the point changed — 異動 —, 08
    where it answered without one, an inquiry), 09 NG."""

    RECEIVED = "01"  # 受付（一般送配電事業者が申込みを受け付けた）
    IN_PROGRESS = "10"  # 処理中
    MATCHED = "05"  # マッチング完了
    COMPLETED = "06"  # 完了（異動あり）
    ANSWERED = "08"  # 完了（回答済み）
    NG = "09"  # NG


STEP_CODE_NAMES: dict[str, str] = {
    "01": "受付",
    "02": "処理中",
    "03": "処理中",
    "04": "処理中",
    "05": "マッチング完了",
    "06": "完了",
    "08": "完了",
    "09": "NG",
    "10": "処理中",
}


class UpdateFlag(StrEnum):
    """更新フラグ of a message (SWITCHING-REAL.md "Codes"): every message to an operator carries it
    in its payload under UPDATE_FLAG_KEY. A 訂正 or 取消 is a new message (its own message id) for the
    same 受付番号 (`reference`) and the same operation: a 訂正 carries the whole corrected
    application, a 取消 the point and the codes. The operator answers it "completed" when it applied
    it, "rejected" (error_code UPDATE_REFUSED) when it had already taken the original (its first
    "accepted" answer); an original withdrawn by an applied 取消 is answered "rejected" with
    WITHDRAWN, so that no message waits for ever."""

    NEW = "1"
    CORRECTION = "2"  # 訂正
    CANCELLATION = "3"  # 取消


UPDATE_FLAG_KEY = "update_flag"
UPDATE_REFUSED = "already_taken"
WITHDRAWN = "withdrawn"


def update_flag_of(payload: dict[str, Any]) -> str:
    """The 更新フラグ of a message's payload ("1" when it carries none: a message from before)."""
    value = str(payload.get(UPDATE_FLAG_KEY) or UpdateFlag.NEW)
    return value if value in {flag.value for flag in UpdateFlag} else UpdateFlag.NEW


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
    # The operator's status as the real system answers it (all optional):
    step_code: str = ""  # 受付工程 coded (StepCode)
    messages: list[dict[str, str]] = field(default_factory=list)  # 受付メッセージ [{"code", "text"}]
    notes: str = ""  # ご連絡事項
    planned_change_date: date | None = None  # 異動予定日
    change_date: date | None = None  # 異動日
    update_flag: str = UpdateFlag.NEW  # 更新フラグ of the message answered

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
    step_code = answer.step_code if answer.step_code in STEP_CODE_NAMES else ""
    messages = [
        {
            "code": cut(str(message.get("code") or ""), MESSAGE_CODE_MAX_LENGTH),
            "text": cut(str(message.get("text") or ""), MESSAGE_TEXT_MAX_LENGTH),
        }
        for message in answer.messages[:MAX_MESSAGES]
    ]
    notes = cut(answer.notes, NOTES_MAX_LENGTH)
    kept = (step, error_code, error_detail, step_code, messages, notes)
    if kept == (
        answer.step,
        answer.error_code,
        answer.error_detail,
        answer.step_code,
        answer.messages,
        answer.notes,
    ):
        return answer
    return replace(
        answer,
        step=step,
        error_code=error_code,
        error_detail=error_detail,
        step_code=step_code,
        messages=messages,
        notes=notes,
    )


def status_to_json(answer: Answer) -> dict[str, Any]:
    """The operator's coded status of an answer (受付工程コード, 受付メッセージ, ご連絡事項, 異動予定日,
    異動日) in its JSON form; empty when the answer carries none."""
    value: dict[str, Any] = {
        "step_code": answer.step_code,
        "messages": answer.messages,
        "notes": answer.notes,
        "planned_change_date": answer.planned_change_date.isoformat() if answer.planned_change_date else None,
        "change_date": answer.change_date.isoformat() if answer.change_date else None,
    }
    return {key: item for key, item in value.items() if item}


def status_from_json(value: dict[str, Any]) -> dict[str, Any]:
    """`status_to_json`'s form as Answer's keyword arguments; ValueError when malformed."""
    messages = value.get("messages") or []
    if not isinstance(messages, list) or not all(isinstance(message, dict) for message in messages):
        raise ValueError("messages must be a list of objects with code and text")
    return {
        "step_code": str(value.get("step_code") or ""),
        "messages": [
            {"code": str(message.get("code") or ""), "text": str(message.get("text") or "")}
            for message in messages
        ],
        "notes": str(value.get("notes") or ""),
        "planned_change_date": _day(value.get("planned_change_date")),
        "change_date": _day(value.get("change_date")),
    }


def _day(value: Any) -> date | None:
    if value in (None, ""):
        return None
    return date.fromisoformat(str(value))


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
        "update_flag": answer.update_flag,
        **status_to_json(answer),
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
            update_flag=update_flag_of(value),
            **status_from_json(value),
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
