"""Every audited act, in one naming scheme: `<domain>.<act>` (two parts, the act in snake_case).

`record` refuses a name that is not listed here, so the back-office log viewer can show each one
in Japanese. The log is append-only: rows written before a name was renamed keep their old code,
and `LEGACY` maps those codes to the current name (for the label and for filtering).
"""

from __future__ import annotations

from django.db import models


class Action(models.TextChoices):
    # Logging in and out (identity)
    LOGIN_SUCCESS = "login.success", "ログイン成功"
    LOGIN_FAILURE = "login.failure", "ログイン失敗"
    LOGIN_LOCKOUT = "login.lockout", "ロックアウト中のログイン拒否"
    LOGIN_LOGOUT = "login.logout", "ログアウト"

    # Passwords and two-factor login (identity)
    PASSWORD_CHANGE = "password.change", "パスワード変更"
    PASSWORD_RESET_REQUEST = "password.reset_request", "パスワード再設定メールの送信"
    PASSWORD_RESET = "password.reset", "パスワード再設定"
    OTP_ENROLL = "otp.enroll", "二要素認証の有効化"
    OTP_REMOVE = "otp.remove", "二要素認証の無効化"

    # User administration (identity)
    USER_REGISTER = "user.register", "ユーザ登録"
    USER_UPDATE = "user.update", "ユーザ情報変更"
    USER_DELETE = "user.delete", "ユーザ削除"
    USER_PASSWORD_INITIALIZE = "user.password_initialize", "パスワード初期化"
    USER_UNLOCK = "user.unlock", "ロック解除"
    USER_PROFILE_UPDATE = "user.profile_update", "本人によるユーザ情報変更"
    USER_ADMIN_HANDOVER = "user.admin_handover", "管理者の引継ぎ"

    # Organizations (identity)
    ORGANIZATION_CREATE = "organization.create", "事業者登録"
    ORGANIZATION_UPDATE = "organization.update", "事業者情報変更"
    ORGANIZATION_SUCCEEDED = "organization.succeeded", "承継による会員資格の終了"
    ORGANIZATION_WITHDRAWN = "organization.withdrawn", "脱退による会員資格の終了"

    # A participant's use of a system (利用の中断 X-S2, 契約の終了 X-S3, X-L1; identity)
    USE_SUSPEND = "use.suspend", "利用の中断"
    USE_LIFT = "use.lift", "利用の中断の解除"
    USE_TERMINATION_REQUEST = "use.termination_request", "利用終了の申請"
    USE_TERMINATION_WITHDRAW = "use.termination_withdraw", "利用終了の申請の取下げ"
    USE_TERMINATION_REJECT = "use.termination_reject", "利用終了の申請の差戻し"
    USE_TERMINATE = "use.terminate", "利用契約の終了"
    USE_RETAINED_READ = "use.retained_read", "利用終了事業者の保存データの閲覧"

    # API tokens and callbacks, 状況通知 (identity)
    API_TOKEN_ISSUE = "api_token.issue", "APIトークン発行"
    API_TOKEN_REVOKE = "api_token.revoke", "APIトークン失効"
    CALLBACK_REGISTER = "callback.register", "状況通知先の登録・変更"
    CALLBACK_ROTATE_SECRET = "callback.rotate_secret", "状況通知の署名鍵の更新"
    CALLBACK_STOP = "callback.stop", "状況通知の停止"
    CALLBACK_PING = "callback.ping", "状況通知のテスト送信"
    CALLBACK_RETRY = "callback.retry", "状況通知の再送"

    # Contractors acting for a participant (受託者, X-I2; identity)
    CONTRACTOR_GRANT = "contractor.grant", "業務委託の登録"
    CONTRACTOR_REVOKE = "contractor.revoke", "業務委託の取消"

    # Client certificates (X-C1; identity)
    CLIENT_CERT_REGISTER = "client_cert.register", "クライアント証明書の登録"
    CLIENT_CERT_ISSUE = "client_cert.issue", "クライアント証明書の発行（サンドボックス）"
    CLIENT_CERT_APPROVE = "client_cert.approve", "クライアント証明書の承認"
    CLIENT_CERT_REJECT = "client_cert.reject", "クライアント証明書の却下"
    CLIENT_CERT_REVOKE = "client_cert.revoke", "クライアント証明書の失効"

    # Applications under review (reviews): one per act of reviews.services
    REVIEW_CREATE = "review.create", "申請の作成"
    REVIEW_SUBMIT = "review.submit", "申請の提出"
    REVIEW_UPDATE = "review.update", "申請内容の変更"
    REVIEW_RESUBMIT = "review.resubmit", "再申請"
    REVIEW_HOLD = "review.hold", "申請の保留"
    REVIEW_REJECT = "review.reject", "申請の却下"
    REVIEW_APPROVE = "review.approve", "申請の承認"
    REVIEW_WITHDRAW = "review.withdraw", "申請の取下げ"
    REVIEW_EXPIRE = "review.expire", "申請の失効"

    # Joining and member information (membership)
    MEMBERSHIP_JOIN_LINK = "membership.join_link", "加入申請URLの送信"
    MEMBERSHIP_CODE_ASSIGN = "membership.code_assign", "事業者コードの発番"
    MEMBERSHIP_PROFILE_CREATE = "membership.profile_create", "会員情報の登録"
    MEMBERSHIP_PROFILE_UPDATE = "membership.profile_update", "会員情報の変更"
    MEMBERSHIP_ADMINISTRATORS_UPDATE = "membership.administrators_update", "管理者情報の変更（即時反映）"
    MEMBERSHIP_CERTIFICATE_ISSUE = "membership.certificate_issue", "加入証跡の発行"

    # Terms of use, 利用規約 (terms)
    TERMS_CONSENT = "terms.consent", "規約への同意"
    TERMS_CONSENT_ATTACH = "terms.consent_attach", "規約への同意の事業者への引継ぎ"
    TERMS_VERSION_CREATE = "terms.version_create", "規約の版の登録"
    TERMS_VERSION_UPDATE = "terms.version_update", "規約の版の修正"
    TERMS_VERSION_DELETE = "terms.version_delete", "規約の版の削除"
    TERMS_VERSION_PUBLISH = "terms.version_publish", "規約の版の公開"

    # Notices, お知らせ (notices)
    NOTICES_CREATE = "notices.create", "お知らせの登録"
    NOTICES_UPDATE = "notices.update", "お知らせの修正"
    NOTICES_WITHDRAW = "notices.withdraw", "お知らせの取下げ"

    # General meetings, 総会 (assembly)
    ASSEMBLY_MEETING_CREATE = "assembly.meeting_create", "総会の登録"
    ASSEMBLY_MEETING_UPDATE = "assembly.meeting_update", "総会の修正"
    ASSEMBLY_VOTING_RIGHTS = "assembly.voting_rights", "議決権の設定"
    ASSEMBLY_CONVOCATION_SEND = "assembly.convocation_send", "招集通知の送信"
    ASSEMBLY_ANSWER = "assembly.answer", "招集通知への回答"
    ASSEMBLY_CHECK_IN = "assembly.check_in", "総会の受付"
    ASSEMBLY_CHECK_IN_REFUSED = "assembly.check_in_refused", "総会の受付の拒否"

    # Fees, invoices and capacity market documents (fees)
    FEES_PAYEE_ACCOUNT_REGISTER = "fees.payee_account_register", "会費の振込先口座の登録"
    FEES_INVOICE_BATCH_ISSUE = "fees.invoice_batch_issue", "請求書の一括発行"
    FEES_INVOICE_PAID = "fees.invoice_paid", "入金の記録"
    FEES_INVOICE_PAYMENT_CANCEL = "fees.invoice_payment_cancel", "入金の記録の取消し"
    FEES_INVOICE_DOWNLOAD = "fees.invoice_download", "請求書のダウンロード"
    FEES_CAPACITY_DOCUMENT_UPLOAD = "fees.capacity_document_upload", "容量市場請求書等のアップロード"
    FEES_CAPACITY_DOCUMENT_PUBLISH = "fees.capacity_document_publish", "容量市場請求書等の公開"
    FEES_CAPACITY_DOCUMENT_DELETE = "fees.capacity_document_delete", "容量市場請求書等の削除"
    FEES_CAPACITY_DOCUMENT_DOWNLOAD = "fees.capacity_document_download", "容量市場請求書等の閲覧"
    FEES_REFUND_ACCOUNT_REGISTER = "fees.refund_account_register", "容量市場口座情報等の登録"
    FEES_REFUND_ACCOUNT_CHANGE = "fees.refund_account_change", "容量市場口座情報等の変更"
    FEES_REFUND_ACCOUNTS_EXPORT = "fees.refund_accounts_export", "容量市場口座情報等のCSV出力"

    # Capacity market participants and power sources (capacity)
    CAPACITY_OPERATOR_REGISTER = "capacity.operator_register", "事業者情報の登録"
    CAPACITY_OPERATOR_CHANGE = "capacity.operator_change", "事業者情報の変更"
    CAPACITY_OPERATOR_DELETE = "capacity.operator_delete", "事業者情報の削除"
    CAPACITY_ADMIN_ID_NOTIFY = "capacity.admin_id_notify", "管理者ID通知"
    CAPACITY_SOURCE_REGISTER = "capacity.source_register", "電源等情報の登録"
    CAPACITY_SOURCE_CHANGE = "capacity.source_change", "電源等情報の変更"
    CAPACITY_SOURCE_DELETE = "capacity.source_delete", "電源等情報の削除"
    CAPACITY_SOURCE_IMPORT = "capacity.source_import", "電源等情報の一括申請"

    # Bulk CSV files (bulk)
    BULK_UPLOAD = "bulk.upload", "一括登録ファイルのアップロード"
    BULK_CONFIRM = "bulk.confirm", "一括登録ファイルの確定"
    BULK_CANCEL = "bulk.cancel", "一括登録ファイルの中止"
    BULK_COMPLETE = "bulk.complete", "一括登録の完了"

    # Switching support (switching)
    SWITCHING_APPLICATION_FILE = "switching.application_file", "スイッチング申請の受付"
    SWITCHING_APPLICATION_CORRECT = "switching.application_correct", "スイッチング申請の訂正"
    SWITCHING_APPLICATION_CANCEL = "switching.application_cancel", "スイッチング申請の取消"
    SWITCHING_APPLICATION_ACCEPTED = "switching.application_accepted", "一般送配電事業者の受付"
    SWITCHING_APPLICATION_COMPLETED = "switching.application_completed", "一般送配電事業者の処理完了"
    SWITCHING_APPLICATION_REJECTED = "switching.application_rejected", "一般送配電事業者の不備返却"
    SWITCHING_SWITCH_REGISTER = "switching.switch_register", "廃止取次登録"
    SWITCHING_SWITCH_DECIDE = "switching.switch_decide", "廃止取次判断"
    SWITCHING_SWITCH_EXPIRE = "switching.switch_expire", "廃止取次の期限切れ"
    SWITCHING_REGISTRY_CHANGE = "switching.registry_change", "供給地点情報の変更（一般送配電事業者）"
    SWITCHING_PERSONAL_DATA_READ = "switching.personal_data_read", "個人情報の閲覧"
    SWITCHING_INCIDENT_RECORD = "switching.incident_record", "漏えい等事案の登録"
    SWITCHING_INCIDENT_POINTS_ADD = "switching.incident_points_add", "漏えい等事案の対象地点の追加"
    SWITCHING_INCIDENT_NOTIFICATION = "switching.incident_notification", "漏えい等事案の本人への連絡の記録"
    SWITCHING_INCIDENT_PUBLICATION = "switching.incident_publication", "漏えい等事案の公表の記録"
    SWITCHING_INCIDENT_EXCEPTION = "switching.incident_exception", "漏えい等事案の公表の例外の記録"
    SWITCHING_INCIDENT_CLOSE = "switching.incident_close", "漏えい等事案の完了"
    SWITCHING_INCIDENT_NOTE = "switching.incident_note", "漏えい等事案への本機関のメモ"
    SWITCHING_INCIDENT_READ = "switching.incident_read", "漏えい等事案の閲覧（本機関）"

    # The operators' gateway (tso)
    TSO_OPERATORS_CLOCK_ADVANCE = "tso.operators_clock_advance", "模擬の一般送配電事業者の時計を進める"
    TSO_READING_CALENDAR_LOAD = "tso.reading_calendar_load", "検針日程カレンダーの登録"

    # Stopping and restricting a system (利用の停止・制限 X-S1; backoffice, identity)
    AVAILABILITY_STOP = "availability.stop", "利用の停止（メンテナンス等）の登録"
    AVAILABILITY_STOP_END = "availability.stop_end", "利用の停止の終了・中止"
    AVAILABILITY_LIMIT_SET = "availability.limit_set", "利用制限（要求数の上限）の設定"
    AVAILABILITY_LIMIT_REMOVE = "availability.limit_remove", "利用制限の解除"

    # Information to government agencies (X-G1; government)
    GOVERNMENT_REQUEST_RECORD = "government.request_record", "行政機関からの情報提供依頼の記録"
    GOVERNMENT_REQUEST_APPROVE = "government.request_approve", "行政機関への情報提供の承認"
    GOVERNMENT_REQUEST_REJECT = "government.request_reject", "行政機関への情報提供の却下"
    GOVERNMENT_PROVIDE = "government.provide", "行政機関への情報提供（ファイル作成）"
    GOVERNMENT_DOWNLOAD = "government.download", "行政機関への情報提供ファイルのダウンロード"

    # The back office: closing days, mail, the audit log itself (backoffice)
    CALENDAR_CLOSING_DAY_ADD = "calendar.closing_day_add", "休業日の追加"
    CALENDAR_CLOSING_DAY_REMOVE = "calendar.closing_day_remove", "休業日の削除"
    OUTBOX_RETRY = "outbox.retry", "メールの再送"
    AUDIT_EXPORT = "audit.export", "監査ログのCSV出力"


# The Japanese name of each `<domain>` of the actions, for choosing a whole family in the log viewer.
DOMAINS: dict[str, str] = {
    "login": "ログイン・ログアウト",
    "password": "パスワード",
    "otp": "二要素認証",
    "user": "ユーザ管理",
    "organization": "事業者",
    "use": "利用の中断・契約の終了",
    "api_token": "APIトークン",
    "callback": "イベント通知（コールバック）",
    "contractor": "業務委託（受託者）",
    "client_cert": "クライアント証明書",
    "review": "申請の審査",
    "membership": "加入・会員情報",
    "terms": "利用規約",
    "notices": "お知らせ",
    "assembly": "総会",
    "fees": "会費・請求書",
    "capacity": "容量市場",
    "bulk": "一括登録（CSV）",
    "switching": "スイッチング",
    "tso": "送配電連携",
    "government": "行政機関への情報提供",
    "availability": "利用の停止・制限",
    "calendar": "休業日",
    "outbox": "送信メール",
    "audit": "監査ログ",
}


def grouped_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """The actions by domain, each group led by the whole domain ("login": every login act), for
    a select whose labels are Japanese only."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for action in Action:
        domain = action.value.split(".")[0]
        groups.setdefault(domain, [(domain, f"{DOMAINS[domain]}（すべて）")]).append(
            (action.value, action.label)
        )
    return [(DOMAINS[domain], choices) for domain, choices in groups.items()]


# Codes stored before the one naming scheme (issue 12): old code -> its current name.
LEGACY: dict[str, Action] = {
    "logout": Action.LOGIN_LOGOUT,
    "member_profile.create": Action.MEMBERSHIP_PROFILE_CREATE,
    "switching.application.file": Action.SWITCHING_APPLICATION_FILE,
    "switching.application.correct": Action.SWITCHING_APPLICATION_CORRECT,
    "switching.application.cancel": Action.SWITCHING_APPLICATION_CANCEL,
    "switching.application.accepted": Action.SWITCHING_APPLICATION_ACCEPTED,
    "switching.application.completed": Action.SWITCHING_APPLICATION_COMPLETED,
    "switching.application.rejected": Action.SWITCHING_APPLICATION_REJECTED,
    "switching.switch.register": Action.SWITCHING_SWITCH_REGISTER,
    "switching.switch.decide": Action.SWITCHING_SWITCH_DECIDE,
    "switching.switch.expire": Action.SWITCHING_SWITCH_EXPIRE,
    "switching.registry.change": Action.SWITCHING_REGISTRY_CHANGE,
    "switching.personal_data.read": Action.SWITCHING_PERSONAL_DATA_READ,
}

_LABELS: dict[str, str] = {
    **{code: action.label for code, action in LEGACY.items()},
    **{action.value: action.label for action in Action},
}


def label(code: str) -> str:
    """The Japanese name of a stored code, a renamed one included; an unknown code as it is."""
    return _LABELS.get(code, code)


def legacy_codes(name: str) -> list[str]:
    """The old codes of `name` and of its family ("switching" → every old "switching.…" code)."""
    return [old for old, action in LEGACY.items() if action == name or action.startswith(f"{name}.")]


def codes_labelled(text: str) -> list[str]:
    """The codes, current and old, whose Japanese name contains `text`."""
    return [code for code, name in _LABELS.items() if text in name]
