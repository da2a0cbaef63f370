"""book_place(): a booking written in one round trip on PostgreSQL (booking.one_statement calls
it). Looks up the resident's Idempotency-Key, share-locks the offer as the caller checked the
slot against it, checks the day is open and the preferred worker offers the service, finds or
creates the slot, inserts the booking, takes its place under the capacity CHECK, and writes the
booking's first event and its 预约已受理 messages (one to the resident, one to each of the
station's staff). Each step is a statement of its own inside the function, so each sees what
concurrent transactions committed while it waited for a lock, as the ORM path's statements do.
SQLite keeps the ORM path: it creates nothing.

Revision ID: 0027_booking_in_one_statement
Revises: 0026_city_scale_reads
Create Date: 2026-12-02 08:00:00.000000

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0027_booking_in_one_statement"
down_revision = "0026_city_scale_reads"
branch_labels = None
depends_on = None

SIGNATURE = (
    "book_place(integer, text, text, text, text, timestamptz, timestamptz, date, text, time, time, integer, "
    "bytea, double precision, double precision, text, text, integer, timestamptz, json, bytea, text, text, text)"
)

BOOK_PLACE = """
CREATE FUNCTION book_place(
    p_resident_id integer, p_idempotency_key text, p_request_fingerprint text,
    p_station_code text, p_service_code text, p_starts_at timestamptz, p_ends_at timestamptz, p_day date,
    p_weekdays text, p_opens_at time, p_closes_at time, p_slot_minutes integer,
    p_address bytea, p_lat double precision, p_lng double precision,
    p_contact_name text, p_notes text, p_preferred_worker_id integer,
    p_at timestamptz, p_event_details json,
    p_message_data bytea, p_page text, p_received_template text, p_station_template text
) RETURNS TABLE (outcome text, new_booking_id integer, new_slot_id integer, queued_message_ids integer[])
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    places integer;
BEGIN
    -- First: a retried request gets its booking back even when its slot has filled or begun since.
    IF EXISTS (
        SELECT 1 FROM bookings b WHERE b.resident_id = p_resident_id AND b.idempotency_key = p_idempotency_key
    ) THEN
        outcome := 'replayed';
        RETURN NEXT;
        RETURN;
    END IF;

    -- The offer, share-locked so that its day cannot be closed nor its hours changed under this
    -- booking, and only as the caller checked the slot against it; otherwise the caller reads it again.
    SELECT o.capacity INTO places FROM station_offers o
     WHERE o.station_code = p_station_code AND o.service_code = p_service_code AND o.active
       AND o.weekdays = p_weekdays AND o.opens_at = p_opens_at AND o.closes_at = p_closes_at
       AND o.slot_minutes = p_slot_minutes
       FOR SHARE;
    IF NOT FOUND THEN
        outcome := 'offer_changed';
        RETURN NEXT;
        RETURN;
    END IF;

    -- A statement of its own: it sees a closure committed while the lock above was awaited.
    IF EXISTS (SELECT 1 FROM station_closed_days d WHERE d.station_code = p_station_code AND d.day = p_day) THEN
        outcome := 'station_closed';
        RETURN NEXT;
        RETURN;
    END IF;

    IF p_preferred_worker_id IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM workers w
         WHERE w.id = p_preferred_worker_id AND w.service_types::jsonb @> jsonb_build_array(p_service_code)
    ) THEN
        outcome := 'preferred_worker_not_offering';
        RETURN NEXT;
        RETURN;
    END IF;

    -- The slot row, created with the offer's places when first booked; the look-up, a statement of
    -- its own, sees a slot that a concurrent booking has just committed.
    INSERT INTO booking_slots AS s (station_code, service_code, starts_at, ends_at, capacity, booked)
    VALUES (p_station_code, p_service_code, p_starts_at, p_ends_at, places, 0)
    ON CONFLICT (station_code, service_code, starts_at) DO NOTHING
    RETURNING s.id INTO new_slot_id;
    IF new_slot_id IS NULL THEN
        SELECT s.id INTO new_slot_id FROM booking_slots s
         WHERE s.station_code = p_station_code AND s.service_code = p_service_code AND s.starts_at = p_starts_at;
    END IF;

    -- The same key in a concurrent request waits here for that request, then finds its booking.
    INSERT INTO bookings AS b (
        resident_id, idempotency_key, request_fingerprint, station_code, service_code, slot_id,
        starts_at, ends_at, status, address, location, contact_name, notes, preferred_worker_id,
        reschedule_count, created_at, updated_at, version
    ) VALUES (
        p_resident_id, p_idempotency_key, p_request_fingerprint, p_station_code, p_service_code, new_slot_id,
        p_starts_at, p_ends_at, 'pending', p_address, ST_SetSRID(ST_MakePoint(p_lng, p_lat), 4326),
        p_contact_name, p_notes, p_preferred_worker_id, 0, p_at, p_at, 1
    )
    ON CONFLICT (resident_id, idempotency_key) DO NOTHING
    RETURNING b.id INTO new_booking_id;
    IF new_booking_id IS NULL THEN
        outcome := 'replayed';
        new_slot_id := NULL;
        RETURN NEXT;
        RETURN;
    END IF;

    -- The place: of any number of concurrent bookings only as many as there are places get the
    -- row; PostgreSQL re-checks booked < capacity after waiting for it, and the CHECK backs it.
    UPDATE booking_slots s SET booked = s.booked + 1 WHERE s.id = new_slot_id AND s.booked < s.capacity;
    IF NOT FOUND THEN
        DELETE FROM bookings b WHERE b.id = new_booking_id;
        outcome := 'slot_full';
        new_booking_id := NULL;
        RETURN NEXT;
        RETURN;
    END IF;

    INSERT INTO booking_events (booking_id, action, from_status, to_status, actor_id, details, created_at)
    VALUES (new_booking_id, 'create', NULL, 'pending', p_resident_id, p_event_details, p_at);

    -- 预约已受理 to the resident and to each of the station's staff, in the same words; a kind with
    -- no template configured is recorded as skipped, as wechat.messages does.
    WITH told AS (
        SELECT p_resident_id AS user_id, 'booking_received' AS kind, p_received_template AS template_id
        UNION ALL
        SELECT DISTINCT g.user_id, 'station_booking', p_station_template
          FROM role_grants g
         WHERE g.role = 'station_staff' AND g.station_code = p_station_code AND g.revoked_at IS NULL
    ), written AS (
        INSERT INTO wechat_messages AS m (user_id, kind, template_id, page, data, status, attempts, created_at, updated_at)
        SELECT t.user_id, t.kind, t.template_id, p_page || new_booking_id, p_message_data,
               CASE WHEN t.template_id IS NULL THEN 'skipped' ELSE 'queued' END, 0, p_at, p_at
          FROM told t
        RETURNING m.id, m.status
    )
    SELECT array_agg(w.id ORDER BY w.id) FILTER (WHERE w.status = 'queued') INTO queued_message_ids FROM written w;

    outcome := 'booked';
    RETURN NEXT;
END
$$
"""


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(BOOK_PLACE)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP FUNCTION {SIGNATURE}")
