"""At the door when the hire is not a station booking (through a company, or direct): 确认入户
after scanning a worker's 安心碼, and the rating and complaints that entry allows, on the
worker's and the company's credit ledger under kinds of their own; operators handle the
complaints as every complaint is handled (complaints/)."""


def init_app(app, api) -> None:
    from complaints.kinds import register_complaint_kind
    from doorstep.entries import DOOR_COMPLAINTS
    from doorstep.models import DoorComplaint, DoorRating
    from doorstep.routes import blp
    from wechat.content import register_checked_texts

    register_checked_texts(app, DoorRating, "rated_by_id")
    register_checked_texts(app, DoorComplaint, "submitted_by_id")
    register_complaint_kind(app, DOOR_COMPLAINTS)
    api.register_blueprint(blp)
