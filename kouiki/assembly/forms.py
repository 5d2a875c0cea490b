"""Web input of general meetings: the member's answer (MEM-G2) and the back office's meeting, voting
rights and check-in forms. Field-level Japanese messages; the rules live in the services."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from kouiki.assembly.choices import VoteChoice
from kouiki.assembly.models import AgendaItem, Invitation
from kouiki.assembly.services.answers import MAX_ATTENDEES, AttendeeInput
from kouiki.assembly.services.tickets import MAX_CODE_LENGTH
from kouiki.core import japanese
from kouiki.core.calendar import year_out_of_range
from kouiki.core.forms import TextField

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
ATTEND, ABSENT = "attend", "absent"


def _required(label: str) -> dict[str, str]:
    return {"required": f"{label}を入力してください。"}


def _within_years(label: str) -> Any:
    """A meeting is held in this century: year 1 or 9999 would overflow on the way to UTC."""

    def check(value: datetime) -> None:
        message = year_out_of_range(label, value)
        if message:
            raise ValidationError(message, code="year_range")

    return check


def _datetime_field(label: str, help_text: str = "") -> forms.DateTimeField:
    return forms.DateTimeField(
        validators=[_within_years(label)],
        label=label,
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT),
        help_text=help_text,
        error_messages={
            **_required(label),
            "invalid": f"{label}を正しく入力してください（例: 2026/06/20 13:30）。",
        },
    )


# --- the back office ---------------------------------------------------------------------------------


class MeetingForm(forms.Form):
    name = TextField(label="総会名", max_length=200, error_messages=_required("総会名"))
    held_at = _datetime_field("開催日時")
    venue = TextField(label="会場", max_length=200, error_messages=_required("会場"))
    answer_deadline = _datetime_field(
        "回答期限", "会員はこの日時まで出欠・議決権の回答を登録・変更できます。"
    )
    agenda = TextField(
        label="議案",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="1行に1件、議案の順に入力してください（第1号議案、第2号議案…の番号は自動で付きます）。",
        error_messages=_required("議案"),
    )
    notes = TextField(label="備考", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    @staticmethod
    def initial_of(meeting: Any) -> dict[str, Any]:
        return {
            "name": meeting.name,
            "held_at": meeting.held_at,
            "venue": meeting.venue,
            "answer_deadline": meeting.answer_deadline,
            "agenda": "\n".join(item.title for item in meeting.agenda_items.all()),
            "notes": meeting.notes,
        }

    def agenda_titles(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["agenda"].splitlines() if line.strip()]

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "held_at": data["held_at"],
            "venue": data["venue"],
            "answer_deadline": data["answer_deadline"],
            "agenda": self.agenda_titles(),
            "notes": data["notes"],
        }


class VotingRightsForm(forms.Form):
    organizations = forms.TypedMultipleChoiceField(
        label="議決権を有する会員",
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "会員の選択が正しくありません。"},
    )

    def __init__(self, *args: Any, organization_ids: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organizations"].choices = [(pk, str(pk)) for pk in organization_ids]  # type: ignore[attr-defined]


class CheckInForm(forms.Form):
    code = forms.CharField(
        label="受付票のQRコード",
        max_length=MAX_CODE_LENGTH * 2,
        help_text="QRコードリーダで読み取るか、受付票に印字されたコードを入力してEnterキーを押してください。",
        error_messages=_required("受付票のコード"),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "autofocus": True,
            }
        ),
    )


# --- MEM-G2 the member's answer ----------------------------------------------------------------------


class AttendeeForm(forms.Form):
    """One row of persons; an empty row is ignored."""

    use_required_attribute = False

    attendee_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = TextField(label="氏名", max_length=60, required=False, help_text="全角で入力してください。")
    department_title = TextField(
        label="所属・役職", max_length=100, required=False, help_text="全角で入力してください。"
    )
    email = forms.CharField(
        label="メールアドレス（任意）",
        max_length=254,
        required=False,
        help_text="半角英数字で入力してください。",
    )

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not any(data.get(name) for name in ("name", "department_title", "email"))

    def clean_name(self) -> str:
        value = japanese.widen_spaces(self.cleaned_data["name"])
        if value:
            japanese.validate_full_width(value)
        return value

    def clean_department_title(self) -> str:
        value = japanese.to_full_width(self.cleaned_data["department_title"].strip())
        if value:
            japanese.validate_full_width(value)
        return value

    def clean_email(self) -> str:
        value = japanese.normalize_email(self.cleaned_data["email"])
        if value:
            japanese.validate_email(value)
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.is_blank():
            if not data.get("name") and "name" not in self.errors:
                self.add_error("name", "氏名を入力してください。")
            if not data.get("department_title") and "department_title" not in self.errors:
                self.add_error("department_title", "所属・役職を入力してください。")
        return data

    def to_input(self) -> AttendeeInput:
        data = self.cleaned_data
        return AttendeeInput(
            id=data.get("attendee_id"),
            name=data["name"],
            department_title=data["department_title"],
            email=data["email"],
        )


class AnswerForm(forms.Form):
    """出欠 and, for a member with voting rights, 賛成 / 反対 / 棄権 per agenda item."""

    attendance = forms.ChoiceField(
        label="出欠",
        choices=[(ATTEND, "出席"), (ABSENT, "欠席")],
        widget=forms.RadioSelect,
        error_messages={"required": "出席・欠席を選択してください。"},
    )

    def __init__(self, data: Any = None, *, invitation: Invitation, items: list[AgendaItem]) -> None:
        initial: dict[str, Any] = {}
        if invitation.attends is not None:
            initial["attendance"] = ATTEND if invitation.attends else ABSENT
        votes = {vote.agenda_item_id: vote.choice for vote in invitation.votes.all()}
        super().__init__(data, initial=initial)
        self.items = items if invitation.has_voting_rights else []
        for item in self.items:
            self.fields[self.vote_field(item)] = forms.ChoiceField(
                label=f"{item.label} {item.title}",
                choices=VoteChoice.choices,
                widget=forms.RadioSelect,
                error_messages={"required": f"{item.label}の賛否を選択してください。"},
            )
            if item.pk in votes:
                self.initial[self.vote_field(item)] = votes[item.pk]

    @staticmethod
    def vote_field(item: AgendaItem) -> str:
        return f"vote_{item.pk}"

    def vote_fields(self) -> list[forms.BoundField]:
        return [self[self.vote_field(item)] for item in self.items]

    def attends(self) -> bool:
        return bool(self.cleaned_data["attendance"] == ATTEND)

    def votes(self) -> dict[int, str]:
        return {item.pk: self.cleaned_data[self.vote_field(item)] for item in self.items}


class AnswerForms:
    """The answer screen: the answer form and up to MAX_ATTENDEES rows of persons."""

    def __init__(self, data: Any = None, *, invitation: Invitation, items: list[AgendaItem]) -> None:
        self.answer = AnswerForm(data, invitation=invitation, items=items)
        registered = list(invitation.attendees.all())
        self.persons: list[AttendeeForm] = []
        for index in range(MAX_ATTENDEES):
            person = registered[index] if index < len(registered) else None
            initial = (
                {
                    "attendee_id": person.pk,
                    "name": person.name,
                    "department_title": person.department_title,
                    "email": person.email,
                }
                if person is not None
                else {}
            )
            self.persons.append(AttendeeForm(data, prefix=f"person{index + 1}", initial=initial))

    def is_valid(self) -> bool:
        """The answer, its votes and the persons checked together: every error at once (issue 17,
        point 14). The rows count unless the member is absent."""
        answer_valid = self.answer.is_valid()
        attendance = self.answer.cleaned_data.get("attendance")
        if attendance == ABSENT:
            return answer_valid  # the rows are not kept: their content does not matter
        persons_valid = all([person.is_valid() for person in self.persons])
        if attendance == ATTEND and persons_valid and not self._filled():
            self.answer.add_error(None, "出席の場合は出席者を1名以上入力してください。")
            return False
        return answer_valid and persons_valid

    def _filled(self) -> list[AttendeeForm]:
        return [person for person in self.persons if not person.is_blank()]

    def attendee_inputs(self) -> list[AttendeeInput]:
        """The filled rows; none when the member does not attend (its persons are removed)."""
        if not self.answer.attends():
            return []
        return [person.to_input() for person in self._filled()]

    @property
    def has_errors(self) -> bool:
        return bool(self.answer.errors) or any(person.errors for person in self.persons)
