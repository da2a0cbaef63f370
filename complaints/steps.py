"""A complaint's handling steps as API routes: accept (受理, with a severity), uphold, dismiss,
invalidate and close, the same five on every blueprint that handles a kind of complaint (a
station's booking complaints, the door's, an engagement's); only who may act and how the
complaint is found differ, and those the feature passes in."""

from collections.abc import Callable

import marshmallow as ma

from app.access import require_principal
from app.blueprint import ApiBlueprint
from complaints import handling
from complaints.models import HandledComplaint
from complaints.schemas import ComplaintAcceptSchema, ComplaintStepSchema

STEPS: dict[str, tuple[str, type[ma.Schema]]] = {
    "accept": (
        "submitted → accepted (受理), triaged ordinary or serious; a serious one reaches operators at once and, "
        "when COMPLAINT_SERIOUS_SUSPENDS is on, suspends the worker pending review",
        ComplaintAcceptSchema,
    ),
    "uphold": ("accepted → upheld: lowers the worker's and company's credit", ComplaintStepSchema),
    "dismiss": ("accepted → dismissed: lowers nothing", ComplaintStepSchema),
    "invalidate": ("submitted or accepted → invalid (无效): lowers nothing", ComplaintStepSchema),
    "close": ("upheld, dismissed or invalid → closed", ComplaintStepSchema),
}


def register_complaint_steps(
    blp: ApiBlueprint,
    path: str,
    name: str,
    roles: tuple[str, ...],
    complaint_for_caller: Callable[[int], HandledComplaint],
    answer: type[ma.Schema],
) -> None:
    """POST `{path}/<complaint_id>/{step}` for each step, named `{step}_{name}` (the endpoint and
    the OpenAPI operation), for `roles`, finding the complaint with `complaint_for_caller` (its
    404 for one outside the caller's scope) and answering with `answer`."""
    for action, (summary, schema) in STEPS.items():
        _register(blp, path, name, roles, complaint_for_caller, answer, action, summary, schema)


def _register(blp, path, name, roles, complaint_for_caller, answer, action, summary, schema) -> None:
    @blp.requires(*roles)
    @blp.doc(summary=summary)
    @blp.problems(404, 409)
    @blp.arguments(schema)
    @blp.response(200, answer)
    def step(data, complaint_id):
        complaint = complaint_for_caller(complaint_id)
        return handling.handle(complaint, action, require_principal().user, data.get("reason"), data.get("severity"))

    step.__name__ = f"{action}_{name}"
    blp.route(f"{path}/<id:complaint_id>/{action}", methods=["POST"])(step)
