"""Every function of ../shared/FUNCTIONS.md, declared once, in the order of that document.

This module is data, one entry per function through the helpers `member`, `switching`, `capacity`
and `common` (which say each system's defaults once: its "who", a switching function's menu
heading and API operation). The catalog (`kouiki.core.catalog`) indexes it and answers who may use what,
which menu shows it and where it lives; the documentation table (docs/functions.md) is generated
from it. A function enters here the day it is specified, with `built=False`, and gets its
`url_name` and `built=True` when its screen lands.

`who` holds the codes of FUNCTIONS.md: M member, R retailer, D demand-response contractor, C capacity
market participant, A the participant's administrator, O the organization's staff; "applicant"
(someone applying to join, not yet a member), "anyone" (a public page) and "system" (done by the
system itself, or a rule it applies to everybody, not something a user opens).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Function:
    """One function: who may use it, how it is reached, and whether it is built yet."""

    id: str
    # 機能名, the name users see; where FUNCTIONS.md gives two functions one name (SW-L02, SW-L03),
    # one of them says what it does, so that a menu tells them apart.
    name: str
    system: str  # "member", "switching", "capacity" or "common"
    who: frozenset[str]
    surface: str = "web"  # "web", "api+web" or "system"
    business: str = ""  # 業務 (switching): "低圧 スイッチング(新小売)"
    tso: bool | None = None  # switching 2.1: forwarded to the area's TSO (True) or done by the hub (False)
    menu: str | None = None  # the menu heading it appears under; None: never in a menu
    url_name: str | None = None  # Django URL name of its (entry) screen, once built
    api_operation: str | None = None  # OpenAPI operationId: the id in lower case, "-" → "_"
    built: bool = False
    note: str = ""  # a restriction FUNCTIONS.md states next to the name
    # Member system: the 担当業務 whose users (besides administrators) the screen is for (seed 003).
    duty: str | None = None

    @property
    def title(self) -> str:
        """The name with its 業務, for headings and tables ("低圧 スイッチング(新小売) 廃止取次登録");
        the 業務 alone when it ends with the name ("低圧 設備情報照会", not "… 設備情報照会 設備情報照会")."""
        if not self.business or self.business.endswith(self.name):
            return self.business or self.name
        return f"{self.business} {self.name}"


M = frozenset({"M"})
A = frozenset({"A"})
O = frozenset({"O"})  # noqa: E741 - the code of FUNCTIONS.md
C = frozenset({"C"})
R = frozenset({"R"})
RD = frozenset({"R", "D"})  # FUNCTIONS.md 2.3: open to DR contractors as well as retailers
SYSTEM = frozenset({"system"})


def member(id: str, name: str, *, who: frozenset[str] = M, **more: Any) -> Function:
    """A function of the member system (FUNCTIONS.md §1)."""
    return Function(id=id, name=name, system="member", who=who, **more)


def capacity(id: str, name: str, *, who: frozenset[str] = C, **more: Any) -> Function:
    """A function of the capacity market system (FUNCTIONS.md §3)."""
    return Function(id=id, name=name, system="capacity", who=who, **more)


def common(id: str, name: str, who: frozenset[str], **more: Any) -> Function:
    """A rule or function of all three systems (FUNCTIONS.md §4)."""
    return Function(id=id, name=name, system="common", who=who, **more)


def switching(
    id: str,
    name: str,
    business: str,
    *,
    who: frozenset[str] = R,
    tso: bool | None = None,
    api: bool = True,
    surface: str | None = None,
    menu: str | None = "",
    **more: Any,
) -> Function:
    """A function of the switching system (FUNCTIONS.md §2): under its 業務's menu heading unless
    `menu` says otherwise, and an API operation named by its id in lower case unless `api` is
    False (then a screen only, or `surface`)."""
    return Function(
        id=id,
        name=name,
        business=business,
        system="switching",
        who=who,
        tso=tso,
        surface=surface or ("api+web" if api else "web"),
        menu=business if menu == "" else menu,
        api_operation=id.lower().replace("-", "_") if api else None,
        **more,
    )


FUNCTIONS: list[Function] = [
    # ------------------------------------------------------------------------------------------
    # 1. 会員情報管理システム (seeds 000, 003)
    # ------------------------------------------------------------------------------------------
    # ログイン: the login page is reached from the top page, never from the menu.
    member("MEM-A1", "ログイン", url_name="member:login", built=True),
    # 加入申請: done by applicants before they are members, from mailed links.
    member("MEM-J1", "加入申請のリンク通知", url_name="join:link", built=True, who=frozenset({"anyone"})),
    # J2 is opened from the mailed link (/member/join/provisional/<token>/), so it has no url_name;
    # J3 is its reception screen; J4 is entered with 受付番号 + 管理者①メールアドレス. None is a menu entry.
    member("MEM-J2", "加入仮申請", built=True, who=frozenset({"applicant"})),
    member(
        "MEM-J3", "加入仮申請の受付表示", url_name="join:received", built=True, who=frozenset({"applicant"})
    ),
    member("MEM-J4", "加入本申請", url_name="join:main", built=True, who=frozenset({"applicant", "O"})),
    member("MEM-J5", "仮申請の失効", surface="system", built=True, who=SYSTEM),
    # 会員情報管理
    member("MEM-I1", "加入証跡の表示", menu="会員情報管理", url_name="membership:certificate", built=True),
    member("MEM-I2", "会員情報の確認", menu="会員情報管理", url_name="membership:info", built=True),
    member(
        "MEM-I3",
        "会員情報の変更申請の一覧表示",
        menu="会員情報管理",
        url_name="membership:change_list",
        built=True,
        who=A,
    ),
    member(
        "MEM-I4",
        "会員情報の変更申請",
        menu="会員情報管理",
        url_name="membership:change_new",
        built=True,
        who=frozenset({"A", "O"}),
    ),
    member(
        "MEM-I5",
        "承継申請",
        menu="会員情報管理",
        url_name="membership:succession",
        built=True,
        who=frozenset({"A", "O"}),
    ),
    member(
        "MEM-I6",
        "脱退申請",
        menu="会員情報管理",
        url_name="membership:withdrawal",
        built=True,
        who=frozenset({"A", "O"}),
    ),
    # ユーザ管理
    member("MEM-U1", "ユーザ情報変更", menu="ユーザ管理", url_name="member:profile", built=True),
    member(
        "MEM-U2",
        "ユーザの一覧表示",
        menu="ユーザ管理（管理者機能）",
        url_name="member:user_list",
        built=True,
        who=A,
    ),
    member(
        "MEM-U3",
        "ユーザの新規登録",
        menu="ユーザ管理（管理者機能）",
        url_name="member:user_create",
        built=True,
        who=A,
    ),
    # The detail screen is per user: its entry is the user list. No menu entry of its own.
    member("MEM-U4", "ユーザの詳細情報表示および更新", url_name="member:user_list", built=True, who=A),
    # 総会情報管理
    member(
        "MEM-G1",
        "総会情報の一覧表示",
        menu="総会情報管理",
        url_name="assembly:list",
        duty="assembly",
        built=True,
    ),
    # Answers and tickets are per meeting: their entry is the list of meetings. No menu entry of their own.
    member("MEM-G2", "総会の出欠・議決権の回答", url_name="assembly:list", duty="assembly", built=True),
    member("MEM-G3", "総会当日の受付票発行", url_name="assembly:list", duty="assembly", built=True),
    # The venue's check-in is a back-office screen (staff), reached from the meetings of the back office.
    member("MEM-G4", "総会当日の受付", url_name="backoffice:assembly_list", built=True, who=O),
    # 会費 (担当業務 会費), 容量市場 (担当業務 容量市場); administrators see both
    member("MEM-F1", "請求書の確認", menu="会費", url_name="fees:invoice_list", duty="fees", built=True),
    member(
        "MEM-F2",
        "容量市場請求書等情報管理",
        menu="容量市場請求書等情報管理",
        url_name="fees:capacity_list",
        duty="capacity",
        built=True,
    ),
    # ------------------------------------------------------------------------------------------
    # 2. スイッチング支援システム (seeds 001, 004)
    # 2.1 Retailers (R), API+Web; 2.3 adds D to SW-L01..L03, L15, H01, H02, H11, H12
    # ------------------------------------------------------------------------------------------
    # 低圧 設備情報照会
    switching(
        "SW-L01",
        "設備情報照会",
        "低圧 設備情報照会",
        tso=True,
        url_name="sw:facility_inquiry",
        built=True,
        who=RD,
    ),
    switching(
        "SW-L02",
        "使用量情報照会申請",
        "低圧 設備情報照会",
        tso=True,
        note="使用量情報を参照するためのパスワードの申請",
        url_name="sw:usage_password",
        built=True,
        who=RD,
    ),
    # 低圧 再点
    switching(
        "SW-L03",
        "使用量情報照会（取得）",
        "低圧 再点",
        tso=True,
        note="使用量情報の取得",
        url_name="sw:usage_retrieve",
        built=True,
        who=RD,
    ),
    switching("SW-L04", "再点", "低圧 再点", tso=True, url_name="sw:reconnect", built=True),
    # 低圧 廃止・撤去
    switching("SW-L05", "廃止・撤去", "低圧 廃止・撤去", tso=True, url_name="sw:abolish", built=True),
    # 低圧 スイッチング(新小売)
    switching(
        "SW-L06",
        "スイッチング廃止取次登録",
        "低圧 スイッチング（新小売）",
        tso=False,
        url_name="sw:cancel_forward_new",
        built=True,
    ),
    switching(
        "SW-L07",
        "スイッチング廃止取次結果照会",
        "低圧 スイッチング（新小売）",
        tso=False,
        url_name="sw:cancel_forwards_filed",
        built=True,
    ),
    switching(
        "SW-L08",
        "スイッチング開始申請",
        "低圧 スイッチング（新小売）",
        tso=True,
        url_name="sw:switch_start",
        built=True,
    ),
    # 低圧 スイッチング(現小売)
    switching(
        "SW-L09",
        "スイッチング廃止取次照会",
        "低圧 スイッチング（現小売）",
        tso=False,
        url_name="sw:cancel_forwards_received",
        built=True,
    ),
    switching(
        "SW-L10",
        "スイッチング廃止取次判断",
        "低圧 スイッチング（現小売）",
        tso=False,
        url_name="sw:cancel_forward_decide",
        built=True,
    ),
    switching(
        "SW-L11",
        "スイッチング廃止申請",
        "低圧 スイッチング（現小売）",
        tso=True,
        url_name="sw:switch_abolish",
        built=True,
    ),
    # 低圧 アンペア変更
    switching(
        "SW-L12",
        "アンペア変更",
        "低圧 アンペア変更",
        tso=True,
        note="アンペアブレーカを用いるエリアのみ（関西・中国・四国・沖縄を除く）",
        url_name="sw:ampere_change",
        built=True,
    ),
    # 低圧 需要者情報変更
    switching(
        "SW-L13", "需要者情報変更", "低圧 需要者情報変更", tso=True, url_name="sw:customer_change", built=True
    ),
    # 低圧 業務処理状況確認 (D sees the status of its usage inquiries through SW-L15)
    switching(
        "SW-L14", "業務処理状況確認", "低圧 業務処理状況確認", tso=False, url_name="sw:status", built=True
    ),
    switching(
        "SW-L15",
        "業務処理状況確認（複数件）",
        "低圧 業務処理状況確認",
        tso=False,
        url_name="sw:status_many",
        built=True,
        who=RD,
    ),
    # 高圧500kW未満 使用量情報照会 (also for ≥500 kW high voltage and extra-high voltage)
    switching(
        "SW-H01",
        "使用量情報照会申請",
        "高圧500kW未満 使用量情報照会",
        tso=True,
        note="高圧500kW以上・特別高圧も対象",
        url_name="sw:high_usage_password",
        built=True,
        who=RD,
    ),
    switching(
        "SW-H02",
        "使用量情報照会",
        "高圧500kW未満 使用量情報照会",
        tso=True,
        note="使用量情報の取得",
        url_name="sw:high_usage_retrieve",
        built=True,
        who=RD,
    ),
    # 高圧500kW未満 廃止・撤去
    switching(
        "SW-H03", "廃止・撤去", "高圧500kW未満 廃止・撤去", tso=True, url_name="sw:high_abolish", built=True
    ),
    # 高圧500kW未満 スイッチング(新小売)
    switching(
        "SW-H04",
        "廃止取次登録",
        "高圧500kW未満 スイッチング（新小売）",
        tso=False,
        url_name="sw:high_cancel_forward_new",
        built=True,
    ),
    switching(
        "SW-H05",
        "廃止取次結果照会",
        "高圧500kW未満 スイッチング（新小売）",
        tso=False,
        url_name="sw:high_cancel_forwards_filed",
        built=True,
    ),
    switching(
        "SW-H06",
        "開始申請",
        "高圧500kW未満 スイッチング（新小売）",
        tso=True,
        url_name="sw:high_switch_start",
        built=True,
    ),
    # 高圧500kW未満 スイッチング(現小売)
    switching(
        "SW-H07",
        "廃止取次照会",
        "高圧500kW未満 スイッチング（現小売）",
        tso=False,
        url_name="sw:high_cancel_forwards_received",
        built=True,
    ),
    switching(
        "SW-H08",
        "廃止取次判断",
        "高圧500kW未満 スイッチング（現小売）",
        tso=False,
        url_name="sw:high_cancel_forward_decide",
        built=True,
    ),
    switching(
        "SW-H09",
        "廃止申請",
        "高圧500kW未満 スイッチング（現小売）",
        tso=True,
        url_name="sw:high_switch_abolish",
        built=True,
    ),
    # 高圧500kW未満 需要者情報変更
    switching(
        "SW-H10",
        "需要者情報変更",
        "高圧500kW未満 需要者情報変更",
        tso=True,
        url_name="sw:high_customer_change",
        built=True,
    ),
    # 高圧500kW未満 業務処理状況確認 (FUNCTIONS.md: 単件 / 複数件, named as SW-L14 / SW-L15)
    switching(
        "SW-H11",
        "業務処理状況確認",
        "高圧500kW未満 業務処理状況確認",
        tso=False,
        url_name="sw:high_status",
        built=True,
        who=RD,
    ),
    switching(
        "SW-H12",
        "業務処理状況確認（複数件）",
        "高圧500kW未満 業務処理状況確認",
        tso=False,
        url_name="sw:high_status_many",
        built=True,
        who=RD,
    ),
    # 低圧FIT電源・FIT卒業電源 (points identified by 受電地点特定番号); "〃" rows share the 業務.
    # Abbreviated names (結果照会, 判断, 単件 / 複数件) are written out as in the low-voltage rows.
    switching(
        "SW-F01",
        "設備情報照会",
        "低圧FIT電源・FIT卒業電源",
        tso=True,
        note="受電地点特定番号で照会",
        url_name="sw:fit_facility_inquiry",
        built=True,
    ),
    switching(
        "SW-F02",
        "再点",
        "低圧FIT電源・FIT卒業電源",
        tso=True,
        note="FIT卒業電源のみ",
        url_name="sw:fit_reconnect",
        built=True,
    ),
    switching(
        "SW-F03", "廃止・撤去", "低圧FIT電源・FIT卒業電源", tso=True, url_name="sw:fit_abolish", built=True
    ),
    # 低圧FIT卒業電源 スイッチング(新小売)
    switching(
        "SW-F04",
        "廃止取次登録",
        "低圧FIT電源・FIT卒業電源 スイッチング（新小売）",
        tso=False,
        note="FIT卒業電源のみ",
        url_name="sw:fit_cancel_forward_new",
        built=True,
    ),
    switching(
        "SW-F05",
        "廃止取次結果照会",
        "低圧FIT電源・FIT卒業電源 スイッチング（新小売）",
        tso=False,
        note="FIT卒業電源のみ",
        url_name="sw:fit_cancel_forwards_filed",
        built=True,
    ),
    switching(
        "SW-F06",
        "開始申請",
        "低圧FIT電源・FIT卒業電源 スイッチング（新小売）",
        tso=True,
        note="FIT卒業電源のみ",
        url_name="sw:fit_switch_start",
        built=True,
    ),
    # 低圧FIT卒業電源 スイッチング(現小売)
    switching(
        "SW-F07",
        "廃止取次照会",
        "低圧FIT電源・FIT卒業電源 スイッチング（現小売）",
        tso=False,
        note="FIT卒業電源のみ",
        url_name="sw:fit_cancel_forwards_received",
        built=True,
    ),
    switching(
        "SW-F08",
        "廃止取次判断",
        "低圧FIT電源・FIT卒業電源 スイッチング（現小売）",
        tso=False,
        note="FIT卒業電源のみ",
        url_name="sw:fit_cancel_forward_decide",
        built=True,
    ),
    switching(
        "SW-F09",
        "廃止申請",
        "低圧FIT電源・FIT卒業電源 スイッチング（現小売）",
        tso=True,
        note="FIT卒業電源のみ",
        url_name="sw:fit_switch_abolish",
        built=True,
    ),
    # 低圧FIT電源・FIT卒業電源 発電者情報変更
    switching(
        "SW-F10",
        "発電者情報変更",
        "低圧FIT電源・FIT卒業電源",
        tso=True,
        url_name="sw:fit_customer_change",
        built=True,
    ),
    # 低圧FIT電源・FIT卒業電源 業務処理状況確認
    switching(
        "SW-F11",
        "業務処理状況確認",
        "低圧FIT電源・FIT卒業電源 業務処理状況確認",
        tso=False,
        url_name="sw:fit_status",
        built=True,
    ),
    switching(
        "SW-F12",
        "業務処理状況確認（複数件）",
        "低圧FIT電源・FIT卒業電源 業務処理状況確認",
        tso=False,
        url_name="sw:fit_status_many",
        built=True,
    ),
    # 共通 事業者管理
    switching("SW-C01", "事業者一覧取得", "共通 事業者管理", tso=False, url_name="sw:operators", built=True),
    # ------------------------------------------------------------------------------------------
    # 2.2 Retailers (R), Web only; 2.3 adds D to SW-W01, W07, W13
    # ------------------------------------------------------------------------------------------
    # 低圧
    switching(
        "SW-W01",
        "特定地点検索",
        "低圧",
        note="住所・引込柱番号・計器番号から供給地点特定番号を検索（APIも提供: issue 14）",
        who=RD,
        menu="低圧 特定地点検索",
        url_name="sw:search",
        built=True,
    ),
    # 低圧 一括(CSV)
    switching(
        "SW-W02",
        "廃止取次一括登録",
        "低圧 一括",
        api=False,
        menu="低圧 一括処理",
        url_name="sw:bulk_w02",
        built=True,
    ),
    switching(
        "SW-W03",
        "開始一括申請",
        "低圧 一括",
        api=False,
        menu="低圧 一括処理",
        url_name="sw:bulk_w03",
        built=True,
    ),
    switching(
        "SW-W04",
        "廃止取次一括判断",
        "低圧 一括",
        api=False,
        menu="低圧 一括処理",
        url_name="sw:bulk_w04",
        built=True,
    ),
    switching(
        "SW-W05",
        "廃止一括申請",
        "低圧 一括",
        api=False,
        menu="低圧 一括処理",
        url_name="sw:bulk_w05",
        built=True,
    ),
    switching(
        "SW-W06",
        "需要者情報変更一括申請",
        "低圧 一括",
        api=False,
        menu="低圧 一括処理",
        url_name="sw:bulk_w06",
        built=True,
    ),
    switching(
        "SW-W07",
        "同一法人需要者の使用量情報照会一括申請",
        "低圧",
        note="同一エリア内の同一法人需要者の複数地点",
        who=RD,
        api=False,
        menu="低圧 一括処理",
        url_name="sw:bulk_w07",
        built=True,
    ),
    # 高圧500kW未満 一括
    switching(
        "SW-W08",
        "廃止取次一括登録",
        "高圧500kW未満 一括",
        api=False,
        menu="高圧500kW未満 一括処理",
        url_name="sw:bulk_w08",
        built=True,
    ),
    switching(
        "SW-W09",
        "開始一括申請",
        "高圧500kW未満 一括",
        api=False,
        menu="高圧500kW未満 一括処理",
        url_name="sw:bulk_w09",
        built=True,
    ),
    switching(
        "SW-W10",
        "廃止取次一括判断",
        "高圧500kW未満 一括",
        api=False,
        menu="高圧500kW未満 一括処理",
        url_name="sw:bulk_w10",
        built=True,
    ),
    switching(
        "SW-W11",
        "廃止一括申請",
        "高圧500kW未満 一括",
        api=False,
        menu="高圧500kW未満 一括処理",
        url_name="sw:bulk_w11",
        built=True,
    ),
    switching(
        "SW-W12",
        "需要者情報変更一括申請",
        "高圧500kW未満 一括",
        api=False,
        menu="高圧500kW未満 一括処理",
        url_name="sw:bulk_w12",
        built=True,
    ),
    switching(
        "SW-W13",
        "同一法人需要者の使用量情報照会一括申請",
        "高圧500kW未満 一括",
        who=RD,
        api=False,
        menu="高圧500kW未満 一括処理",
        url_name="sw:bulk_w13",
        built=True,
    ),
    # 低圧FIT
    switching(
        "SW-W14",
        "特定地点検索",
        "低圧FIT",
        note="住所・引込柱番号・計器番号から受電地点特定番号を検索（APIも提供: issue 14）",
        menu="低圧FIT 特定地点検索",
        url_name="sw:fit_search",
        built=True,
    ),
    # 低圧FIT卒業電源 一括
    switching(
        "SW-W15",
        "廃止取次一括登録",
        "低圧FIT卒業電源 一括",
        api=False,
        menu="低圧FIT卒業電源 一括処理",
        url_name="sw:bulk_w15",
        built=True,
    ),
    switching(
        "SW-W16",
        "開始一括申請",
        "低圧FIT卒業電源 一括",
        api=False,
        menu="低圧FIT卒業電源 一括処理",
        url_name="sw:bulk_w16",
        built=True,
    ),
    switching(
        "SW-W17",
        "廃止取次一括判断",
        "低圧FIT卒業電源 一括",
        api=False,
        menu="低圧FIT卒業電源 一括処理",
        url_name="sw:bulk_w17",
        built=True,
    ),
    switching(
        "SW-W18",
        "廃止一括申請",
        "低圧FIT卒業電源 一括",
        api=False,
        menu="低圧FIT卒業電源 一括処理",
        url_name="sw:bulk_w18",
        built=True,
    ),
    # ------------------------------------------------------------------------------------------
    # 2.4 Administrators of retailers and DR contractors (A), Web only
    # ------------------------------------------------------------------------------------------
    # ユーザ管理(管理者機能)
    # ユーザ管理(管理者機能): the list, registration and bulk registration are menu entries; the
    # acts on one user are reached from the list (kouiki/identity/views/switching_users.py).
    switching(
        "SW-U01",
        "ユーザ一覧表示",
        "",
        who=A,
        api=False,
        menu="ユーザ管理（管理者機能）",
        url_name="switching:user_list",
        built=True,
    ),
    switching(
        "SW-U02",
        "ユーザ一覧ファイルダウンロード",
        "",
        note="CSV",
        who=A,
        api=False,
        menu=None,
        url_name="switching:user_csv",
        built=True,
    ),
    switching(
        "SW-U03",
        "ユーザ詳細表示",
        "",
        who=A,
        api=False,
        menu=None,
        url_name="switching:user_list",
        built=True,
    ),
    switching(
        "SW-U04",
        "ユーザ登録",
        "",
        who=A,
        api=False,
        menu="ユーザ管理（管理者機能）",
        url_name="switching:user_create",
        built=True,
    ),
    switching(
        "SW-U05",
        "ユーザ一括登録（CSV）",
        "",
        who=A,
        api=False,
        menu="ユーザ管理（管理者機能）",
        url_name="switching:user_bulk",
        built=True,
    ),
    switching(
        "SW-U06",
        "ユーザ修正",
        "",
        who=A,
        api=False,
        menu=None,
        url_name="switching:user_list",
        built=True,
    ),
    switching(
        "SW-U07",
        "ユーザ削除",
        "",
        who=A,
        api=False,
        menu=None,
        url_name="switching:user_list",
        built=True,
    ),
    switching(
        "SW-U08",
        "ロック解除",
        "",
        who=A,
        api=False,
        menu=None,
        url_name="switching:user_list",
        built=True,
    ),
    switching(
        "SW-U09",
        "有効/無効切替",
        "",
        note="一定期間利用のないユーザは自動で無効",
        who=A,
        api=False,
        menu=None,
        url_name="switching:user_list",
        built=True,
    ),
    switching(
        "SW-U10",
        "パスワード再発行",
        "",
        who=A,
        api=False,
        menu=None,
        url_name="switching:user_list",
        built=True,
    ),
    switching(
        "SW-U11",
        "利用者権限設定",
        "",
        who=A,
        api=False,
        menu=None,
        url_name="switching:user_list",
        built=True,
    ),
    # インフォメーション (FUNCTIONS.md lists them under A)
    switching(
        "SW-N01",
        "インフォメーション一覧",
        "",
        url_name="switching_notices:list",
        built=True,
        who=A,
        api=False,
        menu="インフォメーション",
    ),
    # The detail is per notice: its entry is the list. No menu entry of its own.
    switching(
        "SW-N02",
        "インフォメーション詳細",
        "",
        url_name="switching_notices:list",
        built=True,
        who=A,
        api=False,
        menu=None,
    ),
    # ------------------------------------------------------------------------------------------
    # 2.5 Personal data (seed 001 §4, seed 004). FUNCTIONS.md names no role: these are rules.
    # P1 and P2 are applied by the system to every read of R and D (staff inspect the access
    # ledger through the back-office audit viewer); P3 and P4 are acts of the organization.
    # ------------------------------------------------------------------------------------------
    switching(
        "SW-P1",
        "個人情報の利用目的の明示と閲覧記録",
        "",
        url_name="sw:ledger",
        built=True,
        who=SYSTEM,
        surface="system",
        api=False,
        menu=None,
    ),
    switching(
        "SW-P2",
        "正当な立場にある事業者に限った需要者基本情報の提供",
        "",
        url_name="sw:basic_info",
        built=True,
        who=SYSTEM,
        surface="system",
        api=False,
        menu=None,
    ),
    # SW-P3: the participant's administrator records and handles its incidents (seed 001 4.6: the
    # company's act, as reports under 3.4.2 are the administrator's); staff in the back office.
    switching(
        "SW-P3",
        "漏えい等事案の記録と対応",
        "",
        who=frozenset({"A", "O"}),
        api=False,
        menu="共通 個人情報の管理",
        url_name="sw:incidents",
        built=True,
    ),
    # SW-P4: the access layer refuses a terminated participant (X-S3); staff read its retained
    # cancel-forward data from 事業者の利用状態, each read recorded (switching/services/retained.py).
    switching(
        "SW-P4",
        "利用終了時の共同利用の終了と情報の保存",
        "",
        who=O,
        api=False,
        menu=None,
        url_name="backoffice:participant_uses",
        built=True,
    ),
    # ------------------------------------------------------------------------------------------
    # 3. 容量市場システム (seed 002)
    # ------------------------------------------------------------------------------------------
    # 事業者情報管理
    capacity(
        "CAP-R1",
        "事業者情報管理",
        menu="事業者情報管理",
        url_name="cap:operator",
        built=True,
        who=frozenset({"C", "O"}),
    ),
    capacity(
        "CAP-R2",
        "事業者情報審査管理",
        menu="事業者情報管理",
        url_name="cap:operator_applications",
        built=True,
    ),
    # Done by the organization when it approves a registration; its screen is the back office's.
    capacity(
        "CAP-R3",
        "管理者ID通知",
        menu="事業者情報管理",
        url_name="backoffice:capacity_operators",
        built=True,
        who=O,
    ),
    # 電源等情報管理
    capacity(
        "CAP-P1",
        "電源等情報管理",
        menu="電源等情報管理",
        url_name="cap:source_list",
        built=True,
        who=frozenset({"C", "O"}),
    ),
    capacity(
        "CAP-P2", "電源等情報審査管理", menu="電源等情報管理", url_name="cap:source_applications", built=True
    ),
    # ユーザ管理
    capacity(
        "CAP-U1",
        "ユーザ情報管理",
        menu="ユーザ管理（管理者機能）",
        url_name="cap:user_list",
        built=True,
        who=A,
    ),
    # お知らせ
    capacity("CAP-N1", "お知らせ管理", menu="お知らせ", url_name="capacity_notices:list", built=True),
    # 提供時間: FUNCTIONS.md says "all"; a rule the system applies to every user, nothing one opens.
    capacity(
        "CAP-H1", "提供時間", surface="system", note="本機関の営業日 9:00-18:00", built=True, who=SYSTEM
    ),
    # ------------------------------------------------------------------------------------------
    # 4. Common to all three systems. FUNCTIONS.md names no role; decided from what each does:
    # acts of the organization are O, acts of a participant's administrator are A, and rules
    # enforced in every service (nothing a user opens) are "system".
    # ------------------------------------------------------------------------------------------
    # 利用規約: every participant's user consents; the organization publishes versions and mails.
    # The public page of every system's terms in force; staff manage versions at /backoffice/terms/.
    common(
        "X-T1",
        "利用規約の管理と同意",
        frozenset({"M", "R", "D", "C", "A", "O"}),
        url_name="terms:index",
        built=True,
    ),
    # 利用の停止・制限: maintenance by staff; access above the limit is refused automatically.
    # Built (ADR 33): the back office's area (backoffice:availability: stops, request limits), the
    # availability check in front of every participant path, the API's per-organization limit.
    common(
        "X-S1",
        "利用の停止・制限",
        frozenset({"O", "system"}),
        url_name="backoffice:availability",
        built=True,
    ),
    # 利用の中断: staff, in the back office (事業者の利用状態, identity/services/system_use.py).
    common("X-S2", "利用の中断", O, url_name="backoffice:participant_uses", built=True),
    # 契約の終了: on the participant's request (its administrator) or decided by the organization.
    # The administrator applies on /<system>/termination/ (switching and capacity); staff complete
    # it or end a contract on a ground of the system's terms in the back office.
    common("X-S3", "契約の終了", frozenset({"A", "O"}), url_name="switching:termination", built=True),
    # クライアント証明書: the organization issues and revokes; the administrator reports a loss.
    # Built (ADR 35): the administrator's screens in the switching and capacity systems
    # (<system>:certificates), the back office's (backoffice:certificate_list), the proxy's check.
    common(
        "X-C1",
        "クライアント証明書の管理",
        frozenset({"A", "O"}),
        url_name="switching:certificates",
        built=True,
    ),
    # X-I1: a rule every registration and change of an account holds (identity.services.persons).
    common("X-I1", "管理者ID・ユーザIDの発行ルール", SYSTEM, surface="system", built=True),
    # 受託者 (ADR 32): the grants are the switching administrator's screens (switching:contractor_grants),
    # acting for a principal is the access layer's (access.act_for), on every surface.
    common("X-I2", "受託者による利用", SYSTEM, surface="system", built=True),
    # Staff record an agency's request, another approves, the scope is exported once (back office).
    common("X-G1", "行政機関への情報提供", O, url_name="backoffice:government_list", built=True),
    # X-L1: nothing is deleted at termination; KOUIKI_RETENTION_* say how long each kind is kept.
    common("X-L1", "利用ログの保存", SYSTEM, surface="system", built=True),
]
