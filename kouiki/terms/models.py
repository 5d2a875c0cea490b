"""Versioned terms of use and the consents given to them (X-T1).

A document (利用規約, 定款, 許諾) is never edited once published: a change is a new version with its
own effective date, and each consent points at the exact version that was shown and agreed to.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from kouiki.core.systems import System
from kouiki.terms.choices import DocumentKind


class TermsDocument(models.Model):
    """One version of one document of one system."""

    system = models.CharField("システム", max_length=16, choices=System.choices)
    kind = models.CharField("文書の種類", max_length=32, choices=DocumentKind.choices)
    version = models.CharField("版", max_length=32)  # as the document names itself: "Ver. 1.1"
    title = models.CharField("表題", max_length=200)
    body = models.TextField("本文")
    # The version in force from this day (Japan time) until the next version's effective date.
    effective_date = models.DateField("施行日")
    # None while it is being prepared: an unpublished version is neither shown nor consented to.
    published_at = models.DateTimeField("公表日時", null=True, blank=True)
    created_at = models.DateTimeField("登録日時", default=timezone.now)
    # What changed, in a few lines: told in the change mail (seed 002 1.3.3) and on the page.
    summary = models.TextField("改定の概要", blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="公表者",
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )
    # A change published in the back office, whose users were mailed (seed 002 1.3.3); False for
    # the versions the code ships with, which changed nothing for anyone.
    change_mailed = models.BooleanField("改定通知の対象", default=False)

    class Meta:
        verbose_name = "規約"
        verbose_name_plural = "規約"
        ordering = ["system", "kind", "-effective_date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["system", "kind", "version"], name="terms_document_version_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["system", "kind", "effective_date"], name="terms_document_current"),
        ]

    def __str__(self) -> str:
        return f"{self.title}（{self.version}）"


class Consent(models.Model):
    """One consent (同意) to one version of a document: who, for which application, when, from where.

    A company that applies to join has neither an organization nor a user yet: its consent names the
    applicant's e-mail address and the application, and gets the organization when the application
    is approved. Seed 000 2.1.2: the system-use contract starts when 「本利用規約に同意する」 is clicked.
    """

    document = models.ForeignKey(
        TermsDocument, verbose_name="規約", on_delete=models.PROTECT, related_name="consents"
    )
    organization = models.ForeignKey(
        "identity.Organization",
        verbose_name="事業者",
        on_delete=models.PROTECT,
        related_name="terms_consents",
        null=True,
        blank=True,
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="ユーザ",
        on_delete=models.SET_NULL,
        related_name="terms_consents",
        null=True,
        blank=True,
    )
    applicant_email = models.EmailField("申請者メールアドレス", blank=True)
    application = models.ForeignKey(
        "reviews.Application",
        verbose_name="申請",
        on_delete=models.PROTECT,
        related_name="terms_consents",
        null=True,
        blank=True,
    )
    consented_at = models.DateTimeField("同意日時", default=timezone.now)
    ip = models.GenericIPAddressField("IPアドレス", null=True, blank=True)

    class Meta:
        verbose_name = "規約への同意"
        verbose_name_plural = "規約への同意"
        ordering = ["consented_at", "id"]
        indexes = [
            models.Index(fields=["organization", "document"], name="terms_consent_org_document"),
            models.Index(fields=["application", "document"], name="terms_consent_app_document"),
        ]
        constraints = [
            # A consent always says whose it is.
            models.CheckConstraint(
                condition=Q(organization__isnull=False)
                | Q(user__isnull=False)
                | Q(application__isnull=False)
                | ~Q(applicant_email=""),
                name="terms_consent_has_party",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document} {self.consented_at:%Y-%m-%d %H:%M}"


class ChangeMail(models.Model):
    """The mail telling one user that a document changed (seed 002 1.3.3): one outbox row per user.

    The outbox row says whether and when it was sent; the back office counts these per version
    to show that every user was mailed within 30 days.
    """

    document = models.ForeignKey(
        TermsDocument, verbose_name="規約", on_delete=models.PROTECT, related_name="change_mails"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="ユーザ",
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )
    email = models.EmailField("宛先")
    message = models.ForeignKey(
        "core.OutboxMessage", verbose_name="送信メール", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("作成日時", default=timezone.now)

    class Meta:
        verbose_name = "規約改定の通知メール"
        verbose_name_plural = "規約改定の通知メール"
        ordering = ["document", "id"]
        constraints = [
            # One mail per user and version, however often the publication is retried.
            models.UniqueConstraint(fields=["document", "user"], name="terms_change_mail_once_per_user"),
        ]

    def __str__(self) -> str:
        return f"{self.document} → {self.email}"
