"""The payloads of the capacity market's applications: their keys, labels, checks and display.

An operator payload is flat: the company fields of `CompanyForm`, contact persons ① and ② as
`contact1_<field>` / `contact2_<field>`, and, in a registration only, the administrator as
`admin_<field>` (identity's `ProfileForm`). A power source payload holds the fields of
`PowerSourceForm` and `members`, a list of `MemberForm` values. Approved versions are stored in
the same shape (OperatorVersion.data, PowerSourceVersion.data), so a change request compares with
them key by key.

`validate_*` raise ValidationFailed with the errors keyed by payload key; a member's error is keyed
`members.<index>.<field>` so that the screen and the CSV import put it next to its row.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

from kouiki.capacity.choices import (
    AGGREGATE_CATEGORIES,
    EXPECTED_REQUIRED,
    MAX_MEMBERS,
    MIN_CAPACITY_KW,
    MIN_MEMBERS,
    TYPES_BY_CATEGORY,
    Area,
    GenerationType,
    Ownership,
    SourceCategory,
    SourceOwnership,
    SupplierKind,
)
from kouiki.capacity.forms import CompanyForm, ContactForm, MemberForm, PowerSourceForm
from kouiki.core.errors import ValidationFailed
from kouiki.identity.forms import ProfileForm
from kouiki.identity.services.persons import name_errors
from kouiki.reviews.services import registry
from kouiki.reviews.services.payloads import PayloadCheck, form_errors

COMPANY_FIELDS: tuple[str, ...] = tuple(CompanyForm.base_fields)
CONTACT_FIELDS: tuple[str, ...] = tuple(ContactForm.base_fields)
CONTACTS = (1, 2)
ADMIN_FIELDS: tuple[str, ...] = tuple(name for name in ProfileForm.base_fields if name != "email_confirm")
SOURCE_FIELDS: tuple[str, ...] = tuple(PowerSourceForm.base_fields)
MEMBER_FIELDS: tuple[str, ...] = tuple(MemberForm.base_fields)


def contact_key(number: int, name: str) -> str:
    return f"contact{number}_{name}"


def admin_key(name: str) -> str:
    return f"admin_{name}"


def _operator_labels() -> dict[str, str]:
    labels = {name: str(CompanyForm.base_fields[name].label) for name in COMPANY_FIELDS}
    labels["bid_intent"] = "容量オークションへの応札の意思"
    labels["client_certificate"] = "クライアント証明書の取得"
    for number in CONTACTS:
        for name in CONTACT_FIELDS:
            labels[contact_key(number, name)] = (
                f"担当者{'①②'[number - 1]} {ContactForm.base_fields[name].label}"
            )
    for name in ADMIN_FIELDS:
        labels[admin_key(name)] = f"管理者 {ProfileForm.base_fields[name].label}"
    return labels


OPERATOR_LABELS = _operator_labels()
SOURCE_LABELS: dict[str, str] = {
    "source_id": "電源等識別番号",
    **{name: str(PowerSourceForm.base_fields[name].label) for name in SOURCE_FIELDS},
    "members": "構成電源",
}
MEMBER_LABELS = {name: str(MemberForm.base_fields[name].label) for name in MEMBER_FIELDS}
MEMBER_LABELS["name"] = "名称"
DELETION_LABELS = {"source_id": "電源等識別番号", "name": "名称", "reason": "削除の理由"}

_CHOICES: dict[str, dict[str, str]] = {
    "area": dict(Area.choices),
    "category": dict(SourceCategory.choices),
    "generation_type": dict(GenerationType.choices),
    "ownership": dict(Ownership.choices),
    "source_ownership": dict(SourceOwnership.choices),
    "supplier_kinds": dict(SupplierKind.choices),
}


# --- display --------------------------------------------------------------------------------------


def member_text(member: Mapping[str, Any]) -> str:
    kind = _CHOICES["generation_type"].get(str(member.get("generation_type")), member.get("generation_type"))
    capacity = member.get("capacity_kw")
    capacity_text = f"{capacity:,}kW" if isinstance(capacity, int) else f"{capacity}kW"
    return f"{member.get('name', '')}（{member.get('point_number', '')}、{kind}、{capacity_text}）"


def display(key: str, value: Any) -> str:
    """A payload value as people read it: choices by their Japanese names, kW with separators."""
    if value is None or value == "":
        return ""
    if key in _CHOICES:
        names = _CHOICES[key]
        if isinstance(value, list | tuple):
            return "、".join(str(names.get(item, item)) for item in value)
        return str(names.get(str(value), value))
    if key == "members" and isinstance(value, list | tuple):
        return " / ".join(f"{index}. {member_text(member)}" for index, member in enumerate(value, start=1))
    if key.endswith("_kw") and isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, bool):
        return "確認済み" if value else "未確認"
    return registry.format_value(value)


def rows(payload: Mapping[str, Any], labels: Mapping[str, str]) -> list[tuple[str, str]]:
    """(label, text) of the payload, labelled keys first in their declared order."""
    keys = [key for key in labels if key in payload]
    keys += [key for key in payload if key not in keys]
    return [(labels.get(key, key), display(key, payload.get(key))) for key in keys]


def differences(
    current: Mapping[str, Any] | None, requested: Mapping[str, Any], labels: Mapping[str, str]
) -> list[registry.DiffRow]:
    """(label, current, requested) of the keys whose values differ."""
    if current is None:
        return []
    keys = [key for key in labels if key in current or key in requested]
    return [
        (labels[key], display(key, current.get(key)), display(key, requested.get(key)))
        for key in keys
        if (current.get(key) or None) != (requested.get(key) or None)
    ]


# --- operators ------------------------------------------------------------------------------------


def company_data(payload: Mapping[str, Any]) -> dict[str, Any]:
    data = {name: payload.get(name) for name in COMPANY_FIELDS}
    data["supplier_kinds"] = list(payload.get("supplier_kinds") or [])
    return {name: ("" if value is None else value) for name, value in data.items()}


def contact_data(payload: Mapping[str, Any], number: int) -> dict[str, Any]:
    return {name: payload.get(contact_key(number, name)) or "" for name in CONTACT_FIELDS}


def admin_data(payload: Mapping[str, Any]) -> dict[str, Any]:
    return {name: payload.get(admin_key(name)) or "" for name in ADMIN_FIELDS}


def has_contact(payload: Mapping[str, Any], number: int) -> bool:
    return any(str(value).strip() for value in contact_data(payload, number).values())


def validate_operator(payload: Mapping[str, Any], *, registration: bool) -> dict[str, Any]:
    """Every operator field checked with the screens' rules; the administrator in a registration."""
    check = PayloadCheck(payload)
    company = CompanyForm(data=company_data(payload))
    if check.form(company):
        check.cleaned.update(company.payload())
    for number in CONTACTS:
        if number == 2 and not has_contact(payload, 2):
            check.cleaned.update({contact_key(2, name): "" for name in CONTACT_FIELDS})
            continue
        contact = ContactForm(data=contact_data(payload, number))
        if check.form(contact, partial(contact_key, number)):
            check.cleaned.update(
                {contact_key(number, name): value for name, value in contact.cleaned_data.items()}
            )
    if registration:
        data = admin_data(payload)
        data["email_confirm"] = data["email"]
        admin = ProfileForm(data=data)
        if check.form(admin, admin_key):
            check.cleaned.update({admin_key(name): admin.cleaned_data.get(name, "") for name in ADMIN_FIELDS})
            # X-I1: the administrator ID is one natural person's (no shared or role name).
            check.errors.update({admin_key(name): messages for name, messages in name_errors(data).items()})
    return check.result()


def validate_registration(payload: dict[str, Any]) -> dict[str, Any]:
    """The review workflow's check of a registration (事業者情報登録申請) on (re)submission."""
    return validate_operator(payload, registration=True)


def validate_operator_change(payload: dict[str, Any]) -> dict[str, Any]:
    """The check of a change (事業者情報変更申請): the administrator changes through CAP-U1 instead."""
    return validate_operator(payload, registration=False)


def validate_operator_deletion(payload: dict[str, Any]) -> dict[str, Any]:
    reason = str(payload.get("reason") or "").strip()
    if not reason:
        raise ValidationFailed(errors={"reason": ["削除の理由を入力してください。"]})
    if len(reason) > 500:
        raise ValidationFailed(errors={"reason": ["削除の理由は500文字以内で入力してください。"]})
    return {**payload, "reason": reason}


# --- power sources --------------------------------------------------------------------------------


def source_data(payload: Mapping[str, Any]) -> dict[str, Any]:
    """The source fields of a payload as `PowerSourceForm` data."""
    data = {name: payload.get(name) for name in SOURCE_FIELDS}
    return {name: ("" if value is None else value) for name, value in data.items()}


def member_key(index: int, name: str) -> str:
    return f"members.{index}.{name}"


def _check_members(members: list[Any], errors: dict[str, list[str]]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for index, member in enumerate(members):
        form = MemberForm(
            data={name: ("" if (member or {}).get(name) is None else member[name]) for name in MEMBER_FIELDS}
        )
        if form.is_valid():
            found.append(dict(form.cleaned_data))
        else:
            errors.update(form_errors(form, partial(member_key, index)))
            found.append({})
    return found


def _add(errors: dict[str, list[str]], key: str, message: str) -> None:
    errors.setdefault(key, []).append(message)


def _check_category(
    cleaned: dict[str, Any], members: list[dict[str, Any]], errors: dict[str, list[str]]
) -> None:
    """The rules of the category (docs/decisions/0012-power-source-registry.md)."""
    category = cleaned["category"]
    category_name = SourceCategory(category).label
    allowed = TYPES_BY_CATEGORY[category]
    allowed_names = "・".join(kind.label for kind in allowed)
    if cleaned["generation_type"] not in allowed:
        _add(errors, "generation_type", f"{category_name}の発電方式等は{allowed_names}のいずれかです。")
    installed, expected = cleaned["installed_capacity_kw"], cleaned.get("expected_capacity_kw")
    if installed < MIN_CAPACITY_KW:
        _add(errors, "installed_capacity_kw", f"容量市場に参加できる電源等は{MIN_CAPACITY_KW:,}kW以上です。")
    if expected is None and category in EXPECTED_REQUIRED:
        _add(errors, "expected_capacity_kw", f"{category_name}は期待容量（kW）を入力してください。")
    elif expected is not None:
        if expected < MIN_CAPACITY_KW:
            _add(errors, "expected_capacity_kw", f"期待容量は{MIN_CAPACITY_KW:,}kW以上で入力してください。")
        elif expected > installed:
            _add(errors, "expected_capacity_kw", "期待容量は設備容量以下で入力してください。")
    if cleaned["ownership"] == Ownership.OTHER and not cleaned.get("owner_name"):
        _add(errors, "owner_name", "他社保有の場合は保有者名を入力してください。")
    if cleaned["ownership"] == Ownership.OWN:
        cleaned["owner_name"] = ""
    area = cleaned["area"]
    area_name = Area(area).label
    if category in AGGREGATE_CATEGORIES:
        for key in ("receiving_point_number", "grid_connection", "connection_voltage_kv"):
            if cleaned.get(key):
                _add(
                    errors,
                    key,
                    f"{category_name}では、この項目は構成電源ごとの受電地点特定番号で代わります。空欄にしてください。",
                )
        minimum = MIN_MEMBERS[category]
        if len(members) < minimum:
            _add(errors, "members", f"{category_name}は構成電源を{minimum}件以上入力してください。")
        seen: dict[str, int] = {}
        for index, member in enumerate(members):
            if not member:
                continue
            if member["generation_type"] not in allowed:
                _add(
                    errors,
                    member_key(index, "generation_type"),
                    f"{category_name}の構成電源の発電方式等は{allowed_names}のいずれかです。",
                )
            number = member["point_number"]
            if number[:2] != area:
                _add(
                    errors,
                    member_key(index, "point_number"),
                    f"構成電源は電源等と同じエリア（{area_name}）の地点です。先頭2桁（エリアコード）が{area}の番号を入力してください。",
                )
            if number in seen:
                _add(
                    errors,
                    member_key(index, "point_number"),
                    f"{seen[number] + 1}件目の構成電源と同じ地点です。",
                )
            else:
                seen[number] = index
        if members and all(members) and sum(member["capacity_kw"] for member in members) != installed:
            total = sum(member["capacity_kw"] for member in members)
            _add(
                errors,
                "installed_capacity_kw",
                f"設備容量は構成電源の設備容量の合計（{total:,}kW）と一致させてください。",
            )
    else:
        if members:
            _add(errors, "members", f"{category_name}には構成電源を入力できません。")
        for key, label in (
            ("receiving_point_number", "受電地点特定番号"),
            ("grid_connection", "系統連系点"),
            ("connection_voltage_kv", "連系電圧（kV）"),
        ):
            if not cleaned.get(key):
                _add(errors, key, f"{label}を入力してください。")
        number = cleaned.get("receiving_point_number") or ""
        if number and number[:2] != area:
            _add(
                errors,
                "receiving_point_number",
                f"受電地点特定番号の先頭2桁（エリアコード）がエリア（{area_name}: {area}）と一致しません。",
            )


def validate_source(payload: Mapping[str, Any]) -> dict[str, Any]:
    """Every field of a power source and its members; the category's rules across them."""
    check = PayloadCheck(payload)
    form = PowerSourceForm(data=source_data(payload))
    raw_members = payload.get("members") or []
    if not isinstance(raw_members, list):
        raise ValidationFailed(errors={"members": ["構成電源の形式が正しくありません。"]})
    if len(raw_members) > MAX_MEMBERS:
        raise ValidationFailed(errors={"members": [f"構成電源は{MAX_MEMBERS:,}件までです。"]})
    valid = check.form(form)
    if valid:
        check.cleaned.update(form.payload())
    members = _check_members(raw_members, check.errors)
    if valid:
        _check_category(check.cleaned, members, check.errors)
    cleaned = check.result()
    cleaned["members"] = members
    if payload.get("source_id"):
        cleaned["source_id"] = payload["source_id"]
    return cleaned


def validate_source_deletion(payload: dict[str, Any]) -> dict[str, Any]:
    return validate_operator_deletion(payload)


def point_numbers(payload: Mapping[str, Any]) -> list[str]:
    """Every receiving / supply point a source payload claims."""
    numbers = [str(payload.get("receiving_point_number") or "")]
    numbers += [str(member.get("point_number") or "") for member in payload.get("members") or []]
    return [number for number in numbers if number]


def version_history(versions: list[Any], labels: Mapping[str, str]) -> list[dict[str, Any]]:
    """Approved versions (newest first, each with `.data`) with what each changed from the one before."""
    found = []
    for index, version in enumerate(versions):
        previous = versions[index + 1] if index + 1 < len(versions) else None
        changes = differences(previous.data, version.data, labels) if previous is not None else []
        found.append({"version": version, "changes": changes})
    return found
