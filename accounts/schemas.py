"""Request and response schemas for the caller's account, roles, invites and their audit trail."""

import marshmallow as ma
from marshmallow import fields, validate

from accounts.models import COMPANY_ADMIN, GRANTED_ROLES, INVITE_STATES, RESIDENT, STATION_STAFF, WORKER
from app.fields import FullMatch, RecordId, Text
from app.i18n import _, lazy_gettext
from app.paging import OperatorPageQuery, page_schema
from app.privacy import mask_phone


class MaskedPhone(fields.String):
    """A phone number as its owner sees it, e.g. 138****5678; null without one."""

    def _serialize(self, value, attr, obj, **kwargs):
        return super()._serialize(mask_phone(value), attr, obj, **kwargs)


class RoleSchema(ma.Schema):
    role = fields.String(required=True, metadata={"description": "station_staff, company_admin, operator or worker"})
    station_code = fields.String(allow_none=True)
    company_id = fields.Integer(allow_none=True)
    worker_id = fields.Integer(allow_none=True, metadata={"description": "a worker's own worker record"})


class MeSchema(ma.Schema):
    """A User as they see themselves."""

    id = fields.Integer(required=True)
    roles = fields.List(
        fields.String(), required=True, metadata={"description": "resident for everyone logged in, plus granted roles"}
    )
    grants = fields.List(fields.Nested(RoleSchema), required=True)
    phone = MaskedPhone(allow_none=True, metadata={"description": "masked, e.g. 138****5678"})
    has_phone = fields.Boolean(required=True)


class RoleScopeSchema(ma.Schema):
    """A role and its scope: a station for station_staff, a company for company_admin, a worker
    record for worker, none for operator. A scope the role does not take is refused rather than
    ignored."""

    role = fields.String(required=True, validate=validate.OneOf(GRANTED_ROLES))
    station_code = Text(
        validate=FullMatch(r"\d{12}", error=lazy_gettext("must be a 12-digit station code")),
        metadata={"description": "required for station_staff"},
    )
    company_id = RecordId(metadata={"description": "required for company_admin"})
    worker_id = RecordId(metadata={"description": "required for worker"})

    @ma.validates_schema
    def scope_matches_role(self, data, **_kwargs):
        needs = {STATION_STAFF: "station_code", COMPANY_ADMIN: "company_id", WORKER: "worker_id"}.get(data.get("role"))
        errors = {}
        for scope in ("station_code", "company_id", "worker_id"):
            if scope == needs and data.get(scope) is None:
                errors[scope] = [_("required for %(role)s", role=data["role"])]
            elif scope != needs and data.get(scope) is not None:
                errors[scope] = [_("not taken by %(role)s", role=data.get("role"))]
        if errors:
            raise ma.ValidationError(errors)


class InviteCreateSchema(RoleScopeSchema):
    valid_for_hours = fields.Integer(
        validate=validate.Range(min=1, max=24 * 30), metadata={"description": "default INVITE_LIFETIME_HOURS (72)"}
    )
    note = Text(validate=validate.Length(max=100), metadata={"description": "whom it is for, e.g. 林小姐 (前台)"})


class InviteSchema(ma.Schema):
    """A StaffInvite."""

    id = fields.Integer(required=True)
    role = fields.String(required=True)
    station_code = fields.String(allow_none=True)
    company_id = fields.Integer(allow_none=True, metadata={"description": "for a worker: the inviting company"})
    worker_id = fields.Integer(allow_none=True)
    note = fields.String(allow_none=True)
    state = fields.String(required=True, validate=validate.OneOf(INVITE_STATES))
    code = fields.String(
        allow_none=True,
        metadata={"description": "only in the answer that creates the invite: hand it to the person, it is not stored"},
    )
    created_by = fields.Integer(required=True, attribute="created_by_id")
    created_at = fields.DateTime(required=True)
    expires_at = fields.DateTime(required=True)
    redeemed_by = fields.Integer(allow_none=True, attribute="redeemed_by_id")
    redeemed_at = fields.DateTime(allow_none=True)


class InviteListQuery(OperatorPageQuery):
    state = fields.String(validate=validate.OneOf(INVITE_STATES))


InviteListSchema = page_schema(InviteSchema, "InviteListSchema")


class RedeemSchema(ma.Schema):
    code = fields.String(required=True, validate=validate.Length(min=8, max=64))


class GrantSchema(RoleSchema):
    """A RoleGrant."""

    id = fields.Integer(required=True)
    user_id = fields.Integer(required=True)
    granted_at = fields.DateTime(required=True)
    granted_by = fields.Integer(allow_none=True, attribute="granted_by_id")


class GrantListQuery(OperatorPageQuery):
    user_id = RecordId()
    role = fields.String(validate=validate.OneOf(GRANTED_ROLES))
    station_code = fields.String()
    company_id = RecordId()


GrantListSchema = page_schema(GrantSchema, "GrantListSchema")


class RemoveGrantQuery(ma.Schema):
    reason = Text(validate=validate.Length(max=200))


class RoleEventSchema(RoleSchema):
    id = fields.Integer(required=True)
    action = fields.String(required=True, metadata={"description": "granted or removed"})
    grant_id = fields.Integer(required=True)
    user_id = fields.Integer(required=True, metadata={"description": "who holds or held the role"})
    actor_id = fields.Integer(
        allow_none=True, metadata={"description": "who granted or removed it; null for a command"}
    )
    invite_id = fields.Integer(allow_none=True)
    reason = fields.String(allow_none=True)
    created_at = fields.DateTime(required=True)


class RoleEventQuery(OperatorPageQuery):
    user_id = RecordId()


RoleEventListSchema = page_schema(RoleEventSchema, "RoleEventListSchema")


class DevLoginSchema(RoleScopeSchema):
    role = fields.String(required=True, validate=validate.OneOf((RESIDENT, *GRANTED_ROLES)))


class TokenSchema(ma.Schema):
    token = fields.String(required=True, metadata={"description": "send as Authorization: Bearer <token>"})
    token_type = fields.String(required=True, metadata={"example": "Bearer"})
    expires_at = fields.DateTime(required=True)
    user_id = fields.Integer(required=True)


class WebTicketSchema(ma.Schema):
    """A console log-in code: where it is shown, for the person to recognise their own desk before
    approving it from the mini-program."""

    scene = fields.String(required=True, metadata={"description": "the code's scene: the ticket"})
    requested_from = fields.String(allow_none=True, metadata={"description": "the address of the browser showing it"})
    browser = fields.String(allow_none=True, metadata={"description": "that browser's User-Agent"})
    created_at = fields.DateTime(required=True)
    expires_at = fields.DateTime(required=True, metadata={"description": "when the code stops being valid"})
    approved_at = fields.DateTime(allow_none=True, metadata={"description": "null until approved"})
