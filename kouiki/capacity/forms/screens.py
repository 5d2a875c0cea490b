"""The forms of one screen taken together: an operator (company, contacts, administrator, consent)
and a power source (the source and its members). They build the payload a service files and put a
service's errors, keyed as the payload is, back next to their fields."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from kouiki.capacity.choices import MAX_MEMBERS
from kouiki.capacity.forms import (
    BaseMemberFormSet,
    CompanyForm,
    ConsentForm,
    ContactForm,
    MemberForm,
    PowerSourceForm,
)
from kouiki.capacity.services import operators, payloads
from kouiki.core.errors import KouikiError
from kouiki.identity.forms import ProfileForm
from kouiki.terms.forms import renew_if_revised

# Empty member rows offered on the screen (more at once: the CSV import).
EXTRA_MEMBER_ROWS = 5


def _consent_form(data: Any, terms: Any) -> ConsentForm:
    """The consent to `terms`, the version the page shows now; a POST that agreed to another version
    (published after its page was loaded, or none shown) comes back unticked with this version's id
    (terms.forms.renew_if_revised)."""
    form = ConsentForm(data, initial={"terms_version": terms.pk})
    renew_if_revised(
        form,
        box="consent",
        version="terms_version",
        document_id=terms.pk,
        title=terms.title,
        message=operators.TERMS_CHANGED,
        missing_is_revised=True,
    )
    return form


class OperatorForms:
    """The registration (利用申請) has the administrator and the consent; a change has neither (the
    administrator changes through CAP-U1). Contact ② is optional: left wholly empty it is neither
    validated nor filed."""

    def __init__(
        self,
        data: Any = None,
        *,
        payload: dict[str, Any] | None = None,
        registration: bool = True,
        terms: Any = None,
    ) -> None:
        self.data = data
        payload = payload or {}
        self.company = CompanyForm(data, initial=payloads.company_data(payload) if payload else None)
        self.contacts = {
            number: ContactForm(
                data, prefix=f"contact{number}", initial=payloads.contact_data(payload, number)
            )
            for number in payloads.CONTACTS
        }
        if data is not None and not self.contact_given(2):
            # Left empty: shown again empty, without the errors of a bound, empty form.
            self.contacts[2] = ContactForm(prefix="contact2")
        self.admin: ProfileForm | None = None
        if registration:
            initial = payloads.admin_data(payload)
            initial["email_confirm"] = initial.get("email", "")
            self.admin = ProfileForm(data, prefix="admin", initial=initial)
        self.terms = terms
        self.consent = _consent_form(data, terms) if terms is not None else None

    def contact_given(self, number: int) -> bool:
        if number == 1:
            return True
        form = self.contacts[number]
        if self.data is None:
            return any(str(value).strip() for value in form.initial.values())
        return any(str(self.data.get(form.add_prefix(name), "")).strip() for name in form.fields)

    def sections(self) -> list[forms.Form]:
        found: list[forms.Form] = [self.company, self.contacts[1]]
        if self.contact_given(2):
            found.append(self.contacts[2])
        if self.admin is not None:
            found.append(self.admin)
        if self.consent is not None:
            found.append(self.consent)
        return found

    def is_valid(self) -> bool:
        return all([form.is_valid() for form in self.sections()])

    @property
    def has_errors(self) -> bool:
        return any(form.errors for form in self.sections())

    def payload(self) -> dict[str, Any]:
        data = self.company.payload()
        for number in payloads.CONTACTS:
            if self.contact_given(number):
                cleaned = self.contacts[number].cleaned_data
                data.update({payloads.contact_key(number, name): value for name, value in cleaned.items()})
        if self.admin is not None:
            data.update(
                {
                    payloads.admin_key(name): self.admin.cleaned_data.get(name, "")
                    for name in payloads.ADMIN_FIELDS
                }
            )
        return data

    def agreed_terms_id(self) -> int | None:
        """The terms version the applicant ticked, as the screen showed it."""
        if self.consent is None or not self.consent.is_valid():
            return None
        return self.consent.cleaned_data.get("terms_version") or (self.terms.pk if self.terms else None)

    def add_errors(self, error: KouikiError) -> None:
        if not error.errors:
            self.company.add_error(None, error.message)
            return
        for key, messages in error.errors.items():
            form, name = self._locate(key)
            for message in messages:
                form.add_error(name, message)

    def _locate(self, key: str) -> tuple[forms.Form, str | None]:
        if key == "consent" and self.consent is not None:
            return self.consent, "consent"
        for number in payloads.CONTACTS:
            prefix = payloads.contact_key(number, "")
            if key.startswith(prefix) and key[len(prefix) :] in self.contacts[number].fields:
                return self.contacts[number], key[len(prefix) :]
        name = key.removeprefix("admin_")
        if self.admin is not None and key.startswith("admin_") and name in self.admin.fields:
            return self.admin, name
        if key in self.company.fields:
            return self.company, key
        return self.company, None


def _source_initial(payload: dict[str, Any]) -> dict[str, Any]:
    initial = payloads.source_data(payload)
    return {name: value for name, value in initial.items() if value not in ("", None)}


class SourceForms:
    """A power source and its members (構成電源), which only the aggregated categories have."""

    def __init__(self, data: Any = None, *, payload: dict[str, Any] | None = None) -> None:
        payload = payload or {}
        self.data = data
        self.source = PowerSourceForm(data, initial=_source_initial(payload) if payload else None)
        formset = forms.formset_factory(
            MemberForm,
            formset=BaseMemberFormSet,
            extra=EXTRA_MEMBER_ROWS,
            can_delete=True,
            max_num=MAX_MEMBERS,
            # A POST claiming more rows builds no more forms than a source may have members.
            absolute_max=MAX_MEMBERS,
        )
        self.members = cast(
            BaseMemberFormSet, formset(data, prefix="members", initial=list(payload.get("members") or []))
        )
        self.member_errors: list[str] = []

    def is_valid(self) -> bool:
        return all([self.source.is_valid(), self.members.is_valid()])

    @property
    def has_errors(self) -> bool:
        return bool(
            self.source.errors
            or self.member_errors
            or self.members.non_form_errors()
            or any(form.errors for form in self.members.forms)
        )

    def payload(self) -> dict[str, Any]:
        data = self.source.payload()
        data["members"] = [
            {name: form.cleaned_data[name] for name in payloads.MEMBER_FIELDS}
            for form in self.members.filled_forms()
        ]
        return data

    def add_errors(self, error: KouikiError) -> None:
        if not error.errors:
            self.source.add_error(None, error.message)
            return
        filled = self.members.filled_forms()
        for key, messages in error.errors.items():
            if key == "members":
                self.member_errors += messages
            elif key.startswith("members."):
                _prefix, index, name = key.split(".", 2)
                position = int(index)
                if position < len(filled):
                    for message in messages:
                        filled[position].add_error(name, message)
                else:
                    self.member_errors += messages
            else:
                for message in messages:
                    self.source.add_error(key if key in self.source.fields else None, message)
