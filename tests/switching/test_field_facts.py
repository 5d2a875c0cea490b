"""A field's label and length said once: the screens, the API and the CSV take them from the model
field that keeps the value (or, for a value kept only in a payload, from the one declaration)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import models

from kouiki.core.field_facts import FieldFacts, field_facts
from kouiki.switching import forms
from kouiki.switching.api import schemas
from kouiki.switching.models import SupplyPointVersion, Switch
from kouiki.switching.selectors import exports
from kouiki.switching.services.switches import NEW_CONTRACT_NUMBER


def max_length(schema: type[schemas.Schema], name: str) -> int:
    prop: dict[str, Any] = schema.model_json_schema()["properties"][name]
    lengths = [option["maxLength"] for option in prop.get("anyOf", [prop]) if "maxLength" in option]
    return int(lengths[0])


@pytest.mark.parametrize("name", ["customer_name", "customer_address", "contract_number"])
def test_the_identification_of_a_cancel_forward_is_the_switch_fields(name: str) -> None:
    field = Switch._meta.get_field(name)
    assert isinstance(field, models.CharField)
    form_field = forms.CancelForwardForm.base_fields[name]
    assert (form_field.label, form_field.max_length) == (field.verbose_name, field.max_length)
    assert form_field.error_messages["required"] == f"{field.verbose_name}を入力してください。"
    assert forms.CorrectCancelForwardForm.base_fields[name].max_length == field.max_length
    assert max_length(schemas.CancelForwardIn, name) == field.max_length
    assert max_length(schemas.CancelForwardCorrection, name) == field.max_length


@pytest.mark.parametrize(
    ("name", "registry_field"),
    [
        ("customer_name", "customer_name"),
        ("customer_address", "customer_address"),
        ("customer_phone", "customer_phone"),
        ("contract_number", "retail_contract_number"),
    ],
)
def test_a_customer_change_is_the_registry_fields(name: str, registry_field: str) -> None:
    facts = field_facts(SupplyPointVersion, registry_field)
    form_field = forms.CustomerChangeForm.base_fields[name]
    assert (form_field.label, form_field.max_length) == (f"{facts.label}（変更後）", facts.max_length)
    assert max_length(schemas.CustomerChangeIn, name) == facts.max_length


def test_the_new_contract_number_kept_only_in_the_payload_is_declared_once() -> None:
    assert FieldFacts("新しい小売供給契約番号", 40) == NEW_CONTRACT_NUMBER
    for form in (forms.SwitchStartForm, forms.CorrectStartForm):
        field = form.base_fields["contract_number"]
        assert (field.label, field.max_length) == (NEW_CONTRACT_NUMBER.label, NEW_CONTRACT_NUMBER.max_length)
    for schema in (schemas.SwitchStartIn, schemas.SwitchStartCorrection):
        assert max_length(schema, "contract_number") == NEW_CONTRACT_NUMBER.max_length


def test_the_csv_header_names_the_fields() -> None:
    assert exports.HEADER[:4] == ["受付番号", "申込種別", "申請種別", "供給地点特定番号"]
    assert exports.HEADER[9] == "廃止取次番号"


def test_a_field_without_a_length_has_no_limit() -> None:
    desired = field_facts(Switch, "desired_date")
    assert desired == FieldFacts("希望日", None)
    with pytest.raises(ValueError, match="希望日"):
        desired.limit
