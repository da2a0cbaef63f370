"""The caller's own account."""

from accounts.auth import BEARER_SECURITY, current_principal, login_required
from accounts.schemas import MeSchema
from accounts.services import end_session
from app.blueprint import ApiBlueprint
from app.privacy import mask_phone

blp = ApiBlueprint("accounts", __name__, url_prefix="/api/v1", description="The caller's account and session")


@blp.get("/me")
@blp.doc(security=BEARER_SECURITY)
@blp.response(200, MeSchema)
@blp.problems(401)
@login_required
def me():
    """Who I am: my roles and my phone, masked."""
    principal = current_principal()
    user = principal.user
    return {
        "id": user.id,
        "roles": sorted(principal.roles),
        "grants": [{"role": g.role, "station_code": g.station_code, "company_id": g.company_id} for g in user.grants],
        "phone": mask_phone(user.phone),
        "has_phone": user.phone is not None,
    }


@blp.post("/auth/logout")
@blp.doc(security=BEARER_SECURITY)
@blp.response(204)
@blp.problems(401)
@login_required
def logout():
    """End this session; its token stops working at once."""
    end_session(current_principal().session)
