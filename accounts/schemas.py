import marshmallow as ma
from marshmallow import fields


class RoleSchema(ma.Schema):
    role = fields.String(required=True, metadata={"description": "station_staff, company_admin or operator"})
    station_code = fields.String(allow_none=True)
    company_id = fields.Integer(allow_none=True)


class MeSchema(ma.Schema):
    id = fields.Integer(required=True)
    roles = fields.List(fields.String(), required=True,
                        metadata={"description": "resident for everyone logged in, plus granted roles"})
    grants = fields.List(fields.Nested(RoleSchema), required=True)
    phone = fields.String(allow_none=True, metadata={"description": "masked, e.g. 138****5678"})
    has_phone = fields.Boolean(required=True)
