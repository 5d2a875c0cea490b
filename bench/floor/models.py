from __future__ import annotations

from django.db import models
from django.utils import timezone

from floor import KEY_LENGTH, TABLE


class Row(models.Model):
    """An application-like row: a 22-character key, an owner, codes, a name, a JSON payload, times."""

    id = models.CharField(primary_key=True, max_length=KEY_LENGTH)
    organization_id = models.BigIntegerField()
    kind = models.CharField(max_length=2)
    state = models.CharField(max_length=12)
    customer_name = models.CharField(max_length=100)
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = TABLE
        # Like an application's (organization, -created_at): an insert keeps a second index up.
        indexes = [models.Index(fields=["organization_id", "-created_at"], name="bench_floor_row_org")]

    def __str__(self) -> str:
        return self.id
