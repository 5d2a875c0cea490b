"""Applications that a participant (or a joining applicant) files and the organization reviews.

One state machine for every kind (member joining, change, succession, withdrawal, capacity-market
operator and power-source registration, ...); what differs per kind lives in
`kouiki.reviews.services.registry`.
The rules of the transitions live in `kouiki.reviews.services`; this module only stores them.
"""

from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils import timezone


class State(models.TextChoices):
    DRAFT = "draft", "下書き"
    SUBMITTED = "submitted", "申請中"
    ON_HOLD = "on_hold", "保留"
    RESUBMITTED = "resubmitted", "再申請中"
    APPROVED = "approved", "承認"
    REJECTED = "rejected", "却下"
    WITHDRAWN = "withdrawn", "取下げ"
    EXPIRED = "expired", "失効"


# Waiting for the organization's decision: the review queue's default, oldest submission first.
PENDING_STATES = (State.SUBMITTED, State.RESUBMITTED)
# States left by a reviewer's act; they carry who decided, when and why.
DECIDED_STATES = (State.ON_HOLD, State.APPROVED, State.REJECTED)
# Hold and reject must tell the applicant why (seed 003 1.1: update the application per the reason).
REASONED_STATES = (State.ON_HOLD, State.REJECTED)

# The badge tone of each state in the screens (.badge--<tone>).
STATE_TONES = {
    State.DRAFT: "draft",
    State.SUBMITTED: "pending",
    State.RESUBMITTED: "pending",
    State.ON_HOLD: "hold",
    State.APPROVED: "approved",
    State.REJECTED: "rejected",
    State.WITHDRAWN: "draft",
    State.EXPIRED: "draft",
}


class Application(models.Model):
    """One application (申請) and its review; `payload` holds the requested values."""

    kind = models.CharField("申請種別", max_length=64)
    # 受付番号: "<prefix><year>-<6 digits>", e.g. "A2026-000123"; see services._next_reception_number.
    reception_number = models.CharField("受付番号", max_length=24, unique=True)
    # A joining applicant has no organization (and no user) until its application is approved.
    organization = models.ForeignKey(
        "identity.Organization",
        verbose_name="事業者",
        on_delete=models.PROTECT,
        related_name="applications",
        null=True,
        blank=True,
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="申請者",
        on_delete=models.SET_NULL,
        related_name="applications",
        null=True,
        blank=True,
    )
    applicant_email = models.EmailField("申請者メールアドレス")
    # A short human label for lists and search (the company name of a joining applicant, ...).
    subject = models.CharField("件名", max_length=200, blank=True)
    payload = models.JSONField("申請内容", default=dict, blank=True, encoder=DjangoJSONEncoder)
    # What was registered when the application was filed, for the reviewer's current/requested diff.
    current = models.JSONField("現在の登録内容", null=True, blank=True, encoder=DjangoJSONEncoder)
    state = models.CharField("状態", max_length=16, choices=State.choices, default=State.DRAFT)
    created_at = models.DateTimeField("作成日時", default=timezone.now)
    updated_at = models.DateTimeField("更新日時", default=timezone.now)
    # The latest submission or resubmission: the queue serves the oldest first.
    submitted_at = models.DateTimeField("申請日時", null=True, blank=True)
    # The latest reviewer's act (hold, reject, approve); cleared when the applicant resubmits.
    decided_at = models.DateTimeField("審査日時", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="審査者",
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )
    decision_reason = models.TextField("審査理由", blank=True)
    # Optimistic locking: every change increments it; a screen sends back the version it showed.
    version = models.PositiveIntegerField("版", default=1)

    class Meta:
        verbose_name = "申請"
        verbose_name_plural = "申請"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["state", "submitted_at"], name="review_app_state_submitted"),
            models.Index(fields=["kind", "state", "submitted_at"], name="review_app_kind_state_sub"),
            models.Index(fields=["organization", "created_at"], name="review_app_org_created"),
            models.Index(fields=["state", "updated_at"], name="review_app_state_updated"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(state__in=State.values), name="review_app_state_valid"),
            models.CheckConstraint(
                condition=~Q(state__in=DECIDED_STATES) | Q(decided_at__isnull=False),
                name="review_app_decision_dated",
            ),
            models.CheckConstraint(
                condition=~Q(state__in=REASONED_STATES) | ~Q(decision_reason=""),
                name="review_app_decision_reasoned",
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="review_app_version_positive"),
        ]

    def __str__(self) -> str:
        return self.reception_number

    @property
    def state_tone(self) -> str:
        """The badge tone of the state (pending, hold, approved, rejected, draft)."""
        return STATE_TONES.get(State(self.state), "draft")


class Transition(models.Model):
    """One step of an application's history: who moved it from which state to which, and why."""

    application = models.ForeignKey(
        Application, verbose_name="申請", on_delete=models.CASCADE, related_name="transitions"
    )
    # create, submit, update, resubmit, hold, reject, approve, withdraw, expire
    action = models.CharField("操作", max_length=16)
    from_state = models.CharField("変更前の状態", max_length=16, choices=State.choices, blank=True)
    to_state = models.CharField("変更後の状態", max_length=16, choices=State.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作者",
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )
    # Kept as text too, so the history outlives the user (and names a guest applicant or the system).
    actor_label = models.CharField("操作者名", max_length=200, blank=True)
    reason = models.TextField("理由", blank=True)
    at = models.DateTimeField("日時", default=timezone.now)

    class Meta:
        verbose_name = "申請の履歴"
        verbose_name_plural = "申請の履歴"
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["application", "at"], name="review_transition_app_at")]

    def __str__(self) -> str:
        return f"{self.application_id} {self.from_state or '-'} → {self.to_state}"


class ReceptionCounter(models.Model):
    """The last reception number issued per prefix and year; its row lock serializes numbering."""

    prefix = models.CharField("接頭辞", max_length=4)
    year = models.PositiveIntegerField("年")
    last = models.PositiveIntegerField("最終番号", default=0)

    class Meta:
        verbose_name = "受付番号の採番"
        verbose_name_plural = "受付番号の採番"
        constraints = [
            models.UniqueConstraint(fields=["prefix", "year"], name="review_counter_prefix_year"),
        ]

    def __str__(self) -> str:
        return f"{self.prefix}{self.year}: {self.last}"
