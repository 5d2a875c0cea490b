"""The organization's staff screens (/backoffice/), one list of URLs per area, and `AREAS`: every
area with its name and purpose, the one list the URLs, the top page's cards and the navigation are
made from (a new area cannot be served without showing on the top page)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, include, path

from kouiki.backoffice.views import (
    assembly,
    audit,
    auth,
    availability,
    calendar,
    capacity,
    certificates,
    fees,
    government,
    home,
    incidents,
    joining,
    members,
    notices,
    outbox,
    overview,
    participants,
    reading_calendars,
    reviews,
    staff,
    switching,
    terms,
    tso,
)
from kouiki.government.choices import ROLES as GOVERNMENT_ROLES
from kouiki.identity.access import has_staff_role, staff_role_required
from kouiki.identity.choices import StaffRole
from kouiki.identity.services.certificates import STAFF_ROLES as CERTIFICATE_ROLES

app_name = "backoffice"

# Back office: the audit log viewer (/backoffice/audit/).
audit_urls = [
    path("", audit.event_list, name="audit_list"),
    path("export/", audit.event_export, name="audit_export"),
    path("<int:pk>/", audit.event_detail, name="audit_detail"),
]


# Back office: the mail outbox (/backoffice/mail/).
outbox_urls = [
    path("", outbox.message_list, name="outbox_list"),
    path("<int:pk>/", outbox.message_detail, name="outbox_detail"),
    path("<int:pk>/retry/", outbox.message_retry, name="outbox_retry"),
]


# Back office: the review queue of every application type (/backoffice/reviews/).
reviews_urls = [
    path("", reviews.queue, name="review_queue"),
    path("<int:pk>/", reviews.detail, name="review_detail"),
    path("<int:pk>/decide/", reviews.decide, name="review_decide"),
]


# Back office: 事業者マスタ登録 of join applications (/backoffice/joining/).
joining_urls = [
    path("", joining.joining_list, name="joining_list"),
    path("<int:pk>/assign/", joining.joining_assign, name="joining_assign"),
]


# Back office: member organizations and their member information (/backoffice/members/).
members_urls = [
    path("", members.member_list, name="member_list"),
    path("<str:code>/", members.member_detail, name="member_detail"),
]


# Back office: general meetings (/backoffice/assembly/): meetings, voting rights, convocations,
assembly_urls = [
    path("", assembly.meeting_list, name="assembly_list"),
    path("new/", assembly.meeting_create, name="assembly_create"),
    path("<int:pk>/", assembly.meeting_detail, name="assembly_detail"),
    path("<int:pk>/edit/", assembly.meeting_edit, name="assembly_edit"),
    path("<int:pk>/voting-rights/", assembly.voting_rights, name="assembly_voting_rights"),
    path("<int:pk>/convene/", assembly.convene, name="assembly_convene"),
    path("<int:pk>/answers/", assembly.answers, name="assembly_answers"),
    path("<int:pk>/results.csv", assembly.results_csv, name="assembly_results_csv"),
    path("<int:pk>/tally.csv", assembly.tally_csv, name="assembly_tally_csv"),
    path("<int:pk>/paper-notices.csv", assembly.paper_csv, name="assembly_paper_csv"),
    path("<int:pk>/checkin/", assembly.checkin_page, name="assembly_checkin"),
    path("<int:pk>/checkin/counts/", assembly.checkin_counts, name="assembly_checkin_counts"),
]


# Back office: membership-fee invoices, the payee account, capacity-market documents and the
fees_urls = [
    path("", fees.invoice_list, name="fees_invoice_list"),
    path("invoices/import/", fees.invoice_import, name="fees_invoice_import"),
    path("invoices/template.csv", fees.invoice_template, name="fees_invoice_template"),
    path("invoices/<int:pk>/", fees.invoice_detail, name="fees_invoice_detail"),
    path("invoices/<int:pk>/pdf/", fees.invoice_pdf, name="fees_invoice_pdf"),
    path(
        "invoices/<int:pk>/payment/cancel/", fees.invoice_payment_cancel, name="fees_invoice_payment_cancel"
    ),
    path("payee/", fees.payee_account, name="fees_payee_account"),
    path("capacity/", fees.capacity_list, name="fees_capacity_list"),
    path("capacity/new/", fees.capacity_upload, name="fees_capacity_upload"),
    path("capacity/<int:pk>/file/", fees.capacity_file, name="fees_capacity_file"),
    path("capacity/<int:pk>/publish/", fees.capacity_publish, name="fees_capacity_publish"),
    path("capacity/<int:pk>/delete/", fees.capacity_delete, name="fees_capacity_delete"),
    path("refund-accounts/", fees.refund_account_list, name="fees_refund_accounts"),
]


# Back office: the capacity market system (/backoffice/capacity/).
capacity_urls = [
    path("", capacity.operators, name="capacity_operators"),
    path("operators/<int:pk>/", capacity.operator_detail, name="capacity_operator"),
    path("sources/", capacity.sources, name="capacity_sources"),
    path("sources/<int:pk>/", capacity.source_detail, name="capacity_source"),
]


# Back office: notices (/backoffice/notices/).
notices_urls = [
    path("", notices.notice_list, name="notice_list"),
    path("new/", notices.notice_create, name="notice_create"),
    path("<int:pk>/", notices.notice_detail, name="notice_detail"),
    path("<int:pk>/edit/", notices.notice_edit, name="notice_edit"),
    path("<int:pk>/withdraw/", notices.notice_withdraw, name="notice_withdraw"),
    path("<int:pk>/files/<int:attachment_pk>/", notices.notice_attachment, name="notice_attachment"),
]


# Back office: terms of use of the three systems (/backoffice/terms/, X-T1).
terms_urls = [
    path("", terms.version_list, name="terms_list"),
    path("new/", terms.version_create, name="terms_create"),
    path("<int:pk>/", terms.version_detail, name="terms_detail"),
    path("<int:pk>/edit/", terms.version_edit, name="terms_edit"),
    path("<int:pk>/publish/", terms.version_publish, name="terms_publish"),
    path("<int:pk>/delete/", terms.version_delete, name="terms_delete"),
]


# Back office: closing days and the capacity market system's service hours (/backoffice/calendar/).
calendar_urls = [
    path("", calendar.closing_days, name="calendar"),
    path("<int:pk>/remove/", calendar.closing_day_remove, name="calendar_remove"),
]


# Back office: switching — every organization's applications and switches, read-only
switching_urls = [
    path("", switching.application_list, name="switching_applications"),
    path("applications/<str:reception_number>/", switching.application_detail, name="switching_application"),
    path("switches/", switching.switch_list, name="switching_switches"),
    path("switches/<str:number>/", switching.switch_detail, name="switching_switch"),
    path("contractor-grants/", switching.contractor_grants, name="switching_contractor_grants"),
    # 漏えい等事案 (SW-P3)
    path("incidents/", incidents.incident_list, name="switching_incidents"),
    path("incidents/new/", incidents.incident_new, name="switching_incident_new"),
    path("incidents/<int:incident_id>/", incidents.incident_detail, name="switching_incident"),
    path("incidents/<int:incident_id>/<slug:act>/", incidents.incident_act, name="switching_incident_act"),
]


# Back office: the operators' gateway (/backoffice/tso/).
tso_urls = [
    path("", tso.message_list, name="tso_messages"),
    path("messages/<str:message_id>/", tso.message_detail, name="tso_message"),
    path("clock/", tso.operators_clock, name="tso_clock"),
    path("reading-calendars/", reading_calendars.calendar_list, name="tso_reading_calendars"),
    path("reading-calendars/import/", reading_calendars.calendar_import, name="tso_reading_calendar_import"),
    path(
        "reading-calendars/template.csv",
        reading_calendars.calendar_template,
        name="tso_reading_calendar_template",
    ),
    path(
        "reading-calendars/<str:area>/<str:month>/",
        reading_calendars.calendar_detail,
        name="tso_reading_calendar",
    ),
]


# Back office: client certificates of every participant (/backoffice/certificates/, X-C1).
certificates_urls = [
    path("", certificates.certificate_list, name="certificate_list"),
    path("<int:pk>/", certificates.certificate_detail, name="certificate_detail"),
]


# Back office: information to government agencies (/backoffice/government/, X-G1).
government_urls = [
    path("", government.request_list, name="government_list"),
    path("new/", government.request_create, name="government_create"),
    path("<int:pk>/", government.request_detail, name="government_detail"),
    path("<int:pk>/approve/", government.request_approve, name="government_approve"),
    path("<int:pk>/reject/", government.request_reject, name="government_reject"),
    path("<int:pk>/provide/", government.request_provide, name="government_provide"),
    path("<int:pk>/files/<int:file_pk>/", government.file_download, name="government_file"),
]


# Back office: the organization's own staff accounts and their roles (/backoffice/staff/).
staff_urls = [
    path("", staff.staff_list, name="staff_list"),
    path("new/", staff.staff_create, name="staff_create"),
    path("<int:pk>/", staff.staff_detail, name="staff_detail"),
    path("<int:pk>/roles/", staff.staff_roles, name="staff_roles"),
    path("<int:pk>/active/", staff.staff_active, name="staff_active"),
    path("<int:pk>/password/", staff.staff_password, name="staff_password"),
    path("<int:pk>/otp/reset/", staff.staff_otp_reset, name="staff_otp_reset"),
]


# Back office: 利用の停止・制限 (/backoffice/availability/, X-S1): stopping a system, request limits.
availability_urls = [
    path("", availability.stops, name="availability"),
    path("<int:pk>/end/", availability.stop_end, name="availability_end"),
    path("limits/", availability.limits, name="request_limits"),
    path("limits/<int:pk>/remove/", availability.limit_remove, name="request_limit_remove"),
]


# Back office: participants' use of the systems (/backoffice/participants/, X-S2, X-S3, SW-P4, X-L1).
participants_urls = [
    path("", participants.use_list, name="participant_uses"),
    path("<str:code>/use/", participants.participant_use, name="participant_use"),
    path("<str:code>/retained/", participants.retained_data, name="participant_retained"),
]


# Back office: the operations overview (/backoffice/overview/, X-S1): figures as charts.
overview_urls = [
    path("", overview.overview, name="overview"),
]


# Who may use an area: the staff roles (StaffRole) it is open to. Operations common to every
# business (notices, terms, closing days, sent mail) are open to every operating role.
REVIEWER = frozenset({StaffRole.REVIEWER.value})
SWITCHING = frozenset({StaffRole.SWITCHING.value})
CAPACITY = frozenset({StaffRole.CAPACITY.value})
STAFF_ADMIN = frozenset({StaffRole.STAFF_ADMIN.value})
OPERATIONS = REVIEWER | SWITCHING | CAPACITY


@dataclass(frozen=True)
class Area:
    """One area of the back office: its URL prefix, its URLs (the first is its index), the name the
    navigation shows, the top page's heading it comes under, what it is for, and the staff roles it
    is open to (its URLs refuse anyone else; its card and link show to them only)."""

    prefix: str
    urls: list[URLPattern]
    name: str
    group: str
    summary: str
    roles: frozenset[str]

    @property
    def index_url_name(self) -> str:
        return f"{app_name}:{self.urls[0].name}"

    def open_to(self, actor: Any) -> bool:
        return has_staff_role(actor, self.roles)

    def guarded_urls(self) -> list[URLPattern]:
        """The area's URLs, each view refusing staff without one of the area's roles."""
        guard = staff_role_required(self.roles)
        return [URLPattern(url.pattern, guard(url.callback), url.default_args, url.name) for url in self.urls]


AREAS = [
    Area(
        "reviews/",
        reviews_urls,
        "審査",
        "審査・加入",
        "全システムの申請（加入・会員情報変更・容量市場など）の審査",
        REVIEWER,
    ),
    Area(
        "joining/",
        joining_urls,
        "事業者マスタ登録",
        "審査・加入",
        "加入（仮）申請への事業者コードの発番",
        REVIEWER,
    ),
    Area("members/", members_urls, "会員", "会員", "会員事業者と会員情報の履歴の確認", REVIEWER),
    Area(
        "assembly/", assembly_urls, "総会", "会員", "総会の開催・議決権・招集通知・回答・当日受付", REVIEWER
    ),
    Area(
        "fees/",
        fees_urls,
        "会費・請求書",
        "会員",
        "会費請求書の発行と入金、振込先口座、容量市場請求書等と還付口座",
        REVIEWER | CAPACITY,
    ),
    Area(
        "capacity/", capacity_urls, "容量市場", "容量市場", "容量市場の事業者情報と電源等情報の確認", CAPACITY
    ),
    Area(
        "switching/",
        switching_urls,
        "スイッチング",
        "スイッチング",
        "全事業者のスイッチング申請と廃止取次の確認、漏えい等事案",
        SWITCHING,
    ),
    Area(
        "tso/",
        tso_urls,
        "送配電連携",
        "スイッチング",
        "一般送配電事業者との電文、検針日程カレンダー、模擬時計",
        SWITCHING,
    ),
    Area(
        "certificates/",
        certificates_urls,
        "クライアント証明書",
        "運用",
        "スイッチング支援・容量市場システムのクライアント証明書の承認・失効",
        CERTIFICATE_ROLES,
    ),
    Area(
        "notices/",
        notices_urls,
        "お知らせ",
        "お知らせ・規約・休業日",
        "各システムのお知らせの登録と取下げ",
        OPERATIONS,
    ),
    Area(
        "terms/",
        terms_urls,
        "利用規約",
        "お知らせ・規約・休業日",
        "各システムの利用規約の版の登録と公開",
        OPERATIONS,
    ),
    Area(
        "calendar/",
        calendar_urls,
        "休業日",
        "お知らせ・規約・休業日",
        "休業日と容量市場システムの提供時間",
        OPERATIONS,
    ),
    Area(
        "overview/",
        overview_urls,
        "運用状況",
        "運用",
        "申請件数・送配電事業者の未回答と回答時間・APIの要求数・送信失敗のグラフ（利用の制限や停止の判断に）",
        OPERATIONS | STAFF_ADMIN,
    ),
    Area(
        "mail/", outbox_urls, "送信メール", "運用", "送信したメールとその状態、再送", OPERATIONS | STAFF_ADMIN
    ),
    Area(
        "availability/",
        availability_urls,
        "利用の停止・制限",
        "運用",
        "システムの停止（メンテナンス・災害・運用上の必要）と、事業者ごとのAPI要求数の上限",
        OPERATIONS | STAFF_ADMIN,
    ),
    Area(
        "government/",
        government_urls,
        "行政機関への情報提供",
        "運用",
        "資源エネルギー庁・電力・ガス取引監視等委員会などからの依頼の記録、別の職員による承認、提供ファイルの作成と提供の記録",
        GOVERNMENT_ROLES,
    ),
    Area(
        "participants/",
        participants_urls,
        "事業者の利用状態",
        "運用",
        "利用の中断とその解除、利用終了の申請の完了、契約の終了、利用終了事業者の保存データの閲覧",
        OPERATIONS | STAFF_ADMIN,
    ),
    Area("audit/", audit_urls, "監査ログ", "運用", "すべての操作の記録の検索とCSV出力", STAFF_ADMIN),
    Area(
        "staff/",
        staff_urls,
        "職員管理",
        "運用",
        "本機関職員のアカウントの登録・職員権限・無効化・パスワード再発行",
        STAFF_ADMIN,
    ),
]


urlpatterns = [
    path("", home.home, name="home"),
    path("login/", auth.login_view, name="login"),
    path("login/otp/", auth.otp_view, name="login_otp"),
    path("otp/setup/", auth.otp_setup_view, name="otp_setup"),
    path("logout/", auth.logout_view, name="logout"),
    path("password/change/", auth.protect_password_change, name="password_change"),
    *(path(area.prefix, include(area.guarded_urls())) for area in AREAS),
]


def areas_for(actor: Any) -> Iterable[Area]:
    """The areas the actor's staff roles open, in the order of AREAS (cards and navigation)."""
    return [area for area in AREAS if area.open_to(actor)]
