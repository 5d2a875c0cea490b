"""The bulk-file mechanism (kouiki.bulk, ADR 0030) through its services and the switching site's
screens, with a small function registered as SW-W02 by the test (conftest.Handler)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from kouiki.audit.models import Event
from kouiki.bulk import services
from kouiki.bulk.models import BulkFile, BulkRow, FileState, RowState
from kouiki.core.csvio import read_csv
from kouiki.core.errors import NotFound, ValidationFailed
from kouiki.core.systems import System
from kouiki.identity.models import Enrollment
from tests.bulk.conftest import FUNCTION_ID, REFUSED_AT_APPLY, Handler
from tests.switching.conftest import Retailer
from tests.tasks import run_ready_tasks

HEADER = "供給地点特定番号,需要者名,更新フラグ"


def point(serial: int, prefix: str = "03") -> str:
    return f"{prefix}{serial:020d}"


def csv_bytes(lines: list[str], encoding: str = "cp932", header: str = HEADER) -> bytes:
    text = "\r\n".join([header, *lines]) + "\r\n"
    return text.encode("utf-8-sig" if encoding == "utf-8-sig" else encoding)


# Lines 2..8 of the file: good, unknown point, bad number, duplicate of line 2, no name, good, good.
MIXED = [
    f"{point(1)},広域 太郎,1",
    f"{point(2, '99')},髙橋 ①子,1",
    "123,山田 花子,1",
    f"{point(1)},広域 太郎,1",
    f"{point(3)},,1",
    f"{point(4)},髙橋 ①子,2",
    f"{point(5)},～波 次郎,9",
]


def upload(retailer: Retailer, data: bytes, name: str = "廃止取次.csv") -> BulkFile:
    return services.upload(actor=retailer.user, function_id=FUNCTION_ID, name=name, data=data)


def errors_by_line(file: BulkFile) -> dict[int, list[tuple[str, str]]]:
    return {
        row.line: [(error["column"], error["code"]) for error in row.errors]
        for row in BulkRow.objects.filter(file=file, state=RowState.INVALID)
    }


@pytest.mark.parametrize("encoding", ["cp932", "utf-8-sig"])
def test_a_file_is_checked_row_by_row_and_nothing_is_applied_before_confirmation(
    handler: Handler, retailer_a: Retailer, encoding: str
) -> None:
    file = upload(retailer_a, csv_bytes(MIXED, encoding))

    assert file.state == FileState.VALIDATED
    assert file.encoding == encoding
    assert (file.total_rows, file.good_rows, file.bad_rows) == (7, 2, 5)
    assert errors_by_line(file) == {
        3: [("供給地点特定番号", "unknown_point")],
        4: [("供給地点特定番号", "invalid")],
        5: [("供給地点特定番号", "duplicate")],
        6: [("需要者名", "required")],
        8: [("更新フラグ", "invalid")],
    }
    good = BulkRow.objects.filter(file=file, state=RowState.PENDING).order_by("line")
    assert [(row.line, row.summary["需要者名"]) for row in good] == [(2, "広域 太郎"), (7, "髙橋 ①子")]
    # The function's rules ran on the rows that passed the columns' checks, in batches; nothing filed.
    assert handler.validated == [2, 3, 5, 7]
    assert handler.applied == []
    assert Event.objects.filter(action="bulk.upload", object_id=str(file.pk)).count() == 1


def test_a_cell_cp932_cannot_hold_is_an_error_of_its_row_and_column(
    handler: Handler, retailer_a: Retailer
) -> None:
    file = upload(
        retailer_a,
        csv_bytes([f"{point(1)},広域 🔥,1", f"{point(2)},𠀋 太郎,1", f"{point(3)},髙橋,1"], "utf-8-sig"),
    )

    assert (file.good_rows, file.bad_rows) == (1, 2)
    assert errors_by_line(file) == {2: [("需要者名", "cp932")], 3: [("需要者名", "cp932")]}


def test_a_file_whose_header_is_wrong_is_invalid_and_cannot_be_confirmed(
    handler: Handler, retailer_a: Retailer
) -> None:
    file = upload(retailer_a, csv_bytes([f"{point(1)},広域 太郎"], header="供給地点特定番号,氏名"))

    assert file.state == FileState.INVALID
    messages = [error["message"] for error in file.file_errors]
    assert any("想定していない列「氏名」" in message for message in messages)
    assert any("「需要者名」" in message and "「更新フラグ」" in message for message in messages)
    with pytest.raises(Exception, match="確定できません"):
        services.confirm(actor=retailer_a.user, file=file)


# The worker closes the database connection: a real transaction, not the test's.
@pytest.mark.django_db(transaction=True)
def test_confirming_applies_the_good_rows_only_and_the_result_csv_opens_in_excel(
    handler: Handler, retailer_a: Retailer, django_capture_on_commit_callbacks: Any
) -> None:
    file = upload(
        retailer_a,
        csv_bytes([*MIXED, f"{point(6)},広域 六郎,1".replace(point(6), point(6)[:-4] + REFUSED_AT_APPLY)]),
    )
    assert file.good_rows == 3

    with django_capture_on_commit_callbacks(execute=True):
        services.confirm(actor=retailer_a.user, file=file)
    with pytest.raises(Exception, match="確定できません"):
        services.confirm(actor=retailer_a.user, file=file)  # a second click files nothing more
    run_ready_tasks()

    file.refresh_from_db()
    assert file.state == FileState.DONE
    assert (file.done_rows, file.failed_rows) == (2, 1)
    assert handler.applied == [2, 7, 9]
    data = services.result_csv(file)
    assert data.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in data and data.count(b"\n") == data.count(b"\r\n")
    result = read_csv(data)
    by_line = {row.data["行"]: row.data for row in result.rows}
    assert by_line["2"]["結果"] == "登録済" and by_line["2"]["番号"] == "T000000002"
    assert by_line["3"]["結果"] == "エラー" and "供給地点が見つかりません" in by_line["3"]["エラー内容"]
    assert by_line["9"]["結果"] == "登録不可" and "状態が変わった" in by_line["9"]["エラー内容"]
    assert len(result.rows) == 8
    actions = Event.objects.filter(object_id=str(file.pk), action__startswith="bulk.").values_list(
        "action", flat=True
    )
    assert sorted(actions) == ["bulk.complete", "bulk.confirm", "bulk.upload"]


# The worker closes the database connection: a real transaction, not the test's.
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_file_is_resumed_by_the_sweep_without_filing_a_row_twice(
    small_batches: Handler, retailer_a: Retailer, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    handler = small_batches
    file = upload(retailer_a, csv_bytes([f"{point(n)},需要者 {n},1" for n in range(1, 8)]))
    services.confirm(actor=retailer_a.user, file=file)  # its task is never run: the worker "dies"

    # A worker takes the file, applies one batch and is killed: its lease stays on the file.
    assert services.run(file.pk, max_batches=1) == "stopped"
    assert handler.applied == [2, 3]
    # While the lease holds, no other worker takes the file.
    assert services.run(file.pk).startswith("not claimed")
    assert services.sweep() == {"reclaimed": 0, "requeued": 0, "given_up": 0}

    later = BulkFile.objects.get(pk=file.pk).claimed_until + timedelta(seconds=1)
    with time_machine.travel(later, tick=False), django_capture_on_commit_callbacks(execute=True):
        assert services.sweep()["reclaimed"] == 1
    run_ready_tasks()

    file.refresh_from_db()
    assert file.state == FileState.DONE
    assert handler.applied == [2, 3, 4, 5, 6, 7, 8]
    assert file.done_rows == 7
    assert sorted(BulkRow.objects.filter(file=file).values_list("number", flat=True)) == [
        f"T{line:09d}" for line in range(2, 9)
    ]


# The worker closes the database connection: a real transaction, not the test's.
@pytest.mark.django_db(transaction=True)
def test_a_large_file_is_validated_in_the_background_with_its_progress(
    small_batches: Handler, retailer_a: Retailer, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.KOUIKI_BULK_SYNC_ROWS = 3
    with django_capture_on_commit_callbacks(execute=True):
        file = upload(retailer_a, csv_bytes([f"{point(n)},需要者 {n},1" for n in range(1, 6)]))
    assert file.state == FileState.VALIDATING
    assert services.progress(file).as_dict() | {"percent": 0} == {
        "state": "validating",
        "state_label": "検証中",
        "phase": "validating",
        "total": 5,
        "done": 0,
        "of": 5,
        "percent": 0,
        "finished": False,
    }
    run_ready_tasks()
    file.refresh_from_db()
    assert file.state == FileState.VALIDATED
    assert (file.validated_rows, file.good_rows) == (5, 5)
    assert file.data == b""  # the rows hold what counts; the upload's bytes are not kept


def test_a_file_too_large_or_with_too_many_rows_is_refused_before_anything_is_stored(
    handler: Handler, retailer_a: Retailer, settings: Any
) -> None:
    from kouiki.bulk import registry
    from tests.bulk.conftest import make_function

    settings.KOUIKI_BULK_MAX_BYTES = 1024 * 1024
    with pytest.raises(ValidationFailed, match="ファイルが大きすぎます（1MBまで）"):
        upload(retailer_a, b"x" * (1024 * 1024 + 1))
    registry.register(make_function(handler, max_rows=3))
    with pytest.raises(ValidationFailed, match="行数が多すぎます（4行）。1ファイル3行まで"):
        upload(retailer_a, csv_bytes([f"{point(n)},需要者,1" for n in range(1, 5)]))
    with pytest.raises(ValidationFailed, match="データ行がありません"):
        upload(retailer_a, csv_bytes([]))
    assert not BulkFile.objects.exists()


def test_another_organizations_file_is_not_found(
    handler: Handler, retailer_a: Retailer, retailer_b: Retailer, client: Client
) -> None:
    file = upload(retailer_a, csv_bytes(MIXED))
    with pytest.raises(NotFound):
        services.file_of(retailer_b.user, file.pk)
    client.force_login(retailer_b.user)
    for name in ("sw:bulk_file", "sw:bulk_progress", "sw:bulk_errors_csv", "sw:bulk_result_csv"):
        assert client.get(reverse(name, args=[file.pk])).status_code == 404
    assert client.post(reverse("sw:bulk_confirm", args=[file.pk])).status_code == 404
    assert list(services.files_of(retailer_b.user, [FUNCTION_ID])) == []


def test_a_user_whose_administrator_withheld_the_function_sees_neither_screen_nor_files(
    handler: Handler, retailer_a: Retailer, client: Client
) -> None:
    file = upload(retailer_a, csv_bytes(MIXED))
    Enrollment.objects.filter(user=retailer_a.user, system=System.SWITCHING).update(functions=["SW-L14"])
    client.force_login(retailer_a.user)
    assert client.get(reverse("sw:bulk_w02")).status_code == 403
    assert client.get(reverse("sw:bulk_file", args=[file.pk])).status_code == 404
    assert list(services.files_of(retailer_a.user, [FUNCTION_ID])) == []


# The worker closes the database connection: a real transaction, not the test's.
@pytest.mark.django_db(transaction=True)
def test_the_screens_upload_confirm_and_download(
    handler: Handler, retailer_a: Retailer, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    client.force_login(retailer_a.user)
    screen = client.get(reverse("sw:bulk_w02"))
    assert screen.status_code == 200
    assert "テンプレートをダウンロード" in screen.text

    template = client.get(reverse("sw:bulk_w02_template"))
    assert template.content.startswith(b"\xef\xbb\xbf" + HEADER.encode() + b"\r\n")
    assert "0300111000000000000001" in template.content.decode("utf-8-sig")

    from django.core.files.uploadedfile import SimpleUploadedFile

    posted = client.post(
        reverse("sw:bulk_w02"), {"file": SimpleUploadedFile("廃止取次.csv", csv_bytes(MIXED), "text/csv")}
    )
    file = BulkFile.objects.get()
    assert posted.status_code == 302 and posted["Location"] == reverse("sw:bulk_file", args=[file.pk])
    detail = client.get(posted["Location"])
    assert "3行目" in detail.text and "供給地点が見つかりません。" in detail.text
    assert "登録を確定（2件）" in detail.text
    assert handler.applied == []

    errors = client.get(reverse("sw:bulk_errors_csv", args=[file.pk]))
    assert errors.content.startswith(b"\xef\xbb\xbf")
    assert len(read_csv(errors.content).rows) == 5

    progress = json.loads(client.get(reverse("sw:bulk_progress", args=[file.pk])).content)
    assert progress["finished"] is True and progress["state"] == "validated"

    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("sw:bulk_confirm", args=[file.pk])).status_code == 302
    run_ready_tasks()
    done = client.get(reverse("sw:bulk_file", args=[file.pk]))
    assert "結果（CSV）" in done.text and "T000000002" in done.text
    listing = client.get(reverse("sw:bulk"))
    assert "廃止取次.csv" in listing.text and "完了" in listing.text


def test_too_large_a_file_is_refused_on_the_form_in_japanese(
    handler: Handler, retailer_a: Retailer, client: Client, settings: Any
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.KOUIKI_BULK_MAX_BYTES = 1024 * 1024
    client.force_login(retailer_a.user)
    response = client.post(
        reverse("sw:bulk_w02"), {"file": SimpleUploadedFile("a.csv", b"x" * (1024 * 1024 + 10), "text/csv")}
    )
    assert response.status_code == 422
    assert "ファイルが大きすぎます（1MBまで）。" in response.text


def test_cancelling_a_file_files_nothing(handler: Handler, retailer_a: Retailer) -> None:
    file = upload(retailer_a, csv_bytes(MIXED))
    services.cancel(actor=retailer_a.user, file=file)
    file.refresh_from_db()
    assert file.state == FileState.CANCELLED
    with pytest.raises(Exception, match="確定できません"):
        services.confirm(actor=retailer_a.user, file=file)
    assert handler.applied == []
    assert not BulkRow.objects.filter(file=file, state=RowState.PENDING).exists()


def test_the_upload_forms_shared_fields_reach_validate_and_apply(
    handler: Handler, retailer_a: Retailer, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    import base64

    from django.core.files.uploadedfile import SimpleUploadedFile

    from kouiki.bulk import registry
    from kouiki.core.csvio import Column
    from tests.bulk.conftest import make_function

    seen: list[dict[str, Any]] = []
    validate, apply = handler.validate, handler.apply

    def validate_seeing(user: Any, rows: Any) -> Any:
        seen.append(registry.current_context().shared)
        return validate(user, rows)

    def apply_seeing(user: Any, pairs: Any) -> Any:
        seen.append(registry.current_context().shared)
        return apply(user, pairs)

    shared = (Column("consent_file", "同意書", required=True), Column("note", "備考", max_length=5))
    function = make_function(handler, shared_fields=shared)
    registry.register(
        registry.BulkFunction(**{**function.__dict__, "validate": validate_seeing, "apply": apply_seeing})
    )
    client.force_login(retailer_a.user)
    data = csv_bytes([f"{point(1)},広域 太郎,1"])

    refused = client.post(
        reverse("sw:bulk_w02"), {"file": SimpleUploadedFile("a.csv", data), "note": "長すぎる備考です"}
    )
    assert refused.status_code == 422
    assert "ファイルを指定してください。" in refused.text
    assert "5文字以内で入力してください（現在 8 文字）。" in refused.text
    assert not BulkFile.objects.exists()

    pdf = b"%PDF-1.4 consent"
    posted = client.post(
        reverse("sw:bulk_w02"),
        {
            "file": SimpleUploadedFile("a.csv", data),
            "consent_file": SimpleUploadedFile("同意書.pdf", pdf, "application/pdf"),
            "note": "一括",
        },
    )
    assert posted.status_code == 302
    file = BulkFile.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        services.confirm(actor=retailer_a.user, file=file)
    services.run(file.pk)
    expected = {
        "consent_file": {
            "name": "同意書.pdf",
            "content_type": "application/pdf",
            "data_b64": base64.b64encode(pdf).decode(),
        },
        "note": "一括",
    }
    assert seen == [expected, expected]


# The worker closes the database connection: a real transaction, not the test's.
@pytest.mark.django_db(transaction=True)
def test_a_validation_killed_mid_file_starts_again_and_counts_each_row_once(
    small_batches: Handler, retailer_a: Retailer, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.KOUIKI_BULK_SYNC_ROWS = 1
    file = upload(retailer_a, csv_bytes(MIXED))  # a worker takes it before its task runs, and dies
    assert services.run(file.pk, max_batches=1) == "stopped"
    assert BulkRow.objects.filter(file=file).count() == 2

    later = BulkFile.objects.get(pk=file.pk).claimed_until + timedelta(seconds=1)
    with time_machine.travel(later, tick=False), django_capture_on_commit_callbacks(execute=True):
        assert services.sweep()["reclaimed"] == 1
    run_ready_tasks()

    file.refresh_from_db()
    assert file.state == FileState.VALIDATED
    assert (file.validated_rows, file.good_rows, file.bad_rows) == (7, 2, 5)
    assert BulkRow.objects.filter(file=file).count() == 7
    assert errors_by_line(file)[5] == [("供給地点特定番号", "duplicate")]


def test_a_file_interrupted_too_often_is_given_up_with_its_pending_rows_failed(
    small_batches: Handler, retailer_a: Retailer, settings: Any
) -> None:
    settings.KOUIKI_BULK_MAX_ATTEMPTS = 1
    file = upload(retailer_a, csv_bytes([f"{point(n)},需要者 {n},1" for n in range(1, 6)]))
    services.confirm(actor=retailer_a.user, file=file)
    services.run(file.pk, max_batches=1)

    later = BulkFile.objects.get(pk=file.pk).claimed_until + timedelta(seconds=1)
    with time_machine.travel(later, tick=False):
        assert services.sweep()["given_up"] == 1
    file.refresh_from_db()
    assert file.state == FileState.DONE
    assert (file.done_rows, file.failed_rows) == (2, 3)
    assert set(BulkRow.objects.filter(file=file, state=RowState.FAILED).values_list("error", flat=True)) == {
        services.GIVEN_UP_ERROR
    }
    complete = Event.objects.get(action="bulk.complete", object_id=str(file.pk))
    assert complete.detail["given_up"] is True


def test_a_file_uploaded_twice_is_pointed_out(handler: Handler, retailer_a: Retailer, client: Client) -> None:
    first = upload(retailer_a, csv_bytes(MIXED))
    second = upload(retailer_a, csv_bytes(MIXED))
    assert services.same_content(second) == first
    client.force_login(retailer_a.user)
    assert "同じ内容のファイルを" in client.get(reverse("sw:bulk_file", args=[second.pk])).text
    services.cancel(actor=retailer_a.user, file=first)
    assert services.same_content(second) is None


def test_a_file_larger_than_the_request_limit_is_read_and_refused_for_its_rows(
    handler: Handler, retailer_a: Retailer, client: Client, settings: Any
) -> None:
    """Django's DATA_UPLOAD_MAX_MEMORY_SIZE (8 MB) does not count an uploaded file: a 9 MB file is
    read, and refused for its rows beyond the function's max_rows (100,000)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    line = f"{point(1)},広域 太郎,1"
    data = csv_bytes([line] * 250_000)
    assert len(data) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    client.force_login(retailer_a.user)
    response = client.post(reverse("sw:bulk_w02"), {"file": SimpleUploadedFile("big.csv", data, "text/csv")})
    assert response.status_code == 422
    assert "行数が多すぎます（250,000行）。1ファイル100,000行までです。" in response.text
