"""The ten area operators (一般送配電事業者), simulated in process: deterministic rules.

What a real operator does, kept on "its" side of the line (the Simulator* models):

- `receive(message)` takes a message once per id (`SimulatorReceipt`): a repeated id returns the
  answers given the first time and never acts again. An inquiry (設備情報照会, 使用量情報照会) and
  the two halves of a matched switch are taken at once: "accepted" (一般送配電事業者受付) in the
  reply. An application a retailer may still correct or cancel (再点, 廃止, アンペア変更, 需要者情報変更,
  使用量情報照会申請: `UPDATABLE`) is received and taken at the next `tick` (the gateway's answer
  poll runs one); until then a 訂正 (更新フラグ 2) or 取消 (3) for its 受付番号 is applied, after
  that it is refused (gateway.UpdateFlag). The final answer comes either at once (answer delay 0)
  or later through a `SimulatorJob`: after KOUIKI_TSO_SIMULATOR_DELAY_SECONDS, or on the day the
  work is done (a switch on its switching date, a change on its desired date).
- Every answer carries the coded 受付工程 (01 taken, 05 a matched switch, 06 done with a change of
  the point, 08 answered, 09 NG), its 受付メッセージ, sometimes ご連絡事項 (the day of meter or
  removal work), the 異動予定日 when taken and the 異動日 when done.
- Every answer is appended to the area's answer feed (`SimulatorAnswer`, gapless positions);
  `answers_after(area, after)` reads it, first doing the work that has come due (`tick`).
- Settings make it misbehave, deterministically: KOUIKI_TSO_SIMULATOR_DOWN_AREAS are down (every
  call fails), and KOUIKI_TSO_SIMULATOR_FAILURE_RATE fails that share of sends, chosen by a hash
  of the message id and the attempt — half of them before the message is taken, half after
  (the reply is lost: the resend must get the same answers and change nothing).

The registry is the hub's; the simulator reads it through the reader the hub registers and
sends registry changes in `data["registry"]` of its final answers (ADR 11). The rules are in
`kouiki.tso.services.simulator_rules`.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from kouiki.core.calendar import JST
from kouiki.core.japanese import Area
from kouiki.tso import services
from kouiki.tso.models import SimulatorAnswer, SimulatorFeed, SimulatorJob, SimulatorReceipt
from kouiki.tso.services import simulator_rules as rules
from kouiki.tso.services.gateway import (
    OPERATION_LABELS,
    STEP_COMPLETED,
    STEP_RECEIVED,
    STEP_REJECTED,
    UPDATE_FLAG_KEY,
    UPDATE_REFUSED,
    WITHDRAWN,
    Answer,
    FeedItem,
    Operation,
    OperatorUnavailable,
    Outcome,
    OutgoingMessage,
    StepCode,
    UpdateFlag,
    answer_from_json,
    answer_to_json,
    update_flag_of,
)

logger = logging.getLogger(__name__)

DOWN_ERROR = "模擬障害: {area}エリアの一般送配電事業者システムが停止しています。"
FAILED_BEFORE = "模擬障害: 一般送配電事業者システムが応答しませんでした（電文は未受信）。"
FAILED_AFTER = "模擬障害: 応答が途中で失われました（電文は受信済み）。"
TICK_BATCH = 500

# What a retailer may correct or cancel until the operator takes it: taken at the next tick.
UPDATABLE = frozenset(
    {
        Operation.RECONNECT,
        Operation.ABOLISH,
        Operation.AMPERE_CHANGE,
        Operation.CUSTOMER_CHANGE,
        Operation.USAGE_PASSWORD,
    }
)
SWITCH_OPERATIONS = frozenset({Operation.SWITCH_START, Operation.SWITCH_ABOLISH})
# Operations whose completion changes the point (異動: 受付工程 06); the others answer (08).
CHANGES = frozenset(UPDATABLE - {Operation.USAGE_PASSWORD}) | SWITCH_OPERATIONS
# 申込種別 (SWITCHING-REAL.md "Codes"): how an answer names what it answers.
APPLICATION_TYPE_NAMES = {
    "01": "廃止（撤去なし）",
    "02": "廃止（撤去あり）",
    "03": "スイッチング廃止",
    "04": "再点",
    "05": "スイッチング開始",
    "06": "アンペア変更",
    "07": "需要者情報変更",
    "08": "使用量情報照会申請",
    "12": "廃止（撤去なし）",
    "13": "廃止（撤去あり）",
    "14": "スイッチング廃止",
    "15": "再点",
    "16": "スイッチング開始",
    "17": "発電者情報変更",
}
STEP_UPDATE_APPLIED = {UpdateFlag.CORRECTION: "訂正受付", UpdateFlag.CANCELLATION: "取消受付"}
STEP_UPDATE_REFUSED = {UpdateFlag.CORRECTION: "訂正不可", UpdateFlag.CANCELLATION: "取消不可"}
STEP_WITHDRAWN = "取消"
UPDATE_NAMES = {UpdateFlag.CORRECTION: "訂正", UpdateFlag.CANCELLATION: "取消"}
# 受付メッセージ codes of the simulated operators (the real codes are not public): I… information,
# E… a refusal; a rejection's message has the code of its rule, E999 when it has none here.
MESSAGE_TAKEN = "I001"
MESSAGE_DONE = "I100"
MESSAGE_SWITCHED = "I106"
MESSAGE_ANSWERED = "I108"
MESSAGE_CORRECTED = "I201"
MESSAGE_CANCELLED = "I202"
MESSAGE_UPDATE_REFUSED = "E301"
REJECTION_MESSAGES = {
    "supply_point_number_invalid": "E101",
    "supply_point_other_area": "E102",
    "supply_point_unknown": "E103",
    "supply_point_abolished": "E104",
    "switching_date_past": "E111",
    "switching_date_missing": "E112",
    "new_retailer_missing": "E113",
    "reconnect_not_stopped": "E121",
    "ampere_change_not_available": "E131",
    "ampere_change_not_ampere_contract": "E132",
    "current_limit_invalid": "E133",
    "customer_change_empty": "E141",
    "usage_password_invalid": "E151",
    "usage_password_expired": "E152",
    "operation_unknown": "E199",
}


# --- The operator's door ---------------------------------------------------------------------


def is_down(area: str) -> bool:
    return area in set(settings.KOUIKI_TSO_SIMULATOR_DOWN_AREAS)


def _check_up(area: str) -> None:
    if area not in Area.values:
        raise OperatorUnavailable(f"エリアコード {area!r} の一般送配電事業者はありません。")
    if is_down(area):
        raise OperatorUnavailable(DOWN_ERROR.format(area=Area(area).label))


def failure_roll(message_id: str, attempt: int) -> tuple[bool, bool]:
    """(this attempt fails, it fails after the message was taken), from a hash: deterministic."""
    digest = hashlib.sha256(f"{message_id}:{attempt}".encode()).digest()
    share = int.from_bytes(digest[:8]) / 2**64
    return share < float(settings.KOUIKI_TSO_SIMULATOR_FAILURE_RATE), digest[8] % 2 == 1


def receive(message: OutgoingMessage) -> list[Answer]:
    """Take a message (once per id) and return the answers given at once."""
    _check_up(message.area)
    fails, after_taking = failure_roll(message.message_id, message.attempt)
    if fails and not after_taking:
        raise OperatorUnavailable(FAILED_BEFORE)
    try:
        answers = _receive_once(message)
    except services.RegistryUnavailable as error:
        raise OperatorUnavailable(str(error)) from error
    if fails:
        raise OperatorUnavailable(FAILED_AFTER)
    return answers


def _receive_once(message: OutgoingMessage) -> list[Answer]:
    existing = SimulatorReceipt.objects.filter(message_id=message.message_id).first()
    if existing is None:
        try:
            with transaction.atomic():
                receipt = SimulatorReceipt.objects.create(
                    message_id=message.message_id,
                    area=message.area,
                    operation=message.operation,
                    reference=message.reference,
                    payload=message.payload,
                )
                answers = _process(receipt, timezone.now())
                receipt.answers = [answer_to_json(answer) for answer in answers]
                receipt.save(update_fields=["answers"])
                return answers
        except IntegrityError:
            # The same id sent twice at once: the other send took it.
            existing = SimulatorReceipt.objects.filter(message_id=message.message_id).first()
            if existing is None:
                raise
    return [answer_from_json(value) for value in existing.answers]


def _process(receipt: SimulatorReceipt, now: datetime) -> list[Answer]:
    """The answers given at once to a new receipt (published to the feed)."""
    if update_flag_of(receipt.payload) != UpdateFlag.NEW:
        return _update(receipt, now)
    if receipt.operation in UPDATABLE:
        SimulatorJob.objects.create(receipt=receipt, due_at=now)  # taken at the next tick
        # Updates that came before it (the gateway does not order messages) are settled now.
        answers: list[Answer] = []
        for update in _waiting_updates(receipt):
            answers += _settle(update, receipt, now)
        return [answer for answer in answers if answer.message_id == receipt.message_id]
    return _take(receipt, now)


def _take(receipt: SimulatorReceipt, now: datetime) -> list[Answer]:
    """Take a receipt into work: "accepted", and the final answer when it is due now (a job for
    later otherwise); the answers are published."""
    answers = [_accepted(receipt, now)]
    due = _due_at(receipt, now)
    if due <= now:
        answers.append(_final(receipt, now))
    else:
        SimulatorJob.objects.update_or_create(receipt=receipt, defaults={"due_at": due, "done_at": None})
    for answer in answers:
        _publish(answer)
    return answers


def _taken(receipt: SimulatorReceipt) -> bool:
    """Whether the operator has answered the receipt at all (taken it, or finished it)."""
    return SimulatorAnswer.objects.filter(message_id=receipt.message_id).exists()


def _others(receipt: SimulatorReceipt) -> list[SimulatorReceipt]:
    """The other receipts of the same 受付番号 in the area, in the order they came."""
    return list(
        SimulatorReceipt.objects.select_for_update()
        .filter(area=receipt.area, reference=receipt.reference)
        .exclude(pk=receipt.pk)
        .order_by("pk")
    )


def _original(receipt: SimulatorReceipt) -> SimulatorReceipt | None:
    """The new application (更新フラグ 1) a 訂正 or 取消 refers to: the same 受付番号 in the area."""
    return next((each for each in _others(receipt) if update_flag_of(each.payload) == UpdateFlag.NEW), None)


def _waiting_updates(original: SimulatorReceipt) -> list[SimulatorReceipt]:
    """The updates of an application that came before it and wait for it (not answered yet)."""
    return [
        each
        for each in _others(original)
        if update_flag_of(each.payload) != UpdateFlag.NEW and not _taken(each)
    ]


def _update(receipt: SimulatorReceipt, now: datetime) -> list[Answer]:
    """A 訂正 (更新フラグ 2) or 取消 (3) as it comes: settled at once against its original, or, when
    the original has not come yet (the gateway does not order messages), kept and settled when it
    comes (`_process`); the answers to this message given at once."""
    original = _original(receipt)
    if original is None:
        return []
    return [answer for answer in _settle(receipt, original, now) if answer.message_id == receipt.message_id]


def _settle(receipt: SimulatorReceipt, original: SimulatorReceipt, now: datetime) -> list[Answer]:
    """Apply an update while its original is not taken — a 訂正 replaces the original's content, a
    取消 withdraws it (the original's own final answer says so) —, or refuse it once it is (the
    race: the update crossed the operator's "accepted"). The answers are published."""
    flag = update_flag_of(receipt.payload)
    name = UPDATE_NAMES[UpdateFlag(flag)]
    if _taken(original):
        detail = (
            f"受付番号 {receipt.reference} は一般送配電事業者が既に処理を開始しているため、"
            f"{name}を受け付けられません。元の申込みの内容で処理します。"
        )
        answer = _answer(
            receipt,
            Outcome.REJECTED,
            STEP_UPDATE_REFUSED[UpdateFlag(flag)],
            {},
            now,
            error_code=UPDATE_REFUSED,
            error_detail=detail,
            messages=[{"code": MESSAGE_UPDATE_REFUSED, "text": detail}],
        )
        _publish(answer)
        return [answer]
    if flag == UpdateFlag.CORRECTION:
        original.payload = {
            **receipt.payload,
            UPDATE_FLAG_KEY: UpdateFlag.NEW,
            "corrected_by": receipt.message_id,
        }
        original.save(update_fields=["payload"])
        text = f"{_name(receipt)}の訂正を受け付けました。訂正後の内容で処理します。"
        answers = [
            _answer(
                receipt,
                Outcome.COMPLETED,
                STEP_UPDATE_APPLIED[UpdateFlag.CORRECTION],
                {},
                now,
                messages=[{"code": MESSAGE_CORRECTED, "text": text}],
            )
        ]
    else:
        SimulatorJob.objects.filter(receipt=original).update(done_at=now)
        text = f"{_name(original)}の取消を受け付けました。この申込みの処理を終了します。"
        messages = [{"code": MESSAGE_CANCELLED, "text": text}]
        answers = [
            _answer(
                receipt,
                Outcome.COMPLETED,
                STEP_UPDATE_APPLIED[UpdateFlag.CANCELLATION],
                {},
                now,
                messages=messages,
            ),
            _answer(
                original,
                Outcome.REJECTED,
                STEP_WITHDRAWN,
                {},
                now,
                error_code=WITHDRAWN,
                error_detail=text,
                messages=messages,
            ),
        ]
    for answer in answers:
        _publish(answer)
    return answers


def _due_at(receipt: SimulatorReceipt, now: datetime) -> datetime:
    """When the final answer is given: after the answer delay, or on the day of the work."""
    after_delay = now + timedelta(seconds=int(settings.KOUIKI_TSO_SIMULATOR_DELAY_SECONDS))
    try:
        rules.point_of(receipt)
        work_day = rules.work_day(receipt)
    except rules.Rejection:
        return after_delay
    if work_day is None:
        return after_delay
    return max(after_delay, datetime.combine(work_day, time(0), tzinfo=JST))


def tick(area: str | None = None, now: datetime | None = None) -> int:
    """Take the receipts waiting to be taken and give the final answers that have come due (in up
    areas); returns how many answers were given."""
    now = now or timezone.now()
    areas = [a for a in ([area] if area else Area.values) if not is_down(a)]
    due = (
        SimulatorJob.objects.filter(done_at__isnull=True, due_at__lte=now, receipt__area__in=areas)
        .order_by("due_at", "id")
        .values_list("pk", flat=True)[:TICK_BATCH]
    )
    given = 0
    for pk in list(due):
        try:
            with transaction.atomic():
                if not SimulatorJob.objects.filter(pk=pk, done_at__isnull=True).update(done_at=now):
                    continue
                job = SimulatorJob.objects.select_related("receipt").get(pk=pk)
                if _taken(job.receipt):
                    _publish(_final(job.receipt, now))
                    given += 1
                else:
                    given += len(_take(job.receipt, now))
        except services.RegistryUnavailable:
            logger.warning("Simulator tick: no registry reader; due answers wait.")
            break
    return given


def answers_after(area: str, after: int, *, limit: int = 500) -> list[FeedItem]:
    """The area's answers after position `after`, in order, once the due work is done."""
    _check_up(area)
    tick(area)
    rows = SimulatorAnswer.objects.filter(area=area, seq__gt=after).order_by("seq")[
        : max(1, min(limit, 1000))
    ]
    return [FeedItem(seq=row.seq, answer=answer_from_json(row.body)) for row in rows]


def _publish(answer: Answer) -> None:
    """Append an answer to its area's feed: the feed row is locked until commit (gapless order)."""
    feed = SimulatorFeed.objects.select_for_update().filter(area=answer.area).first()
    if feed is None:  # the area's first answer
        SimulatorFeed.objects.get_or_create(area=answer.area)
        feed = SimulatorFeed.objects.select_for_update().get(area=answer.area)
    feed.last_seq += 1
    feed.save(update_fields=["last_seq"])
    SimulatorAnswer.objects.create(
        area=answer.area,
        seq=feed.last_seq,
        message_id=answer.message_id,
        outcome=answer.outcome,
        step=answer.step,
        body=answer_to_json(answer),
    )


def _answer(
    receipt: SimulatorReceipt,
    outcome: str,
    step: str,
    data: dict[str, Any],
    now: datetime,
    *,
    error_code: str = "",
    error_detail: str = "",
    step_code: str = "",
    messages: list[dict[str, str]] | None = None,
    notes: str = "",
    planned_change_date: date | None = None,
    change_date: date | None = None,
) -> Answer:
    return Answer(
        message_id=receipt.message_id,
        reference=receipt.reference,
        operation=receipt.operation,
        area=receipt.area,
        outcome=outcome,
        step=step,
        data=data,
        error_code=error_code,
        error_detail=error_detail,
        answered_at=now,
        update_flag=update_flag_of(receipt.payload),
        step_code=step_code,
        messages=messages or [],
        notes=notes,
        planned_change_date=planned_change_date,
        change_date=change_date,
    )


def _name(receipt: SimulatorReceipt) -> str:
    """What the message asks, as the operator names it: by its 申込種別 when it has one."""
    code = str(receipt.payload.get("application_type") or "")
    name = APPLICATION_TYPE_NAMES.get(code) or OPERATION_LABELS.get(receipt.operation, receipt.operation)
    return f"{name}（申込種別 {code}）" if code in APPLICATION_TYPE_NAMES else name


def _change_day(receipt: SimulatorReceipt, now: datetime) -> date | None:
    """The day of the change (異動日): the work day of a dated message, else today (Japan time);
    None for an inquiry, or when the message's date is not valid (its final answer says why)."""
    if receipt.operation not in CHANGES:
        return None
    try:
        return rules.work_day(receipt) or now.astimezone(JST).date()
    except rules.Rejection:
        return None


def _notes(receipt: SimulatorReceipt, day: date | None) -> str:
    """ご連絡事項: the work the operator does on site, on the day it plans it."""
    on = f"{day:%Y年%m月%d日}" if day else "異動日"
    payload = receipt.payload
    if receipt.operation == Operation.SWITCH_START and payload.get("meter_work"):
        return f"計器の取替工事を{on}に実施します（スマートメーターへの取替。立会いは不要です）。"
    if receipt.operation == Operation.ABOLISH and payload.get("removal"):
        return f"設備の撤去工事を{on}に実施します。撤去後の再点には改めて申込みが必要です。"
    if receipt.operation == Operation.AMPERE_CHANGE:
        return f"アンペアブレーカーの取替工事を{on}に実施します（屋外のため立会いは不要です）。"
    if receipt.operation == Operation.RECONNECT:
        return f"{on}に送電します。需要場所の主開閉器（ブレーカー）が切られていることをご確認ください。"
    return ""


def _accepted(receipt: SimulatorReceipt, now: datetime) -> Answer:
    """The operator took the message: 受付工程 01 (05 for a half of a matched switch), with the
    異動予定日 and what it will do on site."""
    planned = _change_day(receipt, now)
    step_code = StepCode.MATCHED if receipt.operation in SWITCH_OPERATIONS else StepCode.RECEIVED
    text = f"{_name(receipt)}の申込みを受け付けました。"
    if planned is not None:
        text += f"異動予定日は{planned:%Y年%m月%d日}です。"
    return _answer(
        receipt,
        Outcome.ACCEPTED,
        STEP_RECEIVED,
        {},
        now,
        step_code=step_code,
        messages=[{"code": MESSAGE_TAKEN, "text": text}],
        notes=_notes(receipt, planned),
        planned_change_date=planned,
    )


def _final(receipt: SimulatorReceipt, now: datetime) -> Answer:
    try:
        point = rules.point_of(receipt)
        rule = rules.RULES.get(receipt.operation)
        if rule is None:
            raise rules.Rejection(
                "operation_unknown", f"電文種別「{receipt.operation}」は取り扱っていません。"
            )
        data = rule(receipt, point, now)
    except rules.Rejection as rejection:
        return _answer(
            receipt,
            Outcome.REJECTED,
            STEP_REJECTED,
            {},
            now,
            error_code=rejection.code,
            error_detail=rejection.detail,
            step_code=StepCode.NG,
            messages=[{"code": REJECTION_MESSAGES.get(rejection.code, "E999"), "text": rejection.detail}],
        )
    if receipt.operation not in CHANGES:
        text = f"{_name(receipt)}の回答を返却しました。"
        return _answer(
            receipt,
            Outcome.COMPLETED,
            STEP_COMPLETED,
            data,
            now,
            step_code=StepCode.ANSWERED,
            messages=[{"code": MESSAGE_ANSWERED, "text": text}],
        )
    registry = data.get("registry") or {}
    day = date.fromisoformat(
        str(registry.get("effective_on") or data.get("switching_date") or now.astimezone(JST).date())
    )
    if receipt.operation in SWITCH_OPERATIONS:
        code, text = MESSAGE_SWITCHED, f"スイッチングが完了しました（スイッチング日 {day:%Y年%m月%d日}）。"
    else:
        code, text = MESSAGE_DONE, f"{_name(receipt)}が完了しました（異動日 {day:%Y年%m月%d日}）。"
    return _answer(
        receipt,
        Outcome.COMPLETED,
        STEP_COMPLETED,
        data,
        now,
        step_code=StepCode.COMPLETED,
        messages=[{"code": code, "text": text}],
        change_date=day,
    )
