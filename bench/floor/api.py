"""The floor's API: one row by primary key, one insert."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import ModelSchema, NinjaAPI, Schema
from pydantic import Field

from floor import KEY_LENGTH
from floor.models import Row

api = NinjaAPI(title="floor", docs_url=None)


class RowIn(Schema):
    id: str = Field(min_length=1, max_length=KEY_LENGTH)
    organization_id: int
    kind: str = Field(max_length=2)
    state: str = Field(max_length=12)
    customer_name: str = Field(max_length=100)
    payload: dict[str, Any] = Field(default_factory=dict)


class RowOut(ModelSchema):
    class Meta:
        model = Row
        fields = "__all__"


@api.get("/rows/{row_id}", response=RowOut)
def read_row(request: HttpRequest, row_id: str) -> Row:
    return get_object_or_404(Row, pk=row_id)


@api.post("/rows", response={201: RowOut})
def insert_row(request: HttpRequest, body: RowIn) -> tuple[int, Row]:
    return 201, Row.objects.create(**body.dict())
