"""The switching bulk functions end to end through the bulk screens (kouiki.bulk, issue 14): upload
a CP932 or UTF-8 (BOM) file, see every bad row, nothing filed before 確定, confirm, the background
job files the good rows, the result CSV gives each row's number."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from kouiki.bulk.models import BulkFile
from kouiki.core.csvio import read_csv
from kouiki.switching.models import Application, Kind, Switch
from tests.switching.bulk_helpers import csv_bytes
from tests.switching.conftest import Retailer, make_point
from tests.switching.test_bulk_cancel_forward import row
from tests.switching.test_bulk_functions import PDF
from tests.tasks import run_ready_tasks

pytestmark = pytest.mark.usefixtures("clock")


def _upload(client: Client, url_name: str, data: bytes, **shared: Any) -> BulkFile:
    posted = client.post(
        reverse(url_name), {"file": SimpleUploadedFile("一括.csv", data, "text/csv"), **shared}
    )
    assert posted.status_code == 302, posted.content.decode()[:2000]
    return BulkFile.objects.latest("pk")


def _confirm(client: Client, file: BulkFile, capture: Any) -> None:
    with capture(execute=True):
        assert client.post(reverse("sw:bulk_confirm", args=[file.pk])).status_code == 302
    run_ready_tasks()


# The worker closes the database connection: a real transaction, not the test's.
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("encoding", ["cp932", "utf-8-sig"])
def test_a_cancel_forward_file_through_the_screens(
    retailer_a: Retailer,
    retailer_b: Retailer,
    client: Client,
    django_capture_on_commit_callbacks: Any,
    encoding: str,
) -> None:
    good = [make_point(retailer_b.organization, serial) for serial in (1, 2)]
    rows = [row(good[0]), row("0300000000000000009999"), row(good[1], desired="2026/13/45"), row(good[1])]
    client.force_login(retailer_a.user)
    template = client.get(reverse("sw:bulk_w02_template"))
    assert template.status_code == 200
    assert read_csv(template.content).header[:3] == ("更新フラグ", "受付番号", "供給地点特定番号")

    file = _upload(client, "sw:bulk_w02", csv_bytes("SW-W02", rows, encoding=encoding))
    detail = client.get(reverse("sw:bulk_file", args=[file.pk]))
    assert "指定された供給地点特定番号の供給地点はありません。" in detail.text
    assert "4行目" in detail.text and "希望日" in detail.text
    assert not Switch.objects.exists()  # nothing before 確定

    _confirm(client, file, django_capture_on_commit_callbacks)
    progress = json.loads(client.get(reverse("sw:bulk_progress", args=[file.pk])).content)
    assert progress["finished"] is True
    result = client.get(reverse("sw:bulk_result_csv", args=[file.pk]))
    assert result.content.startswith(b"\xef\xbb\xbf") and b"\r\n" in result.content
    numbers = set(Switch.objects.values_list("number", flat=True))
    assert len(numbers) == 2 and all(number in result.content.decode("utf-8-sig") for number in numbers)


@pytest.mark.django_db(transaction=True)
def test_a_usage_password_file_with_its_consent_document_through_the_screens(
    retailer_a: Retailer, retailer_b: Retailer, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    points = [make_point(retailer_b.organization, serial) for serial in (1, 2)]
    client.force_login(retailer_a.user)
    data = csv_bytes("SW-W07", [["1", "", point, "3", "", ""] for point in points])
    file = _upload(
        client, "sw:bulk_w07", data, consent_file=SimpleUploadedFile("同意書.pdf", PDF, "application/pdf")
    )
    _confirm(client, file, django_capture_on_commit_callbacks)
    filed = Application.objects.filter(kind=Kind.USAGE_PASSWORD)
    assert filed.count() == 2 and all(
        application.documents.get().name == "同意書.pdf" for application in filed
    )
