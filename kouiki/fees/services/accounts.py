"""Bank accounts: the organization's payee account for fees, and a member's capacity-market refund
account (容量市場口座情報等, seed 003 1.4), which only its administrators change."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from kouiki.audit.choices import Action
from kouiki.audit.services import record
from kouiki.core.csvio import write_csv
from kouiki.core.errors import Conflict, Forbidden, ValidationFailed
from kouiki.core.outbox import queue_mail
from kouiki.core.systems import Role, System
from kouiki.fees import selectors
from kouiki.fees.models import PayeeAccount, RefundAccount
from kouiki.identity.access import function, organization_of, require_staff
from kouiki.identity.selectors import users_for

if TYPE_CHECKING:
    from kouiki.identity.models import User

ACCOUNT_FIELDS = tuple(selectors.ACCOUNT_LABELS)


def _values(values: dict[str, str]) -> dict[str, str]:
    missing = [field for field in ACCOUNT_FIELDS if field not in values]
    if missing:
        raise ValueError(f"missing account fields: {', '.join(missing)}")
    return {field: values[field] for field in ACCOUNT_FIELDS}


def register_payee_account(*, actor: User, values: dict[str, str]) -> PayeeAccount:
    """Staff register the account members pay fees into; invoices issued from now on state it.

    `values` are the cleaned fields of the account form (kouiki.fees.forms.BankAccountForm).
    """
    require_staff(actor)
    with transaction.atomic():
        account = PayeeAccount.objects.create(
            registered_by=actor, registered_at=timezone.now(), **_values(values)
        )
        record(actor=actor, action=Action.FEES_PAYEE_ACCOUNT_REGISTER, obj=account, system=System.MEMBER)
    return account


@function(selectors.CAPACITY)
def save_refund_account(*, actor: User, values: dict[str, str]) -> RefundAccount:
    """Register or change the actor's organization's refund account (administrators only).

    Each saved version stays in the account's history, which the member sees; the change is
    audited and the organization's administrators get a mail naming what changed (never the
    account itself).
    """
    organization_id = organization_of(actor)
    if not selectors.is_member_admin(actor):
        raise Forbidden("容量市場口座情報等の登録・変更は管理者のみ行えます。")
    if not selectors.refund_account_required_for(actor=actor):
        raise ValidationFailed("容量市場口座情報等の登録は、小売電気事業者と登録特定送配電事業者が対象です。")
    new_values = _values(values)
    try:
        with transaction.atomic():
            account = (
                RefundAccount.objects.select_for_update().filter(organization_id=organization_id).first()
            )
            created = account is None
            if account is None:
                account = RefundAccount(organization_id=organization_id)
                changed = list(ACCOUNT_FIELDS)
            else:
                changed = [field for field in ACCOUNT_FIELDS if getattr(account, field) != new_values[field]]
                if not changed:
                    return account
            for field, value in new_values.items():
                setattr(account, field, value)
            account.updated_at = timezone.now()
            account.updated_by = actor
            account._history_user = actor  # type: ignore[attr-defined]
            account.save()
            labels = [selectors.ACCOUNT_LABELS[field] for field in changed]
            record(
                actor=actor,
                action=Action.FEES_REFUND_ACCOUNT_REGISTER if created else Action.FEES_REFUND_ACCOUNT_CHANGE,
                obj=account,
                system=System.MEMBER,
                detail={"fields": changed},
            )
            _mail_administrators(actor, created=created, labels=labels)
    except IntegrityError:
        raise Conflict("他の管理者が同時に口座情報を登録しました。画面を開き直してください。") from None
    return account


def _mail_administrators(actor: User, *, created: bool, labels: list[str]) -> None:
    administrators = users_for(actor=actor, role=Role.ADMIN)
    recipients = [user.email for user in administrators if user.is_active and user.email]
    if not recipients:
        return
    organization = actor.organization
    assert organization is not None
    queue_mail(
        to=recipients,
        template="fees/mail/refund_account_changed",
        context={
            "organization_name": organization.name,
            "organization_code": organization.code,
            "created": created,
            "labels": labels,
            "actor_name": actor.display_name or actor.login_id,
            "at": timezone.localtime(),
            "url": settings.SITE_URL + reverse("fees:refund_account"),
        },
    )


def export_refund_accounts(*, actor: User, query: str = "") -> bytes:
    """Back office: the refund accounts (all, or those `query` finds) as CSV. Every member's bank
    details in one file: taking it is audited, with the search and the number of accounts."""
    accounts = list(selectors.refund_accounts(actor=actor, query=query))
    rows = [
        [
            account.organization.code,
            account.organization.name,
            account.bank_name,
            account.bank_code,
            account.branch_name,
            account.branch_code,
            account.get_account_type_display(),
            account.account_number,
            account.holder_name,
            timezone.localtime(account.updated_at).strftime("%Y/%m/%d %H:%M"),
        ]
        for account in accounts
    ]
    header = ["事業者コード", "会社名", *selectors.ACCOUNT_LABELS.values(), "更新日時"]
    data = write_csv(rows, header)
    record(
        actor=actor,
        action=Action.FEES_REFUND_ACCOUNTS_EXPORT,
        system=System.MEMBER,
        detail={"query": query, "accounts": len(accounts)},
    )
    return data
