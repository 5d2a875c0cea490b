"""Every function of ../shared/FUNCTIONS.md, declared once, in the order of that document.

This module is data: the catalog (`kouiki.core.catalog`) indexes it and answers who may use what,
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


@dataclass(frozen=True)
class Function:
    """One function: who may use it, how it is reached, and whether it is built yet."""

    id: str
    name: str  # 機能名, the name users see
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
        """The name with its 業務, for menus and tables ("低圧 スイッチング(新小売) 廃止取次登録")."""
        return f"{self.business} {self.name}" if self.business else self.name


M = frozenset({"M"})
A = frozenset({"A"})
O = frozenset({"O"})  # noqa: E741 - the code of FUNCTIONS.md
C = frozenset({"C"})
R = frozenset({"R"})
RD = frozenset({"R", "D"})  # FUNCTIONS.md 2.3: open to DR contractors as well as retailers
SYSTEM = frozenset({"system"})

FUNCTIONS: list[Function] = [
    # ------------------------------------------------------------------------------------------
    # 1. 会員情報管理システム (seeds 000, 003)
    # ------------------------------------------------------------------------------------------
    # ログイン: the login page is reached from the top page, never from the menu.
    Function(id="MEM-A1", name="ログイン", system="member", who=M, url_name="member:login", built=True),
    # 加入申請: done by applicants before they are members, from mailed links.
    Function(
        id="MEM-J1",
        name="加入申請のリンク通知",
        system="member",
        who=frozenset({"anyone"}),
        url_name="join:link",
        built=True,
    ),
    # J2 is opened from the mailed link (/member/join/provisional/<token>/), so it has no url_name;
    # J3 is its reception screen; J4 is entered with 受付番号 + 管理者①メールアドレス. None is a menu entry.
    Function(id="MEM-J2", name="加入仮申請", system="member", who=frozenset({"applicant"}), built=True),
    Function(
        id="MEM-J3",
        name="加入仮申請の受付表示",
        system="member",
        who=frozenset({"applicant"}),
        url_name="join:received",
        built=True,
    ),
    Function(
        id="MEM-J4",
        name="加入本申請",
        system="member",
        who=frozenset({"applicant", "O"}),
        url_name="join:main",
        built=True,
    ),
    Function(id="MEM-J5", name="仮申請の失効", system="member", who=SYSTEM, surface="system", built=True),
    # 会員情報管理
    Function(
        id="MEM-I1",
        name="加入証跡の表示",
        system="member",
        who=M,
        menu="会員情報管理",
        url_name="membership:certificate",
        built=True,
    ),
    Function(
        id="MEM-I2",
        name="会員情報の確認",
        system="member",
        who=M,
        menu="会員情報管理",
        url_name="membership:info",
        built=True,
    ),
    Function(
        id="MEM-I3",
        name="会員情報の変更申請の一覧表示",
        system="member",
        who=A,
        menu="会員情報管理",
        url_name="membership:change_list",
        built=True,
    ),
    Function(
        id="MEM-I4",
        name="会員情報の変更申請",
        system="member",
        who=frozenset({"A", "O"}),
        menu="会員情報管理",
        url_name="membership:change_new",
        built=True,
    ),
    Function(
        id="MEM-I5",
        name="承継申請",
        system="member",
        who=frozenset({"A", "O"}),
        menu="会員情報管理",
        url_name="membership:succession",
        built=True,
    ),
    Function(
        id="MEM-I6",
        name="脱退申請",
        system="member",
        who=frozenset({"A", "O"}),
        menu="会員情報管理",
        url_name="membership:withdrawal",
        built=True,
    ),
    # ユーザ管理
    Function(
        id="MEM-U1",
        name="ユーザ情報変更",
        system="member",
        who=M,
        menu="ユーザ管理",
        url_name="member:profile",
        built=True,
    ),
    Function(
        id="MEM-U2",
        name="ユーザの一覧表示",
        system="member",
        who=A,
        menu="ユーザ管理(管理者機能)",
        url_name="member:user_list",
        built=True,
    ),
    Function(
        id="MEM-U3",
        name="ユーザの新規登録",
        system="member",
        who=A,
        menu="ユーザ管理(管理者機能)",
        url_name="member:user_create",
        built=True,
    ),
    # The detail screen is per user: its entry is the user list. No menu entry of its own.
    Function(
        id="MEM-U4",
        name="ユーザの詳細情報表示および更新",
        system="member",
        who=A,
        url_name="member:user_list",
        built=True,
    ),
    # 総会情報管理
    Function(
        id="MEM-G1",
        name="総会情報の一覧表示",
        system="member",
        who=M,
        menu="総会情報管理",
        url_name="assembly:list",
        duty="assembly",
        built=True,
    ),
    # Answers and tickets are per meeting: their entry is the list of meetings. No menu entry of their own.
    Function(
        id="MEM-G2",
        name="総会の出欠・議決権の回答",
        system="member",
        who=M,
        url_name="assembly:list",
        duty="assembly",
        built=True,
    ),
    Function(
        id="MEM-G3",
        name="総会当日の受付票発行",
        system="member",
        who=M,
        url_name="assembly:list",
        duty="assembly",
        built=True,
    ),
    # The venue's check-in is a back-office screen (staff), reached from the meetings of the back office.
    Function(
        id="MEM-G4",
        name="総会当日の受付",
        system="member",
        who=O,
        url_name="backoffice:assembly_list",
        built=True,
    ),
    # 会費 (担当業務 会費), 容量市場 (担当業務 容量市場); administrators see both
    Function(
        id="MEM-F1",
        name="請求書の確認",
        system="member",
        who=M,
        menu="会費",
        url_name="fees:invoice_list",
        duty="fees",
        built=True,
    ),
    Function(
        id="MEM-F2",
        name="容量市場請求書等情報管理",
        system="member",
        who=M,
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
    Function(
        id="SW-L01",
        name="設備情報照会",
        business="低圧 設備情報照会",
        system="switching",
        who=RD,
        surface="api+web",
        tso=True,
        menu="低圧 設備情報照会",
        api_operation="sw_l01",
        url_name="sw:facility_inquiry",
        built=True,
    ),
    Function(
        id="SW-L02",
        name="使用量情報照会",
        business="低圧 設備情報照会",
        system="switching",
        who=RD,
        surface="api+web",
        tso=True,
        menu="低圧 設備情報照会",
        api_operation="sw_l02",
        note="使用量情報を参照するためのパスワードの申請",
        url_name="sw:usage_password",
        built=True,
    ),
    # 低圧 再点
    Function(
        id="SW-L03",
        name="使用量情報照会",
        business="低圧 再点",
        system="switching",
        who=RD,
        surface="api+web",
        tso=True,
        menu="低圧 再点",
        api_operation="sw_l03",
        note="使用量情報の取得",
        url_name="sw:usage_retrieve",
        built=True,
    ),
    Function(
        id="SW-L04",
        name="再点",
        business="低圧 再点",
        system="switching",
        who=R,
        surface="api+web",
        tso=True,
        menu="低圧 再点",
        api_operation="sw_l04",
        url_name="sw:reconnect",
        built=True,
    ),
    # 低圧 廃止・撤去
    Function(
        id="SW-L05",
        name="廃止・撤去",
        business="低圧 廃止・撤去",
        system="switching",
        who=R,
        surface="api+web",
        tso=True,
        menu="低圧 廃止・撤去",
        api_operation="sw_l05",
        url_name="sw:abolish",
        built=True,
    ),
    # 低圧 スイッチング(新小売)
    Function(
        id="SW-L06",
        name="スイッチング廃止取次登録",
        business="低圧 スイッチング(新小売)",
        system="switching",
        who=R,
        surface="api+web",
        tso=False,
        menu="低圧 スイッチング(新小売)",
        api_operation="sw_l06",
        url_name="sw:cancel_forward_new",
        built=True,
    ),
    Function(
        id="SW-L07",
        name="スイッチング廃止取次結果照会",
        business="低圧 スイッチング(新小売)",
        system="switching",
        who=R,
        surface="api+web",
        tso=False,
        menu="低圧 スイッチング(新小売)",
        api_operation="sw_l07",
        url_name="sw:cancel_forwards_filed",
        built=True,
    ),
    Function(
        id="SW-L08",
        name="スイッチング開始申請",
        business="低圧 スイッチング(新小売)",
        system="switching",
        who=R,
        surface="api+web",
        tso=True,
        menu="低圧 スイッチング(新小売)",
        api_operation="sw_l08",
        url_name="sw:switch_start",
        built=True,
    ),
    # 低圧 スイッチング(現小売)
    Function(
        id="SW-L09",
        name="スイッチング廃止取次照会",
        business="低圧 スイッチング(現小売)",
        system="switching",
        who=R,
        surface="api+web",
        tso=False,
        menu="低圧 スイッチング(現小売)",
        api_operation="sw_l09",
        url_name="sw:cancel_forwards_received",
        built=True,
    ),
    Function(
        id="SW-L10",
        name="スイッチング廃止取次判断",
        business="低圧 スイッチング(現小売)",
        system="switching",
        who=R,
        surface="api+web",
        tso=False,
        menu="低圧 スイッチング(現小売)",
        api_operation="sw_l10",
        url_name="sw:cancel_forward_decide",
        built=True,
    ),
    Function(
        id="SW-L11",
        name="スイッチング廃止申請",
        business="低圧 スイッチング(現小売)",
        system="switching",
        who=R,
        surface="api+web",
        tso=True,
        menu="低圧 スイッチング(現小売)",
        api_operation="sw_l11",
        url_name="sw:switch_abolish",
        built=True,
    ),
    # 低圧 アンペア変更
    Function(
        id="SW-L12",
        name="アンペア変更",
        business="低圧 アンペア変更",
        system="switching",
        who=R,
        surface="api+web",
        tso=True,
        menu="低圧 アンペア変更",
        api_operation="sw_l12",
        note="アンペアブレーカを用いるエリアのみ(関西・中国・四国・沖縄を除く)",
        url_name="sw:ampere_change",
        built=True,
    ),
    # 低圧 需要者情報変更
    Function(
        id="SW-L13",
        name="需要者情報変更",
        business="低圧 需要者情報変更",
        system="switching",
        who=R,
        surface="api+web",
        tso=True,
        menu="低圧 需要者情報変更",
        api_operation="sw_l13",
        url_name="sw:customer_change",
        built=True,
    ),
    # 低圧 業務処理状況確認 (D sees the status of its usage inquiries through SW-L15)
    Function(
        id="SW-L14",
        name="業務処理状況確認",
        business="低圧 業務処理状況確認",
        system="switching",
        who=R,
        surface="api+web",
        tso=False,
        menu="低圧 業務処理状況確認",
        api_operation="sw_l14",
        url_name="sw:status",
        built=True,
    ),
    Function(
        id="SW-L15",
        name="業務処理状況確認(複数件)",
        business="低圧 業務処理状況確認",
        system="switching",
        who=RD,
        surface="api+web",
        tso=False,
        menu="低圧 業務処理状況確認",
        api_operation="sw_l15",
        url_name="sw:status_many",
        built=True,
    ),
    # 高圧500kW未満 使用量情報照会 (also for ≥500 kW high voltage and extra-high voltage)
    Function(
        id="SW-H01",
        name="使用量情報照会申請",
        business="高圧500kW未満 使用量情報照会",
        system="switching",
        who=RD,
        surface="api+web",
        tso=True,
        menu="高圧500kW未満 使用量情報照会",
        api_operation="sw_h01",
        note="高圧500kW以上・特別高圧も対象",
    ),
    Function(
        id="SW-H02",
        name="使用量情報照会",
        business="高圧500kW未満 使用量情報照会",
        system="switching",
        who=RD,
        surface="api+web",
        tso=True,
        menu="高圧500kW未満 使用量情報照会",
        api_operation="sw_h02",
        note="使用量情報の取得",
    ),
    # 高圧500kW未満 廃止・撤去
    Function(
        id="SW-H03",
        name="廃止・撤去",
        business="高圧500kW未満 廃止・撤去",
        system="switching",
        who=R,
        surface="api+web",
        tso=True,
        menu="高圧500kW未満 廃止・撤去",
        api_operation="sw_h03",
    ),
    # 高圧500kW未満 スイッチング(新小売)
    Function(
        id="SW-H04",
        name="廃止取次登録",
        business="高圧500kW未満 スイッチング(新小売)",
        system="switching",
        who=R,
        surface="api+web",
        tso=False,
        menu="高圧500kW未満 スイッチング(新小売)",
        api_operation="sw_h04",
    ),
    Function(
        id="SW-H05",
        name="廃止取次結果照会",
        business="高圧500kW未満 スイッチング(新小売)",
        system="switching",
        who=R,
        surface="api+web",
        tso=False,
        menu="高圧500kW未満 スイッチング(新小売)",
        api_operation="sw_h05",
    ),
    Function(
        id="SW-H06",
        name="開始申請",
        business="高圧500kW未満 スイッチング(新小売)",
        system="switching",
        who=R,
        surface="api+web",
        tso=True,
        menu="高圧500kW未満 スイッチング(新小売)",
        api_operation="sw_h06",
    ),
    # 高圧500kW未満 スイッチング(現小売)
    Function(
        id="SW-H07",
        name="廃止取次照会",
        business="高圧500kW未満 スイッチング(現小売)",
        system="switching",
        who=R,
        surface="api+web",
        tso=False,
        menu="高圧500kW未満 スイッチング(現小売)",
        api_operation="sw_h07",
    ),
    Function(
        id="SW-H08",
        name="廃止取次判断",
        business="高圧500kW未満 スイッチング(現小売)",
        system="switching",
        who=R,
        surface="api+web",
        tso=False,
        menu="高圧500kW未満 スイッチング(現小売)",
        api_operation="sw_h08",
    ),
    Function(
        id="SW-H09",
        name="廃止申請",
        business="高圧500kW未満 スイッチング(現小売)",
        system="switching",
        who=R,
        surface="api+web",
        tso=True,
        menu="高圧500kW未満 スイッチング(現小売)",
        api_operation="sw_h09",
    ),
    # 高圧500kW未満 需要者情報変更
    Function(
        id="SW-H10",
        name="需要者情報変更",
        business="高圧500kW未満 需要者情報変更",
        system="switching",
        who=R,
        surface="api+web",
        tso=True,
        menu="高圧500kW未満 需要者情報変更",
        api_operation="sw_h10",
    ),
    # 高圧500kW未満 業務処理状況確認 (FUNCTIONS.md: 単件 / 複数件, named as SW-L14 / SW-L15)
    Function(
        id="SW-H11",
        name="業務処理状況確認",
        business="高圧500kW未満 業務処理状況確認",
        system="switching",
        who=RD,
        surface="api+web",
        tso=False,
        menu="高圧500kW未満 業務処理状況確認",
        api_operation="sw_h11",
    ),
    Function(
        id="SW-H12",
        name="業務処理状況確認(複数件)",
        business="高圧500kW未満 業務処理状況確認",
        system="switching",
        who=RD,
        surface="api+web",
        tso=False,
        menu="高圧500kW未満 業務処理状況確認",
        api_operation="sw_h12",
    ),
    # 低圧FIT電源・FIT卒業電源 (points identified by 受電地点特定番号); "〃" rows share the 業務.
    # Abbreviated names (結果照会, 判断, 単件 / 複数件) are written out as in the low-voltage rows.
    Function(
        id="SW-F01",
        name="設備情報照会",
        business="低圧FIT電源・FIT卒業電源",
        system="switching",
        who=R,
        surface="api+web",
        tso=True,
        menu="低圧FIT電源・FIT卒業電源",
        api_operation="sw_f01",
        note="受電地点特定番号で照会",
    ),
    Function(
        id="SW-F02",
        name="再点",
        business="低圧FIT電源・FIT卒業電源",
        system="switching",
        who=R,
        surface="api+web",
        tso=True,
        menu="低圧FIT電源・FIT卒業電源",
        api_operation="sw_f02",
        note="FIT卒業電源のみ",
    ),
    Function(
        id="SW-F03",
        name="廃止・撤去",
        business="低圧FIT電源・FIT卒業電源",
        system="switching",
        who=R,
        surface="api+web",
        tso=True,
        menu="低圧FIT電源・FIT卒業電源",
        api_operation="sw_f03",
    ),
    # 低圧FIT卒業電源 スイッチング(新小売)
    Function(
        id="SW-F04",
        name="廃止取次登録",
        business="低圧FIT電源・FIT卒業電源 スイッチング(新小売)",
        system="switching",
        who=R,
        surface="api+web",
        tso=False,
        menu="低圧FIT電源・FIT卒業電源 スイッチング(新小売)",
        api_operation="sw_f04",
        note="FIT卒業電源のみ",
    ),
    Function(
        id="SW-F05",
        name="廃止取次結果照会",
        business="低圧FIT電源・FIT卒業電源 スイッチング(新小売)",
        system="switching",
        who=R,
        surface="api+web",
        tso=False,
        menu="低圧FIT電源・FIT卒業電源 スイッチング(新小売)",
        api_operation="sw_f05",
        note="FIT卒業電源のみ",
    ),
    Function(
        id="SW-F06",
        name="開始申請",
        business="低圧FIT電源・FIT卒業電源 スイッチング(新小売)",
        system="switching",
        who=R,
        surface="api+web",
        tso=True,
        menu="低圧FIT電源・FIT卒業電源 スイッチング(新小売)",
        api_operation="sw_f06",
        note="FIT卒業電源のみ",
    ),
    # 低圧FIT卒業電源 スイッチング(現小売)
    Function(
        id="SW-F07",
        name="廃止取次照会",
        business="低圧FIT電源・FIT卒業電源 スイッチング(現小売)",
        system="switching",
        who=R,
        surface="api+web",
        tso=False,
        menu="低圧FIT電源・FIT卒業電源 スイッチング(現小売)",
        api_operation="sw_f07",
        note="FIT卒業電源のみ",
    ),
    Function(
        id="SW-F08",
        name="廃止取次判断",
        business="低圧FIT電源・FIT卒業電源 スイッチング(現小売)",
        system="switching",
        who=R,
        surface="api+web",
        tso=False,
        menu="低圧FIT電源・FIT卒業電源 スイッチング(現小売)",
        api_operation="sw_f08",
        note="FIT卒業電源のみ",
    ),
    Function(
        id="SW-F09",
        name="廃止申請",
        business="低圧FIT電源・FIT卒業電源 スイッチング(現小売)",
        system="switching",
        who=R,
        surface="api+web",
        tso=True,
        menu="低圧FIT電源・FIT卒業電源 スイッチング(現小売)",
        api_operation="sw_f09",
        note="FIT卒業電源のみ",
    ),
    # 低圧FIT電源・FIT卒業電源 発電者情報変更
    Function(
        id="SW-F10",
        name="発電者情報変更",
        business="低圧FIT電源・FIT卒業電源",
        system="switching",
        who=R,
        surface="api+web",
        tso=True,
        menu="低圧FIT電源・FIT卒業電源",
        api_operation="sw_f10",
    ),
    # 低圧FIT電源・FIT卒業電源 業務処理状況確認
    Function(
        id="SW-F11",
        name="業務処理状況確認",
        business="低圧FIT電源・FIT卒業電源 業務処理状況確認",
        system="switching",
        who=R,
        surface="api+web",
        tso=False,
        menu="低圧FIT電源・FIT卒業電源 業務処理状況確認",
        api_operation="sw_f11",
    ),
    Function(
        id="SW-F12",
        name="業務処理状況確認(複数件)",
        business="低圧FIT電源・FIT卒業電源 業務処理状況確認",
        system="switching",
        who=R,
        surface="api+web",
        tso=False,
        menu="低圧FIT電源・FIT卒業電源 業務処理状況確認",
        api_operation="sw_f12",
    ),
    # 共通 事業者管理
    Function(
        id="SW-C01",
        name="事業者一覧取得",
        business="共通 事業者管理",
        system="switching",
        who=R,
        surface="api+web",
        tso=False,
        menu="共通 事業者管理",
        api_operation="sw_c01",
        url_name="sw:operators",
        built=True,
    ),
    # ------------------------------------------------------------------------------------------
    # 2.2 Retailers (R), Web only; 2.3 adds D to SW-W01, W07, W13
    # ------------------------------------------------------------------------------------------
    # 低圧
    Function(
        id="SW-W01",
        name="特定地点検索",
        business="低圧",
        system="switching",
        who=RD,
        menu="低圧 特定地点検索",
        note="住所・引込柱番号・計器番号から供給地点特定番号を検索",
    ),
    # 低圧 一括(CSV)
    Function(
        id="SW-W02",
        name="廃止取次一括登録",
        business="低圧 一括",
        system="switching",
        who=R,
        menu="低圧 一括処理",
    ),
    Function(
        id="SW-W03",
        name="開始一括申請",
        business="低圧 一括",
        system="switching",
        who=R,
        menu="低圧 一括処理",
    ),
    Function(
        id="SW-W04",
        name="廃止取次一括判断",
        business="低圧 一括",
        system="switching",
        who=R,
        menu="低圧 一括処理",
    ),
    Function(
        id="SW-W05",
        name="廃止一括申請",
        business="低圧 一括",
        system="switching",
        who=R,
        menu="低圧 一括処理",
    ),
    Function(
        id="SW-W06",
        name="需要者情報変更一括申請",
        business="低圧 一括",
        system="switching",
        who=R,
        menu="低圧 一括処理",
    ),
    Function(
        id="SW-W07",
        name="同一法人需要者の使用量情報照会一括申請",
        business="低圧",
        system="switching",
        who=RD,
        menu="低圧 一括処理",
        note="同一エリア内の同一法人需要者の複数地点",
    ),
    # 高圧500kW未満 一括
    Function(
        id="SW-W08",
        name="廃止取次一括登録",
        business="高圧500kW未満 一括",
        system="switching",
        who=R,
        menu="高圧500kW未満 一括処理",
    ),
    Function(
        id="SW-W09",
        name="開始一括申請",
        business="高圧500kW未満 一括",
        system="switching",
        who=R,
        menu="高圧500kW未満 一括処理",
    ),
    Function(
        id="SW-W10",
        name="廃止取次一括判断",
        business="高圧500kW未満 一括",
        system="switching",
        who=R,
        menu="高圧500kW未満 一括処理",
    ),
    Function(
        id="SW-W11",
        name="廃止一括申請",
        business="高圧500kW未満 一括",
        system="switching",
        who=R,
        menu="高圧500kW未満 一括処理",
    ),
    Function(
        id="SW-W12",
        name="需要者情報変更一括申請",
        business="高圧500kW未満 一括",
        system="switching",
        who=R,
        menu="高圧500kW未満 一括処理",
    ),
    Function(
        id="SW-W13",
        name="同一法人需要者の使用量情報照会一括申請",
        business="高圧500kW未満 一括",
        system="switching",
        who=RD,
        menu="高圧500kW未満 一括処理",
    ),
    # 低圧FIT
    Function(
        id="SW-W14",
        name="特定地点検索",
        business="低圧FIT",
        system="switching",
        who=R,
        menu="低圧FIT 特定地点検索",
        note="受電地点特定番号を検索",
    ),
    # 低圧FIT卒業電源 一括
    Function(
        id="SW-W15",
        name="廃止取次一括登録",
        business="低圧FIT卒業電源 一括",
        system="switching",
        who=R,
        menu="低圧FIT卒業電源 一括処理",
    ),
    Function(
        id="SW-W16",
        name="開始一括申請",
        business="低圧FIT卒業電源 一括",
        system="switching",
        who=R,
        menu="低圧FIT卒業電源 一括処理",
    ),
    Function(
        id="SW-W17",
        name="廃止取次一括判断",
        business="低圧FIT卒業電源 一括",
        system="switching",
        who=R,
        menu="低圧FIT卒業電源 一括処理",
    ),
    Function(
        id="SW-W18",
        name="廃止一括申請",
        business="低圧FIT卒業電源 一括",
        system="switching",
        who=R,
        menu="低圧FIT卒業電源 一括処理",
    ),
    # ------------------------------------------------------------------------------------------
    # 2.4 Administrators of retailers and DR contractors (A), Web only
    # ------------------------------------------------------------------------------------------
    # ユーザ管理(管理者機能)
    Function(id="SW-U01", name="ユーザ一覧表示", system="switching", who=A, menu="ユーザ管理(管理者機能)"),
    Function(
        id="SW-U02",
        name="ユーザ一覧ファイルダウンロード",
        system="switching",
        who=A,
        menu="ユーザ管理(管理者機能)",
        note="CSV",
    ),
    Function(id="SW-U03", name="ユーザ詳細表示", system="switching", who=A, menu="ユーザ管理(管理者機能)"),
    Function(id="SW-U04", name="ユーザ登録", system="switching", who=A, menu="ユーザ管理(管理者機能)"),
    Function(
        id="SW-U05", name="ユーザ一括登録(CSV)", system="switching", who=A, menu="ユーザ管理(管理者機能)"
    ),
    Function(id="SW-U06", name="ユーザ修正", system="switching", who=A, menu="ユーザ管理(管理者機能)"),
    Function(id="SW-U07", name="ユーザ削除", system="switching", who=A, menu="ユーザ管理(管理者機能)"),
    Function(id="SW-U08", name="ロック解除", system="switching", who=A, menu="ユーザ管理(管理者機能)"),
    Function(
        id="SW-U09",
        name="有効/無効切替",
        system="switching",
        who=A,
        menu="ユーザ管理(管理者機能)",
        note="一定期間利用のないユーザは自動で無効",
    ),
    Function(id="SW-U10", name="パスワード再発行", system="switching", who=A, menu="ユーザ管理(管理者機能)"),
    Function(id="SW-U11", name="利用者権限設定", system="switching", who=A, menu="ユーザ管理(管理者機能)"),
    # インフォメーション (FUNCTIONS.md lists them under A)
    Function(
        id="SW-N01",
        name="インフォメーション一覧",
        system="switching",
        who=A,
        menu="インフォメーション",
        url_name="switching_notices:list",
        built=True,
    ),
    # The detail is per notice: its entry is the list. No menu entry of its own.
    Function(
        id="SW-N02",
        name="インフォメーション詳細",
        system="switching",
        who=A,
        url_name="switching_notices:list",
        built=True,
    ),
    # ------------------------------------------------------------------------------------------
    # 2.5 Personal data (seed 001 §4, seed 004). FUNCTIONS.md names no role: these are rules.
    # P1 and P2 are applied by the system to every read of R and D (staff inspect the access
    # ledger through the back-office audit viewer); P3 and P4 are acts of the organization.
    # ------------------------------------------------------------------------------------------
    Function(
        id="SW-P1",
        name="個人情報の利用目的の明示と閲覧記録",
        system="switching",
        who=SYSTEM,
        surface="system",
        url_name="sw:ledger",
        built=True,
    ),
    Function(
        id="SW-P2",
        name="正当な立場にある事業者に限った需要者基本情報の提供",
        system="switching",
        who=SYSTEM,
        surface="system",
        url_name="sw:basic_info",
        built=True,
    ),
    Function(id="SW-P3", name="漏えい等事案の記録と対応", system="switching", who=O),
    Function(id="SW-P4", name="利用終了時の共同利用の終了と情報の保存", system="switching", who=O),
    # ------------------------------------------------------------------------------------------
    # 3. 容量市場システム (seed 002)
    # ------------------------------------------------------------------------------------------
    # 事業者情報管理
    Function(
        id="CAP-R1",
        name="事業者情報管理",
        system="capacity",
        who=frozenset({"C", "O"}),
        menu="事業者情報管理",
        url_name="cap:operator",
        built=True,
    ),
    Function(
        id="CAP-R2",
        name="事業者情報審査管理",
        system="capacity",
        who=C,
        menu="事業者情報管理",
        url_name="cap:operator_applications",
        built=True,
    ),
    # Done by the organization when it approves a registration; its screen is the back office's.
    Function(
        id="CAP-R3",
        name="管理者ID通知",
        system="capacity",
        who=O,
        menu="事業者情報管理",
        url_name="backoffice:capacity_operators",
        built=True,
    ),
    # 電源等情報管理
    Function(
        id="CAP-P1",
        name="電源等情報管理",
        system="capacity",
        who=frozenset({"C", "O"}),
        menu="電源等情報管理",
        url_name="cap:source_list",
        built=True,
    ),
    Function(
        id="CAP-P2",
        name="電源等情報審査管理",
        system="capacity",
        who=C,
        menu="電源等情報管理",
        url_name="cap:source_applications",
        built=True,
    ),
    # ユーザ管理
    Function(
        id="CAP-U1",
        name="ユーザ情報管理",
        system="capacity",
        who=A,
        menu="ユーザ管理(管理者機能)",
        url_name="cap:user_list",
        built=True,
    ),
    # お知らせ
    Function(
        id="CAP-N1",
        name="お知らせ管理",
        system="capacity",
        who=C,
        menu="お知らせ",
        url_name="capacity_notices:list",
        built=True,
    ),
    # 提供時間: FUNCTIONS.md says "all"; a rule the system applies to every user, nothing one opens.
    Function(
        id="CAP-H1",
        name="提供時間",
        system="capacity",
        who=SYSTEM,
        surface="system",
        note="本機関の営業日 9:00-18:00",
        built=True,
    ),
    # ------------------------------------------------------------------------------------------
    # 4. Common to all three systems. FUNCTIONS.md names no role; decided from what each does:
    # acts of the organization are O, acts of a participant's administrator are A, and rules
    # enforced in every service (nothing a user opens) are "system".
    # ------------------------------------------------------------------------------------------
    # 利用規約: every participant's user consents; the organization publishes versions and mails.
    # The public page of every system's terms in force; staff manage versions at /backoffice/terms/.
    Function(
        id="X-T1",
        name="利用規約の管理と同意",
        system="common",
        who=frozenset({"M", "R", "D", "C", "A", "O"}),
        url_name="terms:index",
        built=True,
    ),
    # 利用の停止・制限: maintenance by staff; access above the limit is refused automatically.
    Function(id="X-S1", name="利用の停止・制限", system="common", who=frozenset({"O", "system"})),
    Function(id="X-S2", name="利用の中断", system="common", who=O),
    # 契約の終了: on the participant's request (its administrator) or decided by the organization.
    Function(id="X-S3", name="契約の終了", system="common", who=frozenset({"A", "O"})),
    # クライアント証明書: the organization issues and revokes; the administrator reports a loss.
    Function(id="X-C1", name="クライアント証明書の管理", system="common", who=frozenset({"A", "O"})),
    Function(id="X-I1", name="管理者ID・ユーザIDの発行ルール", system="common", who=SYSTEM, surface="system"),
    Function(id="X-I2", name="受託者による利用", system="common", who=SYSTEM, surface="system"),
    Function(id="X-G1", name="行政機関への情報提供", system="common", who=O),
    Function(id="X-L1", name="利用ログの保存", system="common", who=SYSTEM, surface="system"),
]
