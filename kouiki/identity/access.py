"""The one access layer: may this user, now, use function X — and the guards that ask it.

Every right in Kouiki is a function of the catalog (`kouiki.core.functions`). This module is the
only place that decides whether a user may use one:

- `may_use(actor, function_id)` answers; `require_function` raises `Forbidden` with the reason.
  Today the answer comes from the catalog's roles (FUNCTIONS.md "who") and, for member screens of
  one 担当業務, the user's duties, and the functions its administrator gave it (利用者権限,
  SW-U11: `Enrollment.functions`, ADR 26). Suspended and terminated participants (X-S2, X-S3) and
  contractors acting for a participant (X-I2) are added here, and nowhere else.
- `organization_of(actor)` is the participant's organization every scoped read and write uses;
  staff and anonymous visitors have none.
- `is_staff` / `require_staff`: the organization's own staff (the back office); `has_staff_role` /
  `staff_role_required`: staff holding one of the roles an area of the back office is open to.

Three surfaces ask it, each naming the function once:
- services: `@function("SW-L06")` on the service checks the keyword `actor` before the body runs;
- web views: `@function_required("SW-L06")`, `@enrolled_required(system)` and `@staff_required`
  call the view as `view(request, actor, ...)` with the checked user;
- API operations: `kouiki.core.api.operation(router, method, path, "SW-L06")` calls the operation
  with the token's checked user (see `checked_operation`).
Each guard also records where the function lives (`kouiki.core.catalog.place`), so that the
catalog is the index of the code (`manage.py functions SW-L06`).
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable, Iterable
from functools import wraps
from types import EllipsisType
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone

from kouiki.core import catalog
from kouiki.core.caching import Generation, LocalCache
from kouiki.core.errors import Forbidden
from kouiki.core.systems import BACKOFFICE, System, site
from kouiki.identity.choices import Duty, ParticipantKind, UseState
from kouiki.identity.selectors import (
    Acting,
    Use,
    acting_for_code,
    granted_functions,
    has_duty,
    organization_code,
    participant_kind_in,
    rights_in,
    role_codes,
    uses_of,
)

if TYPE_CHECKING:
    from kouiki.identity.models import User

P = ParamSpec("P")
R = TypeVar("R")
View = Callable[..., HttpResponse]

# A user whose administrator has not given it the function (利用者権限, SW-U11).
NOT_GRANTED = "この機能の利用権限がありません。利用権限の設定は貴社の管理者にご依頼ください。"


# --- the questions ------------------------------------------------------------------------------


def is_staff(actor: Any) -> bool:
    """Whether the actor is a signed-in member of the organization's own staff."""
    return bool(getattr(actor, "is_authenticated", False) and getattr(actor, "is_kouiki_staff", False))


def is_participant(actor: Any) -> bool:
    """Whether the actor is a signed-in user of a participant (a company), not staff."""
    return bool(
        getattr(actor, "is_authenticated", False)
        and not getattr(actor, "is_kouiki_staff", False)
        and getattr(actor, "organization_id", None) is not None
    )


# --- contractors acting for a principal (受託者, X-I2, ADR 32) -------------------------------------

# The API request header naming the principal a contractor's token acts for (its 事業者コード), and
# the session key of the principal a contractor's user chose on the web, by system.
ACTING_HEADER = "X-Acting-For"
ACTING_SESSION_KEY = "kouiki_acting_for"
CHOOSE_PRINCIPAL = (
    "委託者を選択してください。受託者のユーザは、選択した委託者から委託された機能だけを利用できます"
    "（APIでは X-Acting-For ヘッダーに委託者の事業者コードを指定します）。"
)
NO_GRANT = "指定された事業者から貴社への業務委託はありません（取消済み・期間外を含みます）。"
NOT_A_CONTRACTOR = "貴社は受託者として登録されていないため、委託者を指定できません。"

# Grants found for a contractor, per process, under the same generation as the API token cache
# (`services.tokens.ACCESS`): saving or revoking a grant, or any change to an organization or an
# enrollment, bumps it, so the next request of every process looks the grant up again.
_ACCESS = Generation("access")
_acting_cache: LocalCache = LocalCache()


def acting_for(actor: Any) -> Acting | None:
    """The principal the actor acts for in this request (a contractor's user), or None."""
    return getattr(actor, "acting_for", None)


# Per user object (one request, one job): whether it is a contractor's, by system — the guards
# note "no" for free from the codes they read; the header's selector asks again.
_CONTRACTOR_MEMO = "_kouiki_contractor_in"


def is_contractor(actor: Any, system: str = System.SWITCHING) -> bool:
    """Whether the actor is a user of a contractor (受託者) enrolled in `system`."""
    if not is_participant(actor):
        return False
    memo: dict[str, bool] | None = getattr(actor, _CONTRACTOR_MEMO, None)
    if memo is None:
        memo = {}
        setattr(actor, _CONTRACTOR_MEMO, memo)
    if system not in memo:
        memo[system] = participant_kind_in(actor, system) == ParticipantKind.CONTRACTOR
    return memo[system]


def _note_codes(actor: Any, system: str, codes: frozenset[str]) -> None:
    """A user holding R or D of its own (not acting for a principal) is no contractor's."""
    if codes & {"R", "D"} and acting_for(actor) is None and is_participant(actor):
        memo = getattr(actor, _CONTRACTOR_MEMO, None)
        if memo is None:
            memo = {}
            setattr(actor, _CONTRACTOR_MEMO, memo)
        memo.setdefault(system, False)


def act_for(actor: Any, principal_code: str, system: str = System.SWITCHING) -> Acting:
    """Let a contractor's user act for the principal with 事業者コード `principal_code` from now on
    (this request, this job): its grant must be in force today. `Forbidden` otherwise — and the
    actor then acts for nobody. Every surface calls it: the web from the session, the API from the
    X-Acting-For header, a bulk job from the principal recorded with its file, before each batch."""
    actor.acting_for = None
    if not is_contractor(actor, system):
        raise Forbidden(NOT_A_CONTRACTOR)
    key = (actor.organization_id, principal_code, system)
    generation = _ACCESS.current()
    acting: Acting | None = _acting_cache.get(key, generation)
    if acting is None:
        acting = acting_for_code(contractor=actor.organization, principal_code=principal_code, system=system)
        if acting is not None:
            _acting_cache.put(key, generation, acting)
    if acting is None or not acting.in_force(timezone.localdate()):
        raise Forbidden(NO_GRANT)
    actor.acting_for = acting
    return acting


def act_for_organization(actor: Any, organization_id: int, system: str = System.SWITCHING) -> None:
    """A job run later as the user who started it (a bulk file's validation and apply batches), for
    the organization the work was filed for (`organization_of` at upload): its own — nothing to do —
    or, for a contractor's user, the principal, while the grant is in force; `Forbidden` once it is
    revoked or ended. Call it before each batch: the batch's services then check their functions
    against the grant, as on the screens and the API (ADR 32)."""
    actor.acting_for = None
    setattr(actor, _USES_MEMO, None)
    if getattr(actor, "organization_id", None) != organization_id:
        act_for(actor, organization_code(organization_id) or "", system)
    refused = use_refusal(actor, system)
    if refused is not None:
        raise forbidden(refused)


def act_for_header(actor: Any, header: str | None, system: str = System.SWITCHING) -> None:
    """The API's X-Acting-For: a contractor's token acts for the principal it names. A participant
    naming its own code acts for itself; naming another, or a malformed code, is refused (403)."""
    code = (header or "").strip()
    if not code:
        return
    if not is_contractor(actor, system):
        organization = getattr(actor, "organization", None)
        if organization is not None and organization.code == code:
            return
        raise Forbidden(NOT_A_CONTRACTOR)
    act_for(actor, code, system)


def act_from_session(request: HttpRequest, system: str) -> None:
    """The web: a contractor's user acts for the principal chosen in its session (`choose`), while
    the grant is in force; a grant revoked or ended since is dropped with a message."""
    user = request.user
    chosen = request.session.get(ACTING_SESSION_KEY) if user.is_authenticated else None
    code = chosen.get(system) if isinstance(chosen, dict) else None
    if not code or not is_contractor(user, system):
        return
    try:
        act_for(user, code, system)
    except Forbidden:
        choose(request, system, None)
        messages.warning(
            request, f"委託者（事業者コード {code}）からの業務委託が終了したため、選択を解除しました。"
        )


def choose(request: HttpRequest, system: str, principal_code: str | None) -> None:
    """Keep (or, None, clear) the principal a contractor's user acts for on the web."""
    chosen = dict(request.session.get(ACTING_SESSION_KEY) or {})
    if principal_code:
        chosen[system] = principal_code
    else:
        chosen.pop(system, None)
    request.session[ACTING_SESSION_KEY] = chosen


def _waiting_to_choose(actor: Any, system: str) -> bool:
    """A contractor's user that has chosen no principal: it may only choose (and its administrator
    administer its own organization)."""
    return acting_for(actor) is None and is_contractor(actor, system)


# --- a suspended or terminated participant (利用の中断 X-S2, 契約の終了 X-S3) --------------------------


class UseRefused(str):
    """The reason a participant is refused in a system whose use is suspended or terminated: a
    `_refusal` like any other, that carries the stable problem code the API answers with."""

    code: str

    def __new__(cls, message: str, code: str) -> UseRefused:
        refused = super().__new__(cls, message)
        refused.code = code
        return refused


# Per user object (one request): the uses of the organizations it is checked against, read once
# however many functions a menu asks about; a job clears it before each batch (act_for_organization).
_USES_MEMO = "_kouiki_uses"


def _uses(actor: Any, organization_id: int) -> dict[str, Use]:
    memo: dict[int, dict[str, Use]] | None = getattr(actor, _USES_MEMO, None)
    if memo is None:
        memo = {}
        setattr(actor, _USES_MEMO, memo)
    if organization_id not in memo:
        memo[organization_id] = uses_of(organization_id)
    return memo[organization_id]


def use_refusal(actor: Any, system: str) -> UseRefused | None:
    """Why a participant's user may not use `system` at all now: its organization's use of it is
    suspended or terminated — or, for a contractor's user acting for a principal, the principal's
    (X-I2). None for staff, visitors and a participant in use."""
    if not is_participant(actor) or system not in (System.MEMBER, System.SWITCHING, System.CAPACITY):
        return None
    parties: list[tuple[int, str]] = [(int(actor.organization_id), "貴社")]
    acting = acting_for(actor)
    if acting is not None and acting.system == system:
        parties.append((int(acting.principal.pk), f"委託者（事業者コード {acting.principal.code}）"))
    for organization_id, whose in parties:
        use = _uses(actor, organization_id).get(system)
        if use is not None and use.refused:
            administrator = whose == "貴社" and "A" in role_codes(actor, system)
            return UseRefused(
                use_message(use, system, whose=whose, with_reason=administrator), _use_code(use)
            )
    return None


def _use_code(use: Use) -> str:
    return "participant_terminated" if use.state == UseState.TERMINATED else "participant_suspended"


def use_message(use: Use, system: str, *, whose: str = "貴社", with_reason: bool = False) -> str:
    """What a participant is told of its suspended or terminated use of `system`: since when, the
    reason (its administrator), and whom to contact."""
    since = timezone.localtime(use.terminated_at or use.since)
    name = site(system).name
    if use.state == UseState.TERMINATED:
        told = f"{whose}の{name}の利用契約は、{since:%Y年%m月%d日}に終了しました。"
    else:
        told = f"{whose}の{name}の利用は、{since:%Y年%m月%d日 %H:%M}から中断されています。"
    reason = f"（理由：{use.reason}）" if with_reason and use.reason else ""
    return f"{told}{reason}お問い合わせ先：{settings.KOUIKI_USE_CONTACT}"


def forbidden(reason: str) -> Forbidden:
    """The refusal for a reason `_refusal` gave, with its stable code (participant_suspended …)."""
    return Forbidden(reason, code=getattr(reason, "code", None))


def _granted(actor: Any, system: str, codes: frozenset[str]) -> frozenset[str] | None:
    """The functions of `system` the actor's administrator gave it (SW-U11), None: no limit (staff,
    administrators — never limited — and users their administrator did not limit)."""
    if "A" in codes or not is_participant(actor):
        return None
    return granted_functions(actor, system)


def _refusal(
    actor: Any,
    function_id: str,
    codes: frozenset[str] | None = None,
    granted: frozenset[str] | EllipsisType | None = ...,
) -> str | None:
    """Why the actor may not use the function now, or None when it may. `codes` and `granted`: the
    actor's role codes and function rights in the function's system when the caller already has
    them (a menu asks for many)."""
    function = catalog.get(function_id)
    if not getattr(actor, "is_authenticated", False):
        return Forbidden.default_message
    refused = use_refusal(actor, function.system)
    if refused is not None:
        return refused
    if codes is None:
        codes, found = rights_in(actor, function.system)
        granted = found if isinstance(granted, EllipsisType) else granted
    if not catalog.allows(function.id, codes):
        # (A retailer's or DR contractor's user holds R or D: asked of no one else.)
        if (
            function.system == System.SWITCHING
            and not codes & {"R", "D"}
            and _waiting_to_choose(actor, function.system)
        ):
            return CHOOSE_PRINCIPAL
        return Forbidden.default_message
    if isinstance(granted, EllipsisType):
        granted = _granted(actor, function.system, codes)
    if granted is not None and function.id not in granted:
        return NOT_GRANTED
    if function.duty and is_participant(actor) and not has_duty(actor, function.duty, function.system):
        return (
            f"この機能は、担当業務「{Duty(function.duty).label}」のユーザと管理者が利用できます。"
            "担当業務の変更は貴社の管理者にご依頼ください。"
        )
    return None


def may_use(actor: Any, function_id: str) -> bool:
    """Whether the actor may use the function now (staff only where the catalog names O)."""
    return _refusal(actor, function_id) is None


def usable(actor: Any, system: str, function_ids: Iterable[str]) -> frozenset[str]:
    """Which of the functions of `system` the actor may use now (its role codes read once)."""
    if not getattr(actor, "is_authenticated", False):
        return frozenset()
    codes, granted = rights_in(actor, system)
    return frozenset(f for f in function_ids if _refusal(actor, f, codes, granted) is None)


def require_function(actor: Any, function_id: str) -> User:
    """The actor, when it may use the function; `Forbidden` with the reason otherwise."""
    reason = _refusal(actor, function_id)
    if reason is not None:
        raise forbidden(reason)
    return actor  # type: ignore[no-any-return]


def organization_of(actor: Any) -> int:
    """The id of the participant the actor acts for — a contractor's user acting for a principal: the
    principal's (X-I2); staff and anonymous visitors have none."""
    if not is_participant(actor):
        raise Forbidden()
    acting = acting_for(actor)
    return int(acting.principal.pk if acting is not None else actor.organization_id)


def participant_of(actor: Any) -> Any:
    """The participant (Organization) the actor acts for: its own, or a contractor's principal."""
    if not is_participant(actor):
        raise Forbidden()
    acting = acting_for(actor)
    return acting.principal if acting is not None else actor.organization


def participant_organization(actor: Any, function_id: str) -> int:
    """The id of the participant the actor acts for in the function: a participant's user that may
    use it (staff act through the back office's own functions); `Forbidden` otherwise."""
    organization_id = organization_of(actor)
    require_function(actor, function_id)
    return organization_id


def require_enrolled(actor: Any, system: str) -> int:
    """The organization of a participant's user enrolled in `system` (its own settings of the system
    that are no catalog function: callbacks); `Forbidden` otherwise."""
    organization_id = organization_of(actor)
    if not role_codes(actor, system):
        raise Forbidden()
    refused = use_refusal(actor, system)
    if refused is not None:
        raise forbidden(refused)
    return organization_id


def is_administrator(actor: Any, system: str) -> bool:
    """Whether the actor is its organization's administrator (A) in `system`."""
    return is_participant(actor) and "A" in role_codes(actor, system)


def require_administrator(actor: Any, system: str, message: str | None = None) -> int:
    """The organization of the actor, when it is its administrator in `system`: the acts of the
    administrator that are no catalog function (API tokens, callback endpoints)."""
    organization_id = require_enrolled(actor, system)
    if not is_administrator(actor, system):
        raise Forbidden(message)
    return organization_id


def require_staff(actor: Any, message: str | None = None) -> User:
    """The actor, when it is the organization's staff; `Forbidden` otherwise."""
    if not is_staff(actor):
        raise Forbidden(message)
    return actor  # type: ignore[no-any-return]


def menu(actor: Any, system: str) -> list[tuple[str, list[catalog.Function]]]:
    """The menu of `system` for the actor: the built screens it may use, by heading (the role codes
    are read once, not once per entry)."""
    codes, granted = (
        rights_in(actor, system) if getattr(actor, "is_authenticated", False) else (frozenset(), None)
    )
    groups = []
    for heading, entries in catalog.menu(system, codes):
        allowed = [entry for entry in entries if _refusal(actor, entry.id, codes, granted) is None]
        if allowed:
            groups.append((heading, allowed))
    return groups


# --- services -----------------------------------------------------------------------------------


def function(*function_ids: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Mark a service as the body of catalog function(s): the keyword `actor` must be allowed one of
    them before the service runs. The service is listed in the catalog's index of the code."""
    for function_id in function_ids:
        catalog.get(function_id)

    def decorator(service: Callable[P, R]) -> Callable[P, R]:
        for function_id in function_ids:
            catalog.place(function_id, "service", service)

        @wraps(service)
        def checked(*args: P.args, **kwargs: P.kwargs) -> R:
            actor = kwargs.get("actor")
            refusals = [_refusal(actor, function_id) for function_id in function_ids]
            if all(refusals):
                raise forbidden(refusals[0])  # type: ignore[arg-type]
            return service(*args, **kwargs)

        return checked

    return decorator


# --- web views ----------------------------------------------------------------------------------


def to_login(request: HttpRequest, system: str, next_url: str | None = None) -> HttpResponse:
    """Send the visitor to the login page of `system`, coming back here (or to `next_url`). A
    signed-in user the system does not let in is told why there, instead of a page that leads
    nowhere: its login page is the way in with an account of that system."""
    if request.user.is_authenticated and not (system == BACKOFFICE and is_staff(request.user)):
        name = site(system).name
        messages.warning(
            request,
            f"ログイン中のユーザは{name}を利用できません。{name}のユーザIDでログインしてください。",
        )
    return HttpResponseRedirect(f"{site(system).login_url}?next={quote(next_url or request.get_full_path())}")


def to_choose(request: HttpRequest, system: str) -> HttpResponse:
    """Send a contractor's user that acts for nobody to the principal selector (the menu)."""
    messages.info(request, CHOOSE_PRINCIPAL.split("（")[0])
    return HttpResponseRedirect(reverse(f"{system}:menu"))


# The session key the back-office login sets once the staff member passed the second factor.
STAFF_VERIFIED = "staff_verified"


def has_staff_session(request: HttpRequest) -> bool:
    """Whether the request comes from staff signed in through the back-office door (TOTP passed)."""
    return is_staff(request.user) and bool(request.session.get(STAFF_VERIFIED))


def staff_required(view: View) -> View:
    """Only the organization's staff (the back office), signed in with their second factor; the
    view is called as `view(request, actor, ...)`."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not has_staff_session(request):
            return to_login(request, BACKOFFICE)
        return view(request, request.user, *args, **kwargs)

    return wrapped


# A member of the staff with none of the roles an area of the back office is open to.
NO_STAFF_ROLE = "この業務を利用する職員権限がありません。職員権限の設定は職員管理者にご依頼ください。"


def staff_roles_of(actor: Any) -> frozenset[str]:
    """The back-office roles of a member of the staff (StaffRole values); none for anyone else."""
    if not is_staff(actor):
        return frozenset()
    return frozenset(getattr(actor, "staff_roles", None) or ())


def has_staff_role(actor: Any, roles: Iterable[str]) -> bool:
    """Whether the actor is staff holding at least one of `roles`."""
    return bool(staff_roles_of(actor) & frozenset(roles))


def require_staff_role(actor: Any, roles: Iterable[str], message: str | None = None) -> User:
    """The actor, when it is staff holding one of `roles`; `Forbidden` with the reason otherwise."""
    require_staff(actor)
    if not has_staff_role(actor, roles):
        raise Forbidden(message or NO_STAFF_ROLE)
    return actor  # type: ignore[no-any-return]


def staff_role_required(roles: Iterable[str]) -> Callable[[View], View]:
    """Only staff signed in through the back-office door holding one of `roles` (an area of the
    back office: `kouiki.backoffice.urls.AREAS` says which); others are sent to the login page
    (not staff) or refused with a Japanese 403 (staff without the role)."""
    allowed = frozenset(roles)

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not has_staff_session(request):
                return to_login(request, BACKOFFICE)
            require_staff_role(request.user, allowed)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def function_required(function_id: str) -> Callable[[View], View]:
    """Only participants' users who may use `function_id`; anyone the function's system does not
    let in (staff, who use the back office, or a user of another system) is sent to the system's
    login page with the reason. The view is called as `view(request, actor, ...)`."""
    declared = catalog.get(function_id)

    def decorator(view: View) -> View:
        catalog.place(function_id, "view", view)

        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            act_from_session(request, declared.system)
            codes, granted = rights_in(user, declared.system) if is_participant(user) else (frozenset(), None)  # type: ignore[arg-type]
            _note_codes(user, declared.system, codes)
            if not catalog.allows(function_id, codes) and _waiting_to_choose(user, declared.system):
                return to_choose(request, declared.system)
            if not codes:
                return to_login(request, declared.system)
            request.kouiki_system = declared.system  # type: ignore[attr-defined]
            reason = _refusal(user, function_id, codes, granted)
            if reason is not None:
                raise forbidden(reason)
            return view(request, user, *args, **kwargs)

        return wrapped

    return decorator


def enrolled_required(system: str) -> Callable[[View], View]:
    """Any participant's user enrolled in `system` (its menu, its own profile and password); anyone
    else is sent to the system's login page with the reason. The view is called as
    `view(request, actor, ...)`."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            act_from_session(request, system)
            codes = role_codes(user, system) if is_participant(user) else frozenset()  # type: ignore[arg-type]
            _note_codes(user, system, codes)
            contractor = not codes & {"R", "D"} and _waiting_to_choose(user, system)
            if not codes and not contractor:
                return to_login(request, system)
            # A contractor's user acting for nobody may open the system's shell (the menu, its
            # profile, the principal selector), not a business screen (namespace sw).
            match = request.resolver_match
            if contractor and match is not None and match.namespace == "sw":
                return to_choose(request, system)
            request.kouiki_system = system  # type: ignore[attr-defined]
            # A suspended or terminated participant sees why, and whom to contact, instead.
            refused = use_refusal(user, system)
            if refused is not None:
                raise forbidden(refused)
            return view(request, user, *args, **kwargs)

        return wrapped

    return decorator


# --- API operations -----------------------------------------------------------------------------


def checked_operation(
    function_id: str, operation: Callable[..., Any], *, reached_at: str = ""
) -> Callable[..., Any]:
    """The API operation `operation(request, actor, ...)` as ninja calls it: `(request, ...)`, with
    the token's user checked for `function_id` and passed as `actor`.

    ninja reads the parameters from the signature: the returned callable shows the operation's own
    signature without `actor`, its annotations resolved in the operation's module."""
    catalog.place(function_id, "operation", operation, reached_at=reached_at)
    signature = inspect.signature(operation)
    kept = [parameter for name, parameter in signature.parameters.items() if name != "actor"]

    def annotated() -> None:  # carries the kept annotations for typing.get_type_hints
        pass

    annotated.__annotations__ = {p.name: p.annotation for p in kept if p.annotation is not p.empty}
    hints = typing.get_type_hints(
        annotated, globalns=getattr(operation, "__globals__", {}), include_extras=True
    )
    parameters = [p.replace(annotation=hints.get(p.name, p.annotation)) for p in kept]

    @wraps(operation)
    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        actor = require_function(getattr(request, "auth", None), function_id)
        return operation(request, actor, *args, **kwargs)

    checked.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=parameters, return_annotation=inspect.Signature.empty
    )
    return checked
