"""Information to government agencies (X-G1): the agencies each system's terms name, whether those
terms let personal data go to them, the states of a request, and the staff roles that handle it.

Seed 000 §4.2 (member system): 資源エネルギー庁 or 電力・ガス取引監視等委員会, personal data
included. Seed 002 §4.3 (capacity market): 経済産業省, 電力・ガス取引監視等委員会 or another state
organ, personal data excluded. Seed 001 (switching) has no such clause: the issue names the member
system's agencies, and no personal data goes (ADR 36 says why).
"""

from __future__ import annotations

from django.db import models

from kouiki.core.systems import System
from kouiki.identity.choices import StaffRole


class Agency(models.TextChoices):
    ANRE = "anre", "資源エネルギー庁"
    METI = "meti", "経済産業省"
    EGC = "egc", "電力・ガス取引監視等委員会"
    OTHER = "other", "その他の国の機関"


class RequestState(models.TextChoices):
    RECORDED = "recorded", "承認待ち"
    APPROVED = "approved", "承認済み（未提供）"
    REJECTED = "rejected", "却下"
    PROVIDED = "provided", "提供済み"


# The agencies each system's terms name, in the order of the terms.
AGENCIES: dict[str, tuple[Agency, ...]] = {
    System.MEMBER: (Agency.ANRE, Agency.EGC),
    System.SWITCHING: (Agency.ANRE, Agency.EGC),
    System.CAPACITY: (Agency.METI, Agency.EGC, Agency.OTHER),
}

# Whether the system's terms let personal data go to the agency (000 §4.2 yes, 002 §4.3 never;
# 001 is silent, and its customers' data is jointly used for the purposes of its §4.1 only).
PERSONAL_DATA_ALLOWED: dict[str, bool] = {
    System.MEMBER: True,
    System.SWITCHING: False,
    System.CAPACITY: False,
}

# Who records, approves and provides: the staff administrators (ADR 36). The back office's area
# and the services both use this set.
ROLES = frozenset({StaffRole.STAFF_ADMIN.value})

# Limits of the request's text fields.
AGENCY_NAME_MAX = 100
LEGAL_BASIS_MAX = 500
PURPOSE_MAX = 1000
REFERENCE_MAX = 100
REASON_MAX = 500
# At most this many participants may be named in one request (beyond: all of them).
MAX_ORGANIZATIONS = 200
