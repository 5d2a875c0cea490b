"""容量市場口座情報等 (MEM-F2, seed 003 1.4): the refund account that retailers and registered
specified T&D operators register; validation next to each field, half-width kana, history."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from kouiki.audit.models import Event
from kouiki.core.errors import Forbidden, ValidationFailed
from kouiki.core.outbox import OutboxMessage
from kouiki.fees import selectors
from kouiki.fees.forms import BankAccountForm
from kouiki.fees.models import RefundAccount
from kouiki.fees.services import accounts
from kouiki.fees.services.validators import normalize_holder_name, validate_holder_name
from kouiki.identity.models import Organization, User
from kouiki.membership.models import MemberProfile

PAGE = "/member/fees/capacity/account/"
EDIT = "/member/fees/capacity/account/edit/"

INPUT: dict[str, str] = {
    "bank_name": "広域銀行",
    "bank_code": "０９９９",
    "branch_name": "豊洲支店",
    "branch_code": "123",
    "account_type": "ordinary",
    "account_number": "7654321",
    "holder_name": "カ）コウイキデンリョク",
}


def html(response: Any) -> str:
    return str(response.content.decode())


def field_error(response: Any, field: str) -> str:
    """The error text shown next to one field (includes/field.html)."""
    match = re.search(rf'<p class="field__error" id="id_{field}_error">(.*?)</p>', html(response), re.S)
    return match[1] if match else ""


def register(actor: User, **changes: str) -> RefundAccount:
    form = BankAccountForm(data={**INPUT, **changes})
    assert form.is_valid(), form.errors
    return accounts.save_refund_account(actor=actor, values=form.values())


def test_the_form_normalizes_digits_and_the_holder_name_to_half_width_kana() -> None:
    form = BankAccountForm(
        data={**INPUT, "bank_name": " 広域銀行 ", "holder_name": "こういき　でんりょく（かぶ"}
    )
    assert form.is_valid(), form.errors
    assert form.values() == {
        "bank_name": "広域銀行",
        "bank_code": "0999",
        "branch_name": "豊洲支店",
        "branch_code": "123",
        "account_type": "ordinary",
        "account_number": "7654321",
        "holder_name": "ｺｳｲｷ ﾃﾞﾝﾘﾖｸ(ｶﾌﾞ",
    }


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("カ）コウイキデンリョク", "ｶ)ｺｳｲｷﾃﾞﾝﾘﾖｸ"),
        ("ｶ)ｺｳｲｷﾃﾞﾝﾘｮｸ", "ｶ)ｺｳｲｷﾃﾞﾝﾘﾖｸ"),  # small kana are written large
        ("シャープ　ジャパン", "ｼﾔ-ﾌﾟ ｼﾞﾔﾊﾟﾝ"),  # long vowel mark as "-"
        ("ｴｲﾁﾃｨｰ.ｴｽ", "ｴｲﾁﾃｲ-.ｴｽ"),
        ("ｋｏｕｉｋｉ　ｐｏｗｅｒ", "KOUIKI POWER"),
        ("ヴィーナス・デンキ", "ｳﾞｲ-ﾅｽ.ﾃﾞﾝｷ"),
        ("  ｺｳｲｷ   ﾃﾞﾝﾘﾖｸ ", "ｺｳｲｷ ﾃﾞﾝﾘﾖｸ"),
    ],
)
def test_holder_names_are_stored_as_banks_take_them(raw: str, stored: str) -> None:
    assert normalize_holder_name(raw) == stored
    validate_holder_name(raw)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("bank_name", "", "金融機関名を入力してください。"),
        ("bank_name", "あ" * 31, "金融機関名は30文字以内で入力してください。"),
        ("bank_code", "", "金融機関コードを入力してください。"),
        ("bank_code", "123", "金融機関コードは4桁の半角数字で入力してください。"),
        ("bank_code", "12a4", "金融機関コードは4桁の半角数字で入力してください。"),
        ("branch_name", "", "支店名を入力してください。"),
        ("branch_code", "1234", "支店コードは3桁の半角数字で入力してください。"),
        ("account_type", "savings", "預金種目は普通または当座を選択してください。"),
        ("account_type", "", "預金種目を選択してください。"),
        ("account_number", "123456", "口座番号は7桁の半角数字で入力してください。"),
        ("account_number", "12345678", "口座番号は7桁の半角数字で入力してください。"),
        ("account_number", "123-4567", "口座番号は7桁の半角数字で入力してください。"),
        ("holder_name", "", "口座名義を入力してください。"),
        ("holder_name", "広域電力株式会社", "使用できない文字: 「広」、「域」、「電」、「力」、「株」 など"),
        ("holder_name", "ｺｳｲｷ,ﾃﾞﾝﾘﾖｸ", "使用できない文字: 「,」"),
        ("holder_name", "ｱ" * 31, "口座名義は半角30文字以内で入力してください（現在 31 文字）。"),
    ],
)
def test_each_field_says_what_is_wrong_next_to_it(
    client: Client, admin: User, field: str, value: str, message: str
) -> None:
    client.force_login(admin)
    response = client.post(EDIT, {**INPUT, field: value})
    assert response.status_code == 200
    assert message in field_error(response, field), field_error(response, field)
    assert "入力内容に誤りがあります" in html(response)
    assert not RefundAccount.objects.exists()


def test_an_administrator_registers_and_changes_the_account_with_history_audit_and_mail(
    client: Client, admin: User, profile: MemberProfile, capacity_user: User
) -> None:
    client.force_login(admin)
    page = html(client.get(PAGE))
    assert "口座が登録されていません" in page and "口座情報を登録する" in page

    response = client.post(EDIT, INPUT)
    assert response["Location"] == PAGE
    account = RefundAccount.objects.get(organization=profile.organization)
    assert (account.bank_code, account.holder_name, account.updated_by) == ("0999", "ｶ)ｺｳｲｷﾃﾞﾝﾘﾖｸ", admin)
    (mail,) = OutboxMessage.objects.all()
    assert mail.template == "fees/mail/refund_account_changed"
    assert sorted(mail.to) == ["tanaka@koiki-denryoku.example.jp", "yamamoto@koiki-denryoku.example.jp"]
    assert "7654321" not in mail.body and "登録" in mail.subject

    client.post(
        EDIT, {**INPUT, "branch_name": "本店", "branch_code": "001", "account_number": "１２３４５６７"}
    )
    client.post(
        EDIT, {**INPUT, "branch_name": "本店", "branch_code": "001", "account_number": "1234567"}
    )  # no change
    account.refresh_from_db()
    assert (account.branch_code, account.account_number) == ("001", "1234567")
    events = list(Event.objects.filter(action__startswith="fees.refund_account").order_by("id"))
    assert [event.action for event in events] == [
        "fees.refund_account_register",
        "fees.refund_account_change",
    ]
    assert events[1].detail == {"fields": ["branch_name", "branch_code", "account_number"]}
    changed = OutboxMessage.objects.order_by("-id").first()
    assert (
        changed is not None and "支店名、支店コード、口座番号" in changed.body and "変更" in changed.subject
    )
    assert OutboxMessage.objects.count() == 2

    client.force_login(capacity_user)  # the history is for the duty's users too
    response = client.get(PAGE)
    versions = response.context["versions"]
    assert [version.number for version in versions] == [2, 1]
    assert versions[0].changes == [
        ("支店名", "豊洲支店", "本店"),
        ("支店コード", "123", "001"),
        ("口座番号", "7654321", "1234567"),
    ]
    assert versions[0].by == admin.display_name
    page = html(response)
    assert "支店名: 豊洲支店 → 本店" in page and "ｶ)ｺｳｲｷﾃﾞﾝﾘﾖｸ" in page
    assert "口座情報を変更する" not in page


def test_only_administrators_change_the_account(client: Client, capacity_user: User, admin: User) -> None:
    client.force_login(capacity_user)
    assert client.get(EDIT).status_code == 403
    assert client.post(EDIT, INPUT).status_code == 403
    with pytest.raises(Forbidden):
        register(capacity_user)
    assert not RefundAccount.objects.exists()
    assert not Event.objects.filter(action__startswith="fees.refund_account").exists()


def test_members_that_need_no_refund_account_see_a_note(
    client: Client, admin: User, profile: MemberProfile
) -> None:
    Organization.objects.filter(pk=profile.organization_id).update(business_types=["generation"])
    admin.organization.refresh_from_db()  # type: ignore[union-attr]
    client.force_login(admin)
    page = html(client.get(PAGE))
    assert "登録は不要です" in page and "口座情報を登録する" not in page
    assert client.get(EDIT)["Location"] == PAGE
    with pytest.raises(ValidationFailed):
        register(admin)
    assert "登録は不要です" in html(client.get("/member/fees/capacity/"))


@pytest.mark.parametrize("business_types", [["retail"], ["specified_td"], ["general_td", "retail"]])
def test_retailers_and_specified_td_operators_must_register(business_types: list[str]) -> None:
    assert selectors.refund_account_required(business_types)


@pytest.mark.parametrize("business_types", [["generation"], ["general_td"], ["new_specified_td"], []])
def test_others_need_not(business_types: list[str]) -> None:
    assert not selectors.refund_account_required(business_types)


def test_another_members_account_is_never_shown(
    client: Client, admin: User, other_fees_user: User, other_profile: MemberProfile
) -> None:
    register(admin)
    client.force_login(other_fees_user)
    response = client.get(PAGE)
    assert response.context["account"] is None and response.context["versions"] == []
    assert "ｶ)ｺｳｲｷﾃﾞﾝﾘﾖｸ" not in html(response)


@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40))
def test_normalizing_a_holder_name_is_idempotent_and_valid_names_hold_only_zengin_characters(
    text: str,
) -> None:
    name = normalize_holder_name(text)
    assert normalize_holder_name(name) == name
    try:
        validate_holder_name(text)
    except Exception:
        return
    assert re.fullmatch(r"[ｦｱ-ﾝﾞﾟA-Z0-9 ().\-/]{1,30}", name)


def test_the_administrator_who_saved_the_account_can_be_replaced(
    client: Client, admin: User, profile: MemberProfile
) -> None:
    from tests.membership.factories import ADMIN2_INPUT, change_form_data

    second = profile.administrator2
    assert second is not None
    register(second)
    client.force_login(admin)
    newcomer = {**ADMIN2_INPUT, "user_id": "sato01", "email": "sato@koiki-denryoku.example.jp"}

    response = client.post("/member/changes/new/", change_form_data(admin2=newcomer))

    assert response.status_code == 302
    assert not User.objects.filter(pk=second.pk).exists()
    account = RefundAccount.objects.get(organization=profile.organization)
    assert account.updated_by is None
    assert account.history.get().updated_by_id == second.pk  # the history still says who saved it
