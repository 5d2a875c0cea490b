"""Helpers of the join tests: what an applicant types, and applications brought to a state through
the services as users would."""

from __future__ import annotations

import re
from typing import Any

from django.utils import timezone

from kouiki.core.models import OutboxMessage
from kouiki.identity.models import User
from kouiki.membership.services import join
from kouiki.reviews.models import Application
from kouiki.terms.models import TermsDocument

# A valid 法人番号 (国税庁's own, seed-independent); seed 003's 1000000000003 has a wrong check digit.
CORPORATE_NUMBER = "7000012050002"
LINK_EMAIL = "kanyu@koiki-denryoku.example.jp"

COMPANY: dict[str, Any] = {
    "corporate_number": CORPORATE_NUMBER,
    "business_types": ["retail", "generation"],
    "name": "広域電力株式会社",
    "name_kana": "コウイキデンリョクカブシキガイシャ",
    "phone": "03-1234-5678",
    "representative_last_name": "広域",
    "representative_first_name": "一郎",
    "representative_last_name_kana": "コウイキ",
    "representative_first_name_kana": "イチロウ",
    "representative_title": "代表取締役",
    "postal_code": "1350061",
    "address1": "東京都江東区豊洲６－２－１５",
    "address2": "豊洲ビル",
    "address1_kana": "トウキョウト コウトウク トヨス6-2-15",
    "address2_kana": "トヨスビル",
    "capital_relationship": "",
    "parent_share_ratio": "",
}

ADMIN1: dict[str, str] = {
    "user_id": "abc001",
    "department_title": "総務部　課長",
    "last_name": "田中",
    "first_name": "一郎",
    "last_name_kana": "タナカ",
    "first_name_kana": "イチロウ",
    "email": "tanaka@koiki-denryoku.example.jp",
    "phone": "03-3333-1234",
    "other": "",
}

ADMIN2: dict[str, str] = {
    "user_id": "abc002",
    "department_title": "総務部　主任",
    "last_name": "山本",
    "first_name": "浩紀",
    "last_name_kana": "ヤマモト",
    "first_name_kana": "ヒロキ",
    "email": "yamamoto@koiki-denryoku.example.jp",
    "phone": "03-3333-5678",
    "other": "",
}


def payload(*, admin2: bool = False, **company: Any) -> dict[str, Any]:
    """A join payload as the screens build it (not yet cleaned)."""
    data: dict[str, Any] = {**COMPANY, **company}
    data.update({f"admin1_{name}": value for name, value in ADMIN1.items()})
    if admin2:
        data.update({f"admin2_{name}": value for name, value in ADMIN2.items()})
    return data


def admin_post(number: int, values: dict[str, str], **overrides: str) -> dict[str, str]:
    data = {**values, "email_confirm": values["email"], **overrides}
    return {f"admin{number}-{name}": value for name, value in data.items()}


def consent_post(documents: list[TermsDocument]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for document in documents:
        data[f"consent_{document.kind}"] = "on"
        data[f"consent_{document.kind}_version"] = str(document.pk)
    return data


def form_post(
    *,
    documents: list[TermsDocument] | None = None,
    admin2: bool = False,
    company: dict[str, Any] | None = None,
    admin1: dict[str, str] | None = None,
    code: str | None = None,
) -> dict[str, Any]:
    """The POST of the provisional or main application screen."""
    data: dict[str, Any] = {**COMPANY, **(company or {})}
    data.update(admin_post(1, ADMIN1, **(admin1 or {})))
    if admin2:
        data.update(admin_post(2, ADMIN2))
    data.update(consent_post(documents if documents is not None else join.join_documents()))
    if code is not None:
        data["organization_code"] = code
    return data


def file_provisional(*, admin2: bool = False, **company: Any) -> Application:
    """A provisional application filed through the service, with the three consents."""
    link = join.JoinLink(email=LINK_EMAIL, name="広域 太郎", issued_at=timezone.now())
    documents = join.join_documents()
    return join.file_provisional(
        link=link,
        payload=payload(admin2=admin2, **company),
        agreed_document_ids=[document.pk for document in documents],
    )


def submit_main(application: Application, *, code: str, **company: Any) -> Application:
    return join.submit_main(
        email=application.applicant_email,
        application=application,
        payload=payload(admin2=any(key.startswith("admin2_") for key in application.payload), **company),
        code=code,
    )


def mails(template: str) -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(template=template).order_by("id"))


def last_mail(template: str) -> OutboxMessage:
    found = mails(template)
    assert found, f"no mail {template}"
    return found[-1]


def link_token(message: OutboxMessage) -> str:
    match = re.search(r"/member/join/provisional/([^/\s]+)/", message.body)
    assert match, message.body
    return match[1]


def mailed_password(user_email: str) -> str:
    message = [m for m in mails("identity/mail/user_registered") if user_email in m.to][-1]
    match = re.search(r"パスワード: (\S+)", message.body)
    assert match, message.body
    return match[1]


def staff_session(client: Any, staff: User) -> Any:
    client.force_login(staff)
    session = client.session
    session["staff_verified"] = True
    session.save()
    return client
