"""Reads of fees data, scoped to the actor.

A member's user sees its own organization's invoices (MEM-F1, 担当業務 会費) and capacity-market
documents and refund account (MEM-F2, 担当業務 容量市場); administrators see everything of their
organization. Another organization's object is NotFound, never Forbidden. The organization's
staff see every member's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from kouiki.core.errors import NotFound
from kouiki.core.systems import System
from kouiki.fees.models import (
    CapacityDocument,
    CapacityDocumentRead,
    Invoice,
    InvoiceBatch,
    InvoiceState,
    PayeeAccount,
    RefundAccount,
)
from kouiki.identity.access import (
    function,
    is_administrator,
    is_staff,
    organization_of,
    require_staff,
)
from kouiki.identity.choices import BusinessType

if TYPE_CHECKING:
    from kouiki.identity.models import User

INVOICES = "MEM-F1"  # 請求書の確認
CAPACITY = "MEM-F2"  # 容量市場請求書等情報管理

# seed 003 1.4: 小売電気事業者と登録特定送配電事業者は、還元額を返還する銀行口座を登録する。
REFUND_ACCOUNT_BUSINESS_TYPES = frozenset({BusinessType.RETAIL.value, BusinessType.SPECIFIED_TD.value})

# The labels of a bank account's fields, in screen order.
ACCOUNT_LABELS: dict[str, str] = {
    "bank_name": "金融機関名",
    "bank_code": "金融機関コード",
    "branch_name": "支店名",
    "branch_code": "支店コード",
    "account_type": "預金種目",
    "account_number": "口座番号",
    "holder_name": "口座名義（半角カナ）",
}


def is_member_admin(actor: Any) -> bool:
    return is_administrator(actor, System.MEMBER)


# --- invoices (MEM-F1) -------------------------------------------------------------------------


def _state_filter(state: str, today: date) -> Q:
    if state == InvoiceState.PAID:
        return Q(paid_on__isnull=False)
    if state == InvoiceState.OVERDUE:
        return Q(paid_on__isnull=True, due_date__lt=today)
    if state == InvoiceState.UNPAID:
        return Q(paid_on__isnull=True, due_date__gte=today)
    return Q()


@function(INVOICES)
def invoices_for(*, actor: User, fiscal_year: int | None = None, state: str = "") -> QuerySet[Invoice]:
    """MEM-F1 請求書の確認: the invoices issued to the actor's organization, newest year first."""
    organization_id = organization_of(actor)
    invoices = Invoice.objects.filter(organization_id=organization_id)
    if fiscal_year:
        invoices = invoices.filter(fiscal_year=fiscal_year)
    return invoices.filter(_state_filter(state, timezone.localdate())).order_by("-fiscal_year", "-id")


@function(INVOICES)
def invoice_fiscal_years_for(*, actor: User) -> list[int]:
    """The fiscal years the actor's organization has invoices for, newest first (the period filter)."""
    organization_id = organization_of(actor)
    years = Invoice.objects.filter(organization_id=organization_id).values_list("fiscal_year", flat=True)
    return sorted(set(years), reverse=True)


def invoice_for(*, actor: User, pk: int) -> Invoice:
    """One invoice of the actor's organization (with its payee account); anything else is NotFound."""
    invoice = invoices_for(actor=actor).select_related("payee").filter(pk=pk).first()
    if invoice is None:
        raise NotFound()
    return invoice


def invoices(
    *, actor: User, fiscal_year: int | None = None, state: str = "", query: str = ""
) -> QuerySet[Invoice]:
    """Back office: every member's invoices, narrowed by year, state and code or member name."""
    require_staff(actor)
    found = Invoice.objects.select_related("batch")
    if fiscal_year:
        found = found.filter(fiscal_year=fiscal_year)
    if query:
        found = found.filter(Q(organization_code=query) | Q(organization_name__icontains=query))
    return found.filter(_state_filter(state, timezone.localdate())).order_by(
        "-fiscal_year", "organization_code"
    )


def invoice(*, actor: User, pk: int) -> Invoice:
    require_staff(actor)
    found = Invoice.objects.select_related("payee", "batch", "payment_recorded_by").filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found


def invoice_fiscal_years(*, actor: User) -> list[int]:
    require_staff(actor)
    return sorted(set(Invoice.objects.values_list("fiscal_year", flat=True)), reverse=True)


def invoice_batches(*, actor: User) -> QuerySet[InvoiceBatch]:
    require_staff(actor)
    return InvoiceBatch.objects.select_related("uploaded_by").order_by("-uploaded_at", "-id")


def current_payee_account() -> PayeeAccount | None:
    """The account new invoices state: the newest one registered."""
    return PayeeAccount.objects.order_by("-registered_at", "-id").first()


def payee_accounts(*, actor: User) -> QuerySet[PayeeAccount]:
    require_staff(actor)
    return PayeeAccount.objects.select_related("registered_by").order_by("-registered_at", "-id")


# --- capacity-market documents (MEM-F2) -------------------------------------------------------------


@function(CAPACITY)
def capacity_documents_for(
    *, actor: User, kind: str = "", fiscal_year: int | None = None
) -> QuerySet[CapacityDocument]:
    """MEM-F2: the documents published for the actor's organization, newest first, each with
    `is_read` (whether this user has opened it)."""
    organization_id = organization_of(actor)
    documents = CapacityDocument.objects.filter(organization_id=organization_id, published_at__isnull=False)
    if kind:
        documents = documents.filter(kind=kind)
    if fiscal_year:
        documents = documents.filter(fiscal_year=fiscal_year)
    read = CapacityDocumentRead.objects.filter(document=OuterRef("pk"), user_id=actor.pk)
    return documents.annotate(is_read=Exists(read)).order_by("-published_at", "-id")


@function(CAPACITY)
def capacity_fiscal_years_for(*, actor: User) -> list[int]:
    organization_id = organization_of(actor)
    years = CapacityDocument.objects.filter(
        organization_id=organization_id, published_at__isnull=False
    ).values_list("fiscal_year", flat=True)
    return sorted(set(years), reverse=True)


def capacity_document_for(*, actor: User, pk: int) -> CapacityDocument:
    """One published document of the actor's organization; anything else is NotFound."""
    document = capacity_documents_for(actor=actor).filter(pk=pk).first()
    if document is None:
        raise NotFound()
    return document


def capacity_documents(
    *, actor: User, kind: str = "", query: str = "", published: str = ""
) -> QuerySet[CapacityDocument]:
    """Back office: every member's documents, drafts included; `published` is "yes", "no" or ""."""
    require_staff(actor)
    documents = CapacityDocument.objects.select_related("organization")
    if kind:
        documents = documents.filter(kind=kind)
    if query:
        documents = documents.filter(Q(organization__code=query) | Q(organization__name__icontains=query))
    if published == "yes":
        documents = documents.filter(published_at__isnull=False)
    elif published == "no":
        documents = documents.filter(published_at__isnull=True)
    return documents.order_by("-uploaded_at", "-id")


def capacity_document(*, actor: User, pk: int) -> CapacityDocument:
    require_staff(actor)
    document = CapacityDocument.objects.select_related("organization").filter(pk=pk).first()
    if document is None:
        raise NotFound()
    return document


# --- refund account (容量市場口座情報等) --------------------------------------------------------------


def refund_account_required(business_types: list[str] | None) -> bool:
    """Retailers and registered specified T&D operators must register a refund account."""
    return bool(REFUND_ACCOUNT_BUSINESS_TYPES.intersection(business_types or []))


def refund_account_required_for(*, actor: User) -> bool:
    organization = actor.organization
    return organization is not None and refund_account_required(organization.business_types)


@function(CAPACITY)
def refund_account_for(*, actor: User) -> RefundAccount | None:
    """The actor's organization's refund account, or None when it has not registered one."""
    organization_id = organization_of(actor)
    return RefundAccount.objects.filter(organization_id=organization_id).first()


@dataclass(frozen=True)
class AccountVersion:
    """One saved version of a refund account and what changed from the one before."""

    number: int
    at: datetime
    by: str
    changes: list[tuple[str, str, str]]
    values: dict[str, str]


def _account_value(record: Any, field: str) -> str:
    if field == "account_type":
        return str(record.get_account_type_display())
    return str(getattr(record, field) or "")


def refund_account_history(*, actor: User) -> list[AccountVersion]:
    """Every version of the actor's organization's refund account, newest first."""
    account = refund_account_for(actor=actor)
    if account is None:
        return []
    return account_versions(account)


def account_versions(account: RefundAccount) -> list[AccountVersion]:
    records = list(account.history.select_related("history_user").order_by("history_date", "history_id"))
    versions: list[AccountVersion] = []
    previous = None
    for number, record in enumerate(records, start=1):
        values = {field: _account_value(record, field) for field in ACCOUNT_LABELS}
        changes: list[tuple[str, str, str]] = []
        if previous is not None:
            changes = [
                (label, previous.values[field], values[field])
                for field, label in ACCOUNT_LABELS.items()
                if previous.values[field] != values[field]
            ]
        user = record.history_user
        by = ""
        if user is not None:
            by = "本機関" if is_staff(user) else (user.display_name or user.login_id)
        version = AccountVersion(number=number, at=record.history_date, by=by, changes=changes, values=values)
        versions.append(version)
        previous = version
    versions.reverse()
    return versions


def refund_accounts(*, actor: User, query: str = "") -> QuerySet[RefundAccount]:
    """Back office: every registered refund account, by 事業者コード."""
    require_staff(actor)
    accounts = RefundAccount.objects.select_related("organization", "updated_by")
    if query:
        accounts = accounts.filter(Q(organization__code=query) | Q(organization__name__icontains=query))
    return accounts.order_by("organization__code")
