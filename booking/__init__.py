"""One-tap booking (一键预约): the service catalogue, station slots and capacity, bookings and their
statuses, recurring series, waiting lists of full slots, assignment of certified workers, entry
confirmation, follow-up calls, ratings and complaints feeding the credit ledger."""


def init_app(app, api) -> None:
    from booking.aftercare import BOOKING_COMPLAINTS
    from booking.assignment import withdraw_worker
    from booking.cli import booking_cli
    from booking.models import Complaint, Rating
    from booking.places import places_freed
    from booking.routes import blp
    from booking.series_routes import blp as series_blp
    from booking.waiting import on_places_freed
    from booking.waiting_routes import blp as waiting_blp
    from complaints.kinds import register_complaint_kind
    from credit.certificates import certificate_withdrawn
    from wechat.content import register_checked_texts

    certificate_withdrawn.connect(withdraw_worker)
    register_checked_texts(app, Rating, "rated_by_id")
    register_checked_texts(app, Complaint, "submitted_by_id")
    places_freed.connect(on_places_freed)
    register_complaint_kind(app, BOOKING_COMPLAINTS)
    api.register_blueprint(blp)
    api.register_blueprint(series_blp)
    api.register_blueprint(waiting_blp)
    app.cli.add_command(booking_cli)
