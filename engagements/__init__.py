"""长期/住家服务: long and live-in engagements (月嫂, 育儿嫂, 住家保姆, 养老护理) asked of a station or a
company, with candidates, interviews, both sides' confirmation, the worker's time held in the same
worker time blocks as slot bookings, 上户 and 下户 with the scan, ratings, follow-up calls, and
complaints handled as every complaint is (complaints/)."""


def init_app(app, api) -> None:
    from complaints.kinds import register_complaint_kind
    from credit.certificates import certificate_withdrawn
    from engagements.candidates import withdraw_worker
    from engagements.cli import engagements_cli
    from engagements.complaints import ENGAGEMENT_COMPLAINTS
    from engagements.models import Engagement, EngagementComplaint, EngagementRating
    from engagements.routes import blp
    from wechat.content import register_checked_texts

    certificate_withdrawn.connect(withdraw_worker)
    register_checked_texts(app, Engagement, "resident_id")
    register_checked_texts(app, EngagementRating, "rated_by_id")
    register_checked_texts(app, EngagementComplaint, "submitted_by_id")
    register_complaint_kind(app, ENGAGEMENT_COMPLAINTS)
    api.register_blueprint(blp)
    app.cli.add_command(engagements_cli)
