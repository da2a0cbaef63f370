"""The caller's own account; staff invites, role grants and their audit trail (operators); and,
in development only, a login without WeChat."""

from flask import current_app

from accounts import invites, services, web_sessions, workers
from accounts.models import COMPANY_ADMIN, OPERATOR, STATION_STAFF, RoleGrant, StaffInvite
from accounts.schemas import (
    DevLoginSchema,
    GrantListQuery,
    GrantListSchema,
    InviteCreateSchema,
    InviteListQuery,
    InviteListSchema,
    InviteSchema,
    MeSchema,
    RedeemSchema,
    RemoveGrantQuery,
    RoleEventListSchema,
    RoleEventQuery,
    TokenSchema,
    WebTicketSchema,
)
from app.access import current_principal, require_principal
from app.blueprint import ApiBlueprint
from app.errors import NotFound
from app.extensions import db
from app.i18n import _

PROBLEM_MEANINGS = {
    401: "Not logged in: send Authorization: Bearer <token>",
    403: "The caller's role may not do this",
    404: "No such invite or grant (for redeeming: no invite has this code)",
    409: "The invite is used, revoked or expired, or the caller already holds that role",
    422: "The station or company of the role's scope does not exist",
}

blp = ApiBlueprint(
    "accounts",
    __name__,
    url_prefix="/api/v1",
    description="The caller's account and session; staff invites and role grants",
    problem_meanings=PROBLEM_MEANINGS,
)
development_login = ApiBlueprint(
    "development",
    __name__,
    url_prefix="/api/v1",
    description="Development only (APP_ENV=development): log in as any role without WeChat",
)


@blp.get("/me")
@blp.requires()
@blp.response(200, MeSchema)
def me():
    """Who I am: my roles and my phone, masked."""
    return current_principal().user


@blp.post("/auth/logout")
@blp.requires()
@blp.response(204)
def logout():
    """End this session; its token stops working at once."""
    services.end_session(current_principal().session)


@blp.get("/auth/web-tickets/<string(maxlength=32):ticket>")
@blp.requires(STATION_STAFF, COMPANY_ADMIN, OPERATOR)
@blp.problems(404)
@blp.response(200, WebTicketSchema)
def show_web_ticket(ticket):
    """The console log-in a scanned code asks for: the address and browser showing it, and until
    when; the mini-program shows them before the person approves."""
    return web_sessions.ticket_to_approve(ticket)


@blp.post("/auth/web-tickets/<string(maxlength=32):ticket>/approve")
@blp.requires(STATION_STAFF, COMPANY_ADMIN, OPERATOR)
@blp.problems(404, 409)
@blp.response(200, WebTicketSchema)
def approve_web_ticket(ticket):
    """Log in to the console in the browser that shows this code (its scene is `ticket`), as me,
    with the roles I hold; once, within minutes of the code being shown. The browser receives its
    own session; this token stays the mini-program's."""
    return web_sessions.approve_ticket(ticket, require_principal().user)


# ---------------------------------------------------------------- staff invites


@blp.post("/invites")
@blp.requires(OPERATOR)
@blp.problems(422)
@blp.arguments(InviteCreateSchema)
@blp.response(201, InviteSchema)
def create_invite(data):
    """A one-time invite to become a station's staff, a company's admin or an operator. The code
    is in this answer only: pass it to the person, who redeems it after logging in."""
    lifetime = data.pop("valid_for_hours", current_app.config["INVITE_LIFETIME_HOURS"])
    return invites.create_invite(data.pop("role"), current_principal().user, lifetime, **data)


@blp.get("/invites")
@blp.requires(OPERATOR)
@blp.arguments(InviteListQuery, location="query", as_kwargs=True)
@blp.response(200, InviteListSchema)
def list_invites(page, per_page, state=None):
    """Invites, newest first, optionally in one state (pending, redeemed, revoked, expired)."""
    return invites.list_invites(state, page, per_page)


@blp.delete("/invites/<id:invite_id>")
@blp.requires(OPERATOR)
@blp.problems(404, 409)
@blp.response(204)
def revoke_invite(invite_id):
    """Revoke an invite that was not redeemed: its code stops working at once."""
    invite = db.session.get(StaffInvite, invite_id)
    if invite is None:
        raise NotFound(_("No invite %(id)s.", id=invite_id), code="unknown_invite")
    invites.revoke_invite(invite, current_principal().user)


@blp.post("/invites/redeem")
@blp.requires()
@blp.problems(404, 409)
@blp.arguments(RedeemSchema)
@blp.response(200, MeSchema)
def redeem_invite(data):
    """Take the role an invite offers (once; before it expires). Answers with my account."""
    user = current_principal().user
    invites.redeem_invite(data["code"], user)
    return user


@blp.post("/auth/worker/bind-phone")
@blp.requires()
@blp.problems(
    404,
    409,
    meanings={
        404: "No worker's file holds the phone bound to this account",
        409: "No phone bound yet, the account or the worker is bound already, or several files hold the phone",
    },
)
@blp.response(200, MeSchema)
def bind_worker_by_phone():
    """Become the worker whose file holds the phone I bound through WeChat (role worker). Without a
    match, my company's admin can invite me instead (POST /api/v1/workers/{id}/account-invites)."""
    user = require_principal().user
    workers.bind_by_phone(user)
    return user


# ---------------------------------------------------------------- role grants and their audit trail


@blp.get("/role-grants")
@blp.requires(OPERATOR)
@blp.arguments(GrantListQuery, location="query", as_kwargs=True)
@blp.response(200, GrantListSchema)
def list_grants(page, per_page, user_id=None, role=None, station_code=None, company_id=None):
    """Roles held now, filterable by user, role, station and company."""
    return services.list_grants(user_id, role, station_code, company_id, page, per_page)


@blp.delete("/role-grants/<id:grant_id>")
@blp.requires(OPERATOR)
@blp.problems(404, 409)
@blp.arguments(RemoveGrantQuery, location="query", as_kwargs=True)
@blp.response(204)
def remove_grant(grant_id, reason=None):
    """Remove a role from its holder, effective on their next request; recorded in the audit trail."""
    grant = db.session.get(RoleGrant, grant_id)
    if grant is None:
        raise NotFound(_("No role grant %(id)s.", id=grant_id), code="unknown_grant")
    services.remove_grant(grant, current_principal().user, reason)


@blp.get("/role-events")
@blp.requires(OPERATOR)
@blp.arguments(RoleEventQuery, location="query", as_kwargs=True)
@blp.response(200, RoleEventListSchema)
def list_role_events(page, per_page, user_id=None):
    """Every grant and removal of a role, newest first: who, when, what, by whom, why."""
    return services.role_events(user_id, page, per_page)


# ---------------------------------------------------------------- development only


@development_login.post("/auth/dev-login")
@development_login.arguments(DevLoginSchema)
@development_login.response(201, TokenSchema)
@development_login.problems(
    409,
    422,
    meanings={409: "The worker is bound to another account", 422: "The station, company or worker does not exist"},
)
def dev_login(data):
    """A session for a development user with this role (station_staff needs station_code,
    company_admin needs company_id, worker needs worker_id): try every endpoint from the API docs without WeChat. This
    route exists only when APP_ENV=development."""
    scope = (data.get("station_code"), data.get("company_id"), data.get("worker_id"))
    invites.require_scope_exists(data["role"], *scope)
    user, token = services.development_login(data["role"], *scope)
    session = services.find_session(token)
    return {"token": token, "token_type": "Bearer", "expires_at": session.expires_at, "user_id": user.id}
