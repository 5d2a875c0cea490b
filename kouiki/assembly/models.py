"""General meetings (総会, MEM-G1..G4, seed 000 2.2 (2)).

A meeting (`Meeting`) has its agenda (`AgendaItem`, 議案, in order). Each member organization convened
to it has one `Invitation` (招集): whether it holds voting rights, how and when the convocation
reached it (e-mail under 定款第25条, or paper), and its answer (attendance). An attending member
registers its persons (`Attendee`, 出席者); each gets a `ReceptionTicket` (受付票) whose QR code
is checked in at the venue. A member with voting rights votes per agenda item (`Vote`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from kouiki.assembly.choices import NoticeMethod, PaperReason, VoteChoice


class Meeting(models.Model):
    """総会: what the convocation announces."""

    name = models.CharField("総会名", max_length=200)
    held_at = models.DateTimeField("開催日時")
    venue = models.CharField("会場", max_length=200)
    answer_deadline = models.DateTimeField("回答期限")
    notes = models.TextField("備考", blank=True)
    # When the convocation was first sent; the agenda and the voting rights are fixed from then on.
    convened_at = models.DateTimeField("招集通知日時", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登録者",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField("登録日時", default=timezone.now)
    updated_at = models.DateTimeField("更新日時", default=timezone.now)

    class Meta:
        verbose_name = "総会"
        verbose_name_plural = "総会"
        ordering = ["-held_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(answer_deadline__lte=F("held_at")), name="assembly_deadline_not_after_meeting"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def accepts_answers(self) -> bool:
        """Answers may be given and changed until the deadline (inclusive)."""
        return timezone.now() <= self.answer_deadline


class AgendaItem(models.Model):
    """議案, numbered from 1 in the order of the convocation."""

    meeting = models.ForeignKey(
        Meeting, verbose_name="総会", on_delete=models.CASCADE, related_name="agenda_items"
    )
    number = models.PositiveSmallIntegerField("議案番号")
    title = models.CharField("議案名", max_length=200)

    class Meta:
        verbose_name = "議案"
        verbose_name_plural = "議案"
        ordering = ["meeting", "number"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "number"], name="assembly_agenda_number_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.label} {self.title}"

    @property
    def label(self) -> str:
        return f"第{self.number}号議案"


class Invitation(models.Model):
    """招集: one member organization convened to one meeting, and its answer."""

    meeting = models.ForeignKey(
        Meeting, verbose_name="総会", on_delete=models.CASCADE, related_name="invitations"
    )
    organization = models.ForeignKey(
        "identity.Organization", verbose_name="会員", on_delete=models.PROTECT, related_name="+"
    )
    has_voting_rights = models.BooleanField("議決権", default=False)
    # How the convocation went out: blank until it did.
    notice_method = models.CharField(
        "通知方法", max_length=8, choices=NoticeMethod.choices, blank=True, default=""
    )
    paper_reason = models.CharField(
        "書面通知の理由", max_length=16, choices=PaperReason.choices, blank=True, default=""
    )
    notified_at = models.DateTimeField("通知日時", null=True, blank=True)
    # The addresses the convocation was mailed to (empty for a paper notice).
    notified_to = models.JSONField("通知先", default=list, blank=True)
    # The answer: None until the member answers.
    attends = models.BooleanField("出欠", null=True, blank=True)
    answered_at = models.DateTimeField("回答日時", null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="回答者",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = "招集"
        verbose_name_plural = "招集"
        ordering = ["meeting", "organization__code"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "organization"], name="assembly_invitation_unique"),
        ]
        indexes = [models.Index(fields=["organization", "notified_at"], name="assembly_invitation_notified")]

    def __str__(self) -> str:
        return f"{self.meeting} / {self.organization}"

    @property
    def attendance_label(self) -> str:
        if self.attends is None:
            return "未回答"
        return "出席" if self.attends else "欠席"


class Attendee(models.Model):
    """出席者: a person the member sends to the meeting."""

    invitation = models.ForeignKey(
        Invitation, verbose_name="招集", on_delete=models.CASCADE, related_name="attendees"
    )
    position = models.PositiveSmallIntegerField("順番")
    name = models.CharField("氏名", max_length=60)
    department_title = models.CharField("所属・役職", max_length=100)
    email = models.EmailField("メールアドレス", blank=True)
    created_at = models.DateTimeField("登録日時", default=timezone.now)

    class Meta:
        verbose_name = "出席者"
        verbose_name_plural = "出席者"
        ordering = ["invitation", "position", "id"]

    def __str__(self) -> str:
        return self.name


class ReceptionTicket(models.Model):
    """受付票: admits one attendee to one meeting, once.

    The QR code carries `token` and its signature (kouiki.assembly.services.tickets), nothing personal. The
    check-in is a conditional update of `checked_in_at`, so a ticket checks in once however many
    readers scan it at the same moment.
    """

    attendee = models.OneToOneField(
        Attendee, verbose_name="出席者", on_delete=models.CASCADE, related_name="ticket"
    )
    # The meeting the ticket admits to (the attendee's, kept here for the check-in and its counts).
    meeting = models.ForeignKey(
        Meeting, verbose_name="総会", on_delete=models.CASCADE, related_name="tickets"
    )
    token = models.CharField("受付票トークン", max_length=32, unique=True)
    issued_at = models.DateTimeField("発行日時", default=timezone.now)
    checked_in_at = models.DateTimeField("受付日時", null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="受付者",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = "受付票"
        verbose_name_plural = "受付票"
        indexes = [models.Index(fields=["meeting", "checked_in_at"], name="assembly_ticket_arrivals")]

    def __str__(self) -> str:
        return f"受付票 {self.attendee}"


class Vote(models.Model):
    """議決権行使: a member's vote on one agenda item."""

    invitation = models.ForeignKey(
        Invitation, verbose_name="招集", on_delete=models.CASCADE, related_name="votes"
    )
    agenda_item = models.ForeignKey(
        AgendaItem, verbose_name="議案", on_delete=models.CASCADE, related_name="votes"
    )
    choice = models.CharField("賛否", max_length=8, choices=VoteChoice.choices)
    voted_at = models.DateTimeField("行使日時", default=timezone.now)

    class Meta:
        verbose_name = "議決権行使"
        verbose_name_plural = "議決権行使"
        ordering = ["invitation", "agenda_item__number"]
        constraints = [
            models.UniqueConstraint(fields=["invitation", "agenda_item"], name="assembly_vote_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.agenda_item.label}: {self.get_choice_display()}"
