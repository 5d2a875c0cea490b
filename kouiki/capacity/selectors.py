"""Reads of the capacity market system, each scoped to the actor.

A participant sees its own organization's operator information, power sources and applications;
another organization's object is NotFound. Staff (CAP-R1 / CAP-P1 "O") see every organization's.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Prefetch, Q, QuerySet

from kouiki.capacity.choices import SupplierKind
from kouiki.capacity.models import (
    Operator,
    OperatorVersion,
    PowerSource,
    PowerSourceMember,
    PowerSourceVersion,
)
from kouiki.capacity.services.payloads import (
    COMPANY_FIELDS,
    CONTACT_FIELDS,
    CONTACTS,
    SOURCE_FIELDS,
    contact_key,
)
from kouiki.core.catalog import implements
from kouiki.core.errors import NotFound
from kouiki.identity.access import organization_of, require_staff
from kouiki.reviews import selectors as review_selectors
from kouiki.reviews import services as reviews

if TYPE_CHECKING:
    from kouiki.identity.models import User
    from kouiki.reviews.models import Application

# The application kinds of this system (kouiki/capacity/services/review_types.py registers them).
REGISTRATION = "capacity.operator"
OPERATOR_CHANGE = "capacity.operator_change"
OPERATOR_DELETION = "capacity.operator_deletion"
SOURCE_REGISTRATION = "capacity.source"
SOURCE_CHANGE = "capacity.source_change"
SOURCE_DELETION = "capacity.source_deletion"
OPERATOR_KINDS = (REGISTRATION, OPERATOR_CHANGE, OPERATOR_DELETION)
SOURCE_KINDS = (SOURCE_REGISTRATION, SOURCE_CHANGE, SOURCE_DELETION)


# --- operators ------------------------------------------------------------------------------------


def operator_or_none(*, actor: User) -> Operator | None:
    """The actor's organization's operator information, if it is registered."""
    organization_id = organization_of(actor)
    return (
        Operator.objects.select_related("organization", "administrator")
        .filter(organization_id=organization_id)
        .first()
    )


def operator_of(*, actor: User) -> Operator:
    """CAP-R1 照会: the actor's operator information; NotFound before it is registered."""
    operator = operator_or_none(actor=actor)
    if operator is None:
        raise NotFound("事業者情報が登録されていません。")
    return operator


def operators(*, actor: User, query: str = "", status: str = "") -> QuerySet[Operator]:
    """Every operator (staff), by 事業者コード, with the number of its registered power sources."""
    require_staff(actor)
    found = Operator.objects.select_related("organization", "administrator").annotate(
        source_count=Count("power_sources", filter=Q(power_sources__status="registered"))
    )
    if query:
        query = query.strip()
        found = found.filter(
            Q(organization__code=query)
            | Q(name__icontains=query)
            | Q(name_kana__icontains=query)
            | Q(corporate_number=query)
        )
    if status:
        found = found.filter(status=status)
    return found.order_by("organization__code")


def operator_by_pk(*, actor: User, pk: int) -> Operator:
    require_staff(actor)
    operator = Operator.objects.select_related("organization", "administrator").filter(pk=pk).first()
    if operator is None:
        raise NotFound()
    return operator


def operator_snapshot(operator: Operator) -> dict[str, Any]:
    """The registered values, keyed as an operator payload (without the administrator)."""
    data: dict[str, Any] = {name: getattr(operator, name) for name in COMPANY_FIELDS}
    data["supplier_kinds"] = list(operator.supplier_kinds)
    for number in CONTACTS:
        for name in CONTACT_FIELDS:
            key = contact_key(number, name)
            data[key] = getattr(operator, key)
    return data


def operator_versions(operator: Operator) -> list[OperatorVersion]:
    """Every approved version of the operator information, newest first."""
    return list(operator.versions.select_related("approved_by").order_by("-version"))


# --- power sources --------------------------------------------------------------------------------


def _sources() -> QuerySet[PowerSource]:
    return PowerSource.objects.select_related("operator", "operator__organization").prefetch_related(
        Prefetch("members", queryset=PowerSourceMember.objects.order_by("position"))
    )


def _filtered(
    found: QuerySet[PowerSource], *, status: str, query: str, category: str, area: str
) -> QuerySet[PowerSource]:
    if status:
        found = found.filter(status=status)
    if category:
        found = found.filter(category=category)
    if area:
        found = found.filter(area=area)
    if query:
        query = query.strip()
        found = found.filter(
            Q(source_id__iexact=query)
            | Q(name__icontains=query)
            | Q(location__icontains=query)
            | Q(receiving_point_number=query)
            | Q(members__point_number=query)
        ).distinct()
    return found.order_by("source_id")


def sources_for(
    *, actor: User, status: str = "registered", query: str = "", category: str = "", area: str = ""
) -> QuerySet[PowerSource]:
    """CAP-P1 照会: the power sources of the actor's organization."""
    organization_id = organization_of(actor)
    found = _sources().filter(operator__organization_id=organization_id)
    return _filtered(found, status=status, query=query, category=category, area=area)


def source_for(*, actor: User, source_id: str) -> PowerSource:
    """One power source of the actor's organization; another organization's is NotFound."""
    source = sources_for(actor=actor, status="").filter(source_id=source_id).first()
    if source is None:
        raise NotFound()
    return source


def all_sources(
    *,
    actor: User,
    operator: Operator | None = None,
    status: str = "",
    query: str = "",
    category: str = "",
    area: str = "",
) -> QuerySet[PowerSource]:
    """Every operator's power sources (staff)."""
    require_staff(actor)
    found = _sources()
    if operator is not None:
        found = found.filter(operator=operator)
    return _filtered(found, status=status, query=query, category=category, area=area)


def source_by_pk(*, actor: User, pk: int) -> PowerSource:
    require_staff(actor)
    source = _sources().filter(pk=pk).first()
    if source is None:
        raise NotFound()
    return source


def source_snapshot(source: PowerSource) -> dict[str, Any]:
    """The registered values, keyed as a power source payload."""
    data: dict[str, Any] = {"source_id": source.source_id}
    data.update({name: getattr(source, name) for name in SOURCE_FIELDS})
    voltage = source.connection_voltage_kv
    data["connection_voltage_kv"] = str(voltage) if voltage is not None else None
    data["operation_start"] = source.operation_start.isoformat() if source.operation_start else None
    data["members"] = [
        {
            "name": member.name,
            "point_number": member.point_number,
            "generation_type": member.generation_type,
            "capacity_kw": member.capacity_kw,
        }
        for member in source.members.all()
    ]
    return data


def source_versions(source: PowerSource) -> list[PowerSourceVersion]:
    """Every approved version of the power source, newest first."""
    return list(source.versions.select_related("approved_by").order_by("-version"))


def registered_points(numbers: list[str], *, exclude_pk: int | None = None) -> dict[str, str]:
    """Which of these points a registered power source already holds: number → 電源等識別番号."""
    if not numbers:
        return {}
    own = PowerSource.objects.filter(status="registered", receiving_point_number__in=numbers)
    members = PowerSourceMember.objects.filter(source__status="registered", point_number__in=numbers)
    if exclude_pk is not None:
        own = own.exclude(pk=exclude_pk)
        members = members.exclude(source_id=exclude_pk)
    found = dict(own.values_list("receiving_point_number", "source_id"))
    for number, source_id in members.values_list("point_number", "source__source_id"):
        found.setdefault(number, source_id)
    return found


# --- applications ---------------------------------------------------------------------------------


@implements("CAP-R2")
def operator_applications(*, actor: User, state: str | None = None) -> QuerySet[Application]:
    """CAP-R2: the registration, change and deletion applications of the actor's organization."""
    return review_selectors.applications_for(actor=actor, state=state).filter(kind__in=OPERATOR_KINDS)


@implements("CAP-P2")
def source_applications(
    *, actor: User, state: str | None = None, kind: str | None = None
) -> QuerySet[Application]:
    """CAP-P2: the power source applications of the actor's organization, newest first."""
    found = review_selectors.applications_for(actor=actor, state=state).filter(kind__in=SOURCE_KINDS)
    if kind:
        found = found.filter(kind=kind)
    return found


def application_of(*, actor: User, pk: int, kinds: tuple[str, ...]) -> Application:
    """One application of the actor's organization among `kinds`; anything else is NotFound."""
    application = review_selectors.application_for(actor=actor, pk=pk)
    if application.kind not in kinds:
        raise NotFound()
    return application


def open_operator_application(*, actor: User, exclude_pk: int | None = None) -> Application | None:
    """The organization's open change or deletion of its operator information, if any (an open
    application blocks another one on the same object, `kouiki.reviews.services.OPEN`)."""
    found = operator_applications(actor=actor).filter(
        state__in=reviews.OPEN, kind__in=(OPERATOR_CHANGE, OPERATOR_DELETION)
    )
    if exclude_pk is not None:
        found = found.exclude(pk=exclude_pk)
    return found.first()


def open_operator_deletion(*, actor: User) -> Application | None:
    """The organization's deletion of its operator information (the end of its use) not yet decided."""
    return operator_applications(actor=actor).filter(state__in=reviews.OPEN, kind=OPERATOR_DELETION).first()


def open_source_application(
    *, actor: User, source_id: str, exclude_pk: int | None = None
) -> Application | None:
    """The change or deletion of this power source not yet decided, if any."""
    found = source_applications(actor=actor).filter(
        state__in=reviews.OPEN, kind__in=(SOURCE_CHANGE, SOURCE_DELETION), payload__source_id=source_id
    )
    if exclude_pk is not None:
        found = found.exclude(pk=exclude_pk)
    return found.first()


def open_source_ids(*, actor: User) -> set[str]:
    """The power sources of the organization with a change or deletion not yet decided."""
    found = source_applications(actor=actor).filter(
        state__in=reviews.OPEN, kind__in=(SOURCE_CHANGE, SOURCE_DELETION)
    )
    return {str(source_id) for source_id in found.values_list("payload__source_id", flat=True)}


def operator_applications_staff(*, actor: User, operator: Operator) -> QuerySet[Application]:
    """Every capacity application of one operator's organization (staff)."""
    return (
        review_selectors.review_queue(actor=actor)
        .filter(organization_id=operator.organization_id, kind__in=OPERATOR_KINDS + SOURCE_KINDS)
        .order_by("-created_at", "-id")
    )


def open_source_application_count(*, actor: User, operator: Operator) -> int:
    """How many power source applications of one operator's organization are undecided (staff)."""
    return (
        operator_applications_staff(actor=actor, operator=operator)
        .filter(kind__in=SOURCE_KINDS, state__in=reviews.OPEN)
        .count()
    )


# --- provision to government agencies (X-G1, seed 002 §4.3: never any personal data) ------------------
# These reads never touch a personal field: no representative's or contact person's name, phone or
# e-mail, no administrator, no owner's name, no location or point number of a power source (which
# may be a person's home). Organizations' names, addresses and main phone numbers are not personal.


def operator_rows(
    *, actor: User, since: datetime, until: datetime, organization_codes: list[str]
) -> Iterator[dict[str, Any]]:
    """Operators registered in [since, until) (only those of `organization_codes` when given)."""
    require_staff(actor)
    found = Operator.objects.filter(registered_at__gte=since, registered_at__lt=until).select_related(
        "organization"
    )
    if organization_codes:
        found = found.filter(organization__code__in=organization_codes)
    for operator in found.order_by("organization__code").iterator(chunk_size=500):
        yield {
            "code": operator.organization.code,
            "name": operator.name,
            "corporate_number": operator.corporate_number,
            "address": operator.address,
            "phone": operator.phone,
            "supplier_kinds": "・".join(SupplierKind(kind).label for kind in operator.supplier_kinds),
            "source_ownership": operator.get_source_ownership_display(),
            "bid_intent": "あり" if operator.bid_intent else "なし",
            "status": operator.get_status_display(),
            "registered_at": operator.registered_at,
            "contract_ended_at": operator.contract_ended_at,
        }


def source_rows(
    *, actor: User, since: datetime, until: datetime, organization_codes: list[str]
) -> Iterator[dict[str, Any]]:
    """Power sources registered in [since, until) (only those of operators of `organization_codes`
    when given)."""
    require_staff(actor)
    found = PowerSource.objects.filter(registered_at__gte=since, registered_at__lt=until).select_related(
        "operator__organization"
    )
    if organization_codes:
        found = found.filter(operator__organization__code__in=organization_codes)
    for source in found.order_by("source_id").iterator(chunk_size=500):
        yield {
            "source_id": source.source_id,
            "code": source.operator.organization.code,
            "name": source.name,
            "area": source.get_area_display(),
            "category": source.get_category_display(),
            "generation_type": source.get_generation_type_display(),
            "installed_capacity_kw": source.installed_capacity_kw,
            "expected_capacity_kw": source.expected_capacity_kw,
            "ownership": source.get_ownership_display(),
            "operation_start": source.operation_start,
            "status": source.get_status_display(),
            "registered_at": source.registered_at,
        }
