"""Reads of the requests and provisions (X-G1): staff of the provision's roles only."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Count, QuerySet

from kouiki.core.errors import NotFound
from kouiki.government.choices import ROLES
from kouiki.government.models import InformationRequest, ProvisionDownload, ProvisionFile
from kouiki.identity.access import require_staff_role

if TYPE_CHECKING:
    from kouiki.identity.models import User


def requests(*, actor: User, state: str = "", system: str = "") -> QuerySet[InformationRequest]:
    """Every request, newest first, with its provision when there is one."""
    require_staff_role(actor, ROLES)
    found = InformationRequest.objects.select_related(
        "recorded_by", "decided_by", "provision", "provision__provided_by"
    )
    if state:
        found = found.filter(state=state)
    if system:
        found = found.filter(system=system)
    return found


def request_by_pk(*, actor: User, pk: int) -> InformationRequest:
    request = requests(actor=actor).filter(pk=pk).first()
    if request is None:
        raise NotFound()
    return request


def files_of(request: InformationRequest) -> list[ProvisionFile]:
    """The files of a request's provision (none before it), with their number of downloads; the
    content is not read."""
    return list(
        ProvisionFile.objects.filter(provision__request=request)
        .defer("data")
        .annotate(download_count=Count("downloads"))
        .order_by("pk")
    )


def file_of(*, actor: User, request_pk: int, file_pk: int) -> ProvisionFile:
    require_staff_role(actor, ROLES)
    found = (
        ProvisionFile.objects.select_related("provision__request")
        .filter(pk=file_pk, provision__request_id=request_pk)
        .first()
    )
    if found is None:
        raise NotFound()
    return found


def downloads_of(request: InformationRequest) -> list[ProvisionDownload]:
    return list(
        ProvisionDownload.objects.filter(file__provision__request=request).select_related(
            "file", "downloaded_by"
        )
    )
