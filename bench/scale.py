"""City-scale data for the benchmarks, generated straight into PostgreSQL.

    make bench-scale SCALE=0.1          # or: .venv/bin/python bench/scale.py --scale 0.1

Scale 1 is Guangzhou today: 100,000 workers with their certificates, 3,000 companies, the 177
stations, 200,000 residents, 1,000,000 bookings (with their slots, events, ratings, follow-ups
and complaints), 10,000,000 scan-log rows and 5,000,000 ledger events; and the later features'
rows (bench/scale_features.py): training, 失信 cases and listings, 20,000 engagements, series and
the waiting list, handled complaints, 300,000 public-credit feed records. 0.01 and 0.1 are quick
runs; 10 is as much as the disk allows. The schema comes from the migrations and the stations, services
and opening hours from the same commands as `make run`, so the data has the shape the code reads.

Rows are made by the database (INSERT … SELECT over generate_series) except where a column is
encrypted or a keyed hash (workers' ID numbers and phones, bookings' addresses): those are
encrypted here with the app's own key and streamed in with COPY. Foreign keys are not checked
while loading (session_replication_role = replica: every row is made consistent by construction)
and the tables are analysed at the end. Worker time blocks are made for bookings still to come
only, as the app keeps them. The statistics' rollups are then built by their own job (`flask
statistics roll-up`), and brought up to date by it on kept data; the workers' counts, which the
database's triggers keep as workers are written (not while loading), by `flask statistics
count-workers`.

Each step commits on its own and is recorded in the database as it does (bench_scale_steps, the
comment "bench scale S seed N: loading"), so a generation cut short (at scale 10 after most of
an hour) keeps the steps it finished: run the same command again and it resumes with the first
step not done (`--fresh` starts again). A finished one drops the record and says "bench scale S
seed N", which `--keep` (and bench/city.py's) reads.

Below scale 0.1 the busiest station, whose pages bench/city.py reads as its clerk, is given what
they show at scale 1 (FULL_PAGES_BELOW): scale 1's bookings of its desk days, complaints and
engagements, so that a staff page's growth from 0.01 compares pages of the same rows; and the
city's 失信 cases fill the operators' pages of cases and listings in force as at scale 1
(scale_features.FULL_PAGE_CASES).
"""

import argparse
import os
import random
import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import psycopg
import scale_features

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
VENV_BIN = Path(sys.executable).parent
DATABASE_URL = os.environ.get(
    "BENCH_SCALE_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/yangcheng_scale"
)
DATABASE_NAME = DATABASE_URL.rsplit("/", 1)[1]
CONNINFO = DATABASE_URL.replace("postgresql+psycopg://", "postgresql://")
# The steps of an unfinished generation that have committed (a finished one drops it).
STEPS_TABLE = "bench_scale_steps"

# Scale 1, Guangzhou today (issue 18).
TODAY = {
    "companies": 3_000,
    "workers": 100_000,
    "residents": 200_000,
    "bookings": 1_000_000,
    "scan_logs": 10_000_000,
    "credit_events": 5_000_000,
}
FAMILY_NAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任"
    "沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN_NAMES = "秀英桂英秀兰玉兰桂兰秀珍凤英玉梅美玲丽娟淑珍海燕晓燕丽芳美华雪梅婷婷红梅春燕慧敏小红建华志强"
SERVICES = ["cleaning", "childcare", "elderly_care", "maternity", "appliance_cleaning", "cooking"]
BORN_FROM = date(1962, 1, 1)  # the oldest worker's birthday; 15,000 days on, the youngest's
SEQUENCED = (
    "companies", "workers", "certificates", "users", "booking_slots", "bookings", "booking_events", "booking_ratings",
    "booking_follow_ups", "booking_complaints", "scan_logs", "credit_events",
)  # fmt: skip
DISTRICTS = [
    "440103",
    "440104",
    "440105",
    "440106",
    "440111",
    "440112",
    "440113",
    "440114",
    "440115",
    "440117",
    "440118",
]


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


@contextmanager
def step(name: str):
    started = time.monotonic()
    log(f"{name}…")
    yield
    log(f"{name}: {time.monotonic() - started:.1f} s")


@contextmanager
def indexes_built_after(cur, table: str):
    """A big table's secondary indexes dropped while it loads and built once at the end: one sort
    each instead of a random insert per row per index."""
    definitions = cur.execute(
        "SELECT indexname, indexdef FROM pg_indexes i WHERE tablename = %s "
        "AND NOT EXISTS (SELECT FROM pg_constraint c WHERE c.conname = i.indexname)",
        (table,),
    ).fetchall()
    for name, _ in definitions:
        cur.execute(f'DROP INDEX "{name}"')
    yield
    for _, definition in definitions:
        cur.execute(definition)


def counts(scale: float) -> dict[str, int]:
    return {table: max(1, round(n * scale)) for table, n in TODAY.items()}


def mark(scale: float, seed: int) -> str:
    """What the database's comment says once a generation has finished."""
    return f"bench scale {scale:g} seed {seed}"


def loading_mark(scale: float, seed: int) -> str:
    """What it says while one loads, or after one was cut short: STEPS_TABLE names the steps done."""
    return f"{mark(scale, seed)}: loading"


def database_comment() -> str | None:
    with psycopg.connect(
        DATABASE_URL.rsplit("/", 1)[0].replace("postgresql+psycopg://", "postgresql://") + "/postgres"
    ) as c:
        row = c.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", (DATABASE_NAME,)
        ).fetchone()
    return None if row is None else row[0]


def generated(scale: float, seed: int) -> bool:
    """Whether the database holds a finished generation of this scale and seed."""
    return database_comment() == mark(scale, seed)


def steps_done(scale: float, seed: int) -> set[str] | None:
    """The steps an unfinished generation of this scale and seed committed, for a run to resume
    it; None when the database holds none (nothing, a finished one, or another scale's or seed's)."""
    if database_comment() != loading_mark(scale, seed):
        return None
    with psycopg.connect(CONNINFO) as connection:
        return {name for (name,) in connection.execute(f"SELECT name FROM {STEPS_TABLE}")}


def start_loading(scale: float, seed: int) -> None:
    """The fresh schema marked as a generation under way, with no step done yet."""
    with psycopg.connect(CONNINFO) as connection:
        connection.execute(
            f"CREATE TABLE {STEPS_TABLE} (name text PRIMARY KEY, done_at timestamptz DEFAULT clock_timestamp())"
        )
        connection.execute(f"COMMENT ON DATABASE \"{DATABASE_NAME}\" IS '{loading_mark(scale, seed)}'")


def migrate(env: dict) -> None:
    subprocess.run(
        [str(VENV_BIN / "flask"), "--app", "wsgi", "db", "upgrade"],
        check=True,
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
    )


def roll_up(env: dict) -> None:
    """The statistics' rollups brought up to date, as their scheduled job does (all of it after a
    generation; what changed since, on kept data)."""
    subprocess.run([str(VENV_BIN / "flask"), "--app", "wsgi", "statistics", "roll-up"], check=True, cwd=ROOT, env=env)


def count_workers(env: dict) -> None:
    """The workers' counts from the rows loaded with the triggers that keep them off."""
    subprocess.run(
        [str(VENV_BIN / "flask"), "--app", "wsgi", "statistics", "count-workers"], check=True, cwd=ROOT, env=env
    )


def prepare_schema(env: dict) -> None:
    """A fresh database, migrated, with the stations and the booking catalogue as `make run` makes them."""
    admin = ["psql", "-q", "-h", "127.0.0.1", "-U", "postgres", "-c"]
    subprocess.run([*admin, f'DROP DATABASE IF EXISTS "{DATABASE_NAME}" WITH (FORCE)'], check=True)
    subprocess.run([*admin, f'CREATE DATABASE "{DATABASE_NAME}"'], check=True)
    migrate(env)
    flask = [str(VENV_BIN / "flask"), "--app", "wsgi"]
    for command in (["stations", "import", "stations/data/gz_streets.csv"], ["booking", "defaults"]):
        subprocess.run([*flask, *command], check=True, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)


def personal_rows(n_workers: int, n_companies: int, seed: int):
    """Workers with valid, unique ID numbers and phones, encrypted and hashed by the app itself."""
    from app import create_app
    from app.privacy import blind_index, encrypt
    from credit.identifiers import credit_code_check_character, id_number_check_character

    app = create_app()
    rng = random.Random(seed)
    with app.app_context():
        companies = []
        for i in range(1, n_companies + 1):
            first17 = f"91440101MA{i:07d}"
            companies.append((i, f"羊城家政服务第{i}号有限公司", first17 + credit_code_check_character(first17)))
        workers = []
        for i in range(1, n_workers + 1):
            # A birth date, a district and a sequence number that no other worker shares: the date
            # from i modulo the 15,000 days counted (97 is prime to 15,000, so the dates spread
            # over the years), the district and sequence from the rest of i.
            born = BORN_FROM + timedelta(days=i * 97 % 15_000)
            first17 = f"{DISTRICTS[i // 15_000 % 11]}{born:%Y%m%d}{i // 165_000 % 1000:03d}"
            id_number = first17 + id_number_check_character(first17)
            phone = f"13{i:09d}"
            name = rng.choice(FAMILY_NAMES) + rng.choice(
                [GIVEN_NAMES[j : j + 2] for j in range(0, len(GIVEN_NAMES), 2)]
            )
            gender = "male" if int(id_number[16]) % 2 else "female"
            workers.append((
                i, name, encrypt(id_number), blind_index(id_number), encrypt(phone), blind_index(phone), gender,
                born.year,
            ))  # fmt: skip
    return companies, workers


def encrypted_addresses() -> list[bytes]:
    """A hundred bookings' addresses, encrypted with the app's own key."""
    from app import create_app
    from app.privacy import encrypt

    with create_app().app_context():
        return [encrypt(f"广州市天河区体育西路{n}号{n % 30 + 1}楼") for n in range(1, 101)]


def load(connection, n: dict, seed: int, scale: float, done: set[str]) -> None:
    """Every step in its own transaction, recorded in STEPS_TABLE as it commits, so that a run cut
    short keeps what it finished and the next run does only the rest (those in `done` are
    skipped); then the sequences and the planner's statistics, which every run brings up to date."""
    cur = connection.cursor()
    cur.execute("SET session_replication_role = replica")
    _load_addresses(cur, encrypted_addresses())
    now = datetime.now(UTC)
    stages = [
        ("companies and workers", lambda cur: _people(cur, n, seed, now)),
        ("certificates", _certificates),
        ("residents", lambda cur: _residents(cur, n)),
        ("bookings", lambda cur: _bookings(cur, n)),
        ("booking events, ratings, follow-ups and complaints", _booking_records),
        ("scan logs", lambda cur: _scan_logs(cur, n)),
        ("ledger events", lambda cur: _ledger_events(cur, n)),
        ("certificate moves", _certificate_moves),
        *scale_features.stages(n, scale, step, indexes_built_after, scale < FULL_PAGES_BELOW),
    ]
    if scale < FULL_PAGES_BELOW:
        stages = _with_full_pages(stages, n)
    for position, (name, run_on) in enumerate(stages):
        if name in done:
            log(f"{name}: done by an earlier run, kept")
            continue
        with connection.transaction():
            # Seeded per step, so a resumed run makes the same rows as one that never stopped.
            cur.execute("SELECT setseed(%s)", (((seed + position) % 2**31) / 2**31,))
            run_on(cur)
            cur.execute(f"INSERT INTO {STEPS_TABLE} (name) VALUES (%s)", (name,))
    with step("sequences and statistics"):
        cur.execute("SET session_replication_role = origin")
        for table in (*SEQUENCED, *scale_features.SEEDED):
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), coalesce(max(id), 1)) FROM {table}")
        cur.execute("VACUUM ANALYZE")


def _people(cur, n: dict, seed: int, now: datetime) -> None:
    with step(f"{n['workers']:,} workers and {n['companies']:,} companies: encrypting their numbers"):
        companies, workers = personal_rows(n["workers"], n["companies"], seed)
    with step("companies"):
        with cur.copy(
            "COPY companies (id, name, credit_code, district_code, grade, credit_score, created_at, updated_at) "
            "FROM STDIN"
        ) as copy:
            grades = ["A", "2A", "3A", "4A", "5A"]
            for i, name, code in companies:
                score = 40 + (i * 7919 % 600) / 10
                copy.write_row(
                    (
                        i,
                        name,
                        code,
                        DISTRICTS[i % len(DISTRICTS)],
                        grades[min(4, int((score - 40) // 12))],
                        score,
                        now,
                        now,
                    )
                )
    with step("workers"):
        with cur.copy(
            "COPY workers (id, name, id_number, id_number_hash, phone, phone_hash, service_types, skills, "
            "years_of_experience, company_id, stars, credit_score, rating_count, rating_mean, upheld_complaints, "
            "photo_url, gender, birth_year, created_at, updated_at) FROM STDIN"
        ) as copy:
            for i, name, id_number, id_hash, phone, phone_hash, gender, born_in in workers:
                services = [SERVICES[i % 6], SERVICES[(i * 7) % 6]] if i % 3 else [SERVICES[i % 6]]
                score = 30 + (i * 104729 % 700) / 10
                copy.write_row((
                    i, name, id_number, id_hash, phone, phone_hash,
                    psycopg.types.json.Jsonb(sorted(set(services))), psycopg.types.json.Jsonb([]),
                    i % 20, None if i % 10 == 0 else 1 + i % n["companies"], 1 + int((score - 30) // 14),
                    score, i % 40, 3 + (i % 20) / 10, 1 if i % 97 == 0 else 0,
                    f"https://example.org/photos/{i % 500}.jpg", gender, born_in, now, now,
                ))  # fmt: skip


def _certificates(cur) -> None:
    with step("certificates (85% issued and green, the rest on their way, suspended or revoked)"):
        cur.execute(
            """
            INSERT INTO certificates (id, worker_id, state, number, scan_token, id_card_checked_on,
                health_certificate_valid_until, skill_certificate, authorisation_signed_on, training_hours,
                trained_on, exam_score, exam_passed_on, identity_verified_on, criminal_record_result,
                criminal_record_checked_on, criminal_record_valid_until, insurance_result, insurance_valid_from,
                insurance_valid_until, issued_at, updated_at, version)
            SELECT w.id, w.id, s.state,
                   CASE WHEN s.state IN ('issued', 'suspended', 'revoked') THEN 'GZAX' || lpad(w.id::text, 8, '0') END,
                   CASE WHEN s.state IN ('issued', 'suspended', 'revoked')
                        THEN substr(md5(w.id::text || 'a') || md5(w.id::text || 'b'), 1, 43) END,
                   current_date - 300, current_date + 5 + w.id % 360, '家政服务员 四级', current_date - 300, 40,
                   current_date - 290, 88, current_date - 280, current_date - 270, 'clear', current_date - 100,
                   current_date + 265, 'in_force', current_date - 100, current_date + 265,
                   now() - (w.id % 700) * interval '1 day', now(), 1
            FROM workers w
            CROSS JOIN LATERAL (SELECT CASE WHEN w.id % 100 < 85 THEN 'issued'
                                            WHEN w.id % 100 < 90 THEN 'applied'
                                            WHEN w.id % 100 < 95 THEN 'exam_passed'
                                            WHEN w.id % 100 < 98 THEN 'suspended'
                                            ELSE 'revoked' END AS state) s
            """
        )


def _residents(cur, n: dict) -> None:
    with step(f"{n['residents']:,} residents"):
        cur.execute(
            "INSERT INTO users (id, openid, created_at) SELECT i, 'scale-' || i, now() - (i %% 700) * interval '1 day' "
            "FROM generate_series(1, %s) i",
            (n["residents"],),
        )


def _scan_logs(cur, n: dict) -> None:
    with step(f"{n['scan_logs']:,} scan-log rows over a year"), indexes_built_after(cur, "scan_logs"):
        cur.execute(
            """
            INSERT INTO scan_logs (certificate_id, scanned_at, channel, client, viewer)
            SELECT 1 + (random() * (%(workers)s - 1))::int, now() - random() * interval '365 days',
                   (ARRAY['api', 'page', 'wxa'])[1 + i %% 3],
                   (ARRAY['wechat', 'android', 'ios', 'browser'])[1 + i %% 4],
                   (ARRAY['resident', 'anonymous', 'station', 'company'])[1 + i %% 4]
            FROM generate_series(1, %(rows)s) i
            """,
            {"workers": n["workers"], "rows": n["scan_logs"]},
        )


def _ledger_events(cur, n: dict) -> None:
    with step(f"{n['credit_events']:,} ledger events over two years"), indexes_built_after(cur, "credit_events"):
        cur.execute(
            """
            INSERT INTO credit_events (worker_id, company_id, kind, value, reason, source_ref, created_at, employer_id)
            SELECT CASE WHEN i %% 50 = 0 THEN NULL ELSE 1 + (random() * (%(workers)s - 1))::int END,
                   CASE WHEN i %% 50 = 0 THEN 1 + (random() * (%(companies)s - 1))::int END,
                   k.kind, k.value, NULL, 'scale:' || i, now() - random() * interval '730 days', NULL
            FROM generate_series(1, %(rows)s) i
            CROSS JOIN LATERAL (SELECT CASE WHEN i %% 50 = 0 THEN 'inspection' ELSE
                (ARRAY['rating', 'follow_up', 'training', 'exam', 'certificate', 'rating', 'door_rating',
                       'note'])[1 + i %% 8]
                END AS kind,
                CASE i %% 8 WHEN 0 THEN 1 + i %% 5 WHEN 1 THEN i %% 2 WHEN 2 THEN 8 WHEN 3 THEN 85 WHEN 4 THEN 1
                           WHEN 5 THEN 1 + i %% 5 WHEN 6 THEN 1 + i %% 5 ELSE 0 END AS value) k
            """,
            {"workers": n["workers"], "companies": n["companies"], "rows": n["credit_events"]},
        )


def _certificate_moves(cur) -> None:
    with step("the certificates' moves on the ledger"), indexes_built_after(cur, "credit_events"):
        # Each worker's certificate issued once in the last two years, and for some of them later
        # suspended (and reinstated), revoked, or expired (and renewed): written in time order, as
        # the ledger's ids grow with time, with the employer of the worker.
        cur.execute(
            """
            INSERT INTO credit_events (worker_id, kind, value, source_ref, before, after, created_at, employer_id)
            SELECT w.id, 'certificate', 0, 'scale:certificate', json_build_object('state', m.before),
                   json_build_object('state', m.after), m.at, w.company_id
            FROM workers w
            CROSS JOIN LATERAL (SELECT now() - (30 + w.id::bigint * 7919 % 700) * interval '1 day'
                                       + (w.id % 1440) * interval '1 minute' AS issued_at) i
            CROSS JOIN LATERAL (VALUES
                (true, 'identity_verified', 'issued', i.issued_at),
                (w.id % 10 = 0, 'issued', 'suspended', i.issued_at + interval '20 days'),
                (w.id % 20 = 0, 'suspended', 'issued', i.issued_at + interval '25 days'),
                (w.id % 37 = 0, 'issued', 'revoked', i.issued_at + interval '28 days'),
                (w.id % 23 = 0 AND w.id % 37 <> 0, 'issued', 'expired', i.issued_at + interval '29 days'),
                (w.id % 46 = 0 AND w.id % 37 <> 0, 'expired', 'issued', i.issued_at + interval '29 days 1 hour')
            ) m(happened, before, after, at)
            WHERE m.happened AND m.at < now()
            ORDER BY m.at, w.id
            """
        )


def _planned(table: str, station_where: str = "", series_where: str = "") -> str:
    """The CREATE of the temporary table of bookings planned over the stations' offers: booking i
    at offer i modulo the offers, on the day (i * 7) modulo 337 minus 7 before today, at the slot
    (i / 337) modulo the slots of its day; pending, confirmed or assigned still to come, past
    ones mostly completed. `station_where` keeps some offers only, `series_where` some i only."""
    return f"""
            CREATE TEMP TABLE {table} AS
            WITH offers AS MATERIALIZED (
                SELECT o.*, row_number() OVER (ORDER BY o.id) - 1 AS k,
                       (extract(epoch FROM o.closes_at - o.opens_at) / 60 / o.slot_minutes)::int AS slots_a_day
                FROM station_offers o WHERE o.active
            ), series AS (
                SELECT i, i %% (SELECT count(*) FROM offers) AS k FROM generate_series(1, %(bookings)s) i{series_where}
            ), placed AS (
                SELECT i, o.station_code, o.service_code, o.slot_minutes, greatest(o.capacity, 1) AS capacity,
                       (date_trunc('day', now() AT TIME ZONE 'Asia/Shanghai') - (i * 7 %% 337 - 7) * interval '1 day'
                        + o.opens_at + ((i / 337) %% greatest(o.slots_a_day, 1)) * o.slot_minutes * interval '1 minute')
                        AT TIME ZONE 'Asia/Shanghai' AS starts_at
                FROM series JOIN offers o USING (k){station_where}
            )
            SELECT *,
                   CASE WHEN starts_at > now() THEN (ARRAY['pending', 'confirmed', 'assigned'])[1 + i %% 3]
                        WHEN i %% 100 < 82 THEN 'completed' WHEN i %% 100 < 94 THEN 'cancelled'
                        WHEN i %% 100 < 97 THEN 'rejected' ELSE 'completed' END AS status,
                   1 + (i * 31 %% %(residents)s) AS resident_id,
                   1 + (i * 17 %% %(workers)s) AS worker_id
            FROM placed
            """


# The bookings of a plan (its table's rows joined to their slots, each given `id`), as rows.
BOOKING_ROWS = """
            INSERT INTO bookings (id, resident_id, idempotency_key, request_fingerprint, station_code, service_code,
                slot_id, starts_at, ends_at, status, address, location, contact_name, worker_id, reschedule_count,
                entry_confirmed_at, created_at, updated_at, version, follow_up_recorded)
            SELECT {id}, m.resident_id, 'scale-' || {id}, md5({id}::text), m.station_code, m.service_code, m.slot_id,
                   m.starts_at, m.ends_at, m.status, a.address,
                   ST_SetSRID(ST_MakePoint(coalesce(ST_X(st.location), 113.3) + (m.i % 100 - 50) * 0.0002,
                                           coalesce(ST_Y(st.location), 23.1) + (m.i % 77 - 38) * 0.0002), 4326),
                   '陈女士', CASE WHEN m.status IN ('assigned', 'completed') THEN m.worker_id END, 0,
                   CASE WHEN m.status = 'completed' THEN m.starts_at END,
                   least(m.starts_at - interval '2 days', now() - interval '3 hours'), m.starts_at, 1,
                   m.status = 'completed' AND ({id}) % 5 < 3
            FROM {made} m JOIN pg_temp.addresses a ON a.n = m.i % 100
            JOIN stations st ON st.code = m.station_code
            """
# The time blocks of the assigned bookings still to come, those with ids above %(after)s.
TIME_BLOCKS = """
            INSERT INTO worker_time_blocks (worker_id, starts_at, booking_id)
            SELECT DISTINCT ON (b.worker_id, t) b.worker_id, t, b.id
            FROM bookings b CROSS JOIN LATERAL generate_series(b.starts_at, b.ends_at - interval '30 minutes',
                                                               interval '30 minutes') t
            WHERE b.worker_id IS NOT NULL AND b.starts_at > now(){after}
            ORDER BY b.worker_id, t, b.id{on_conflict}
            """


def _bookings(cur, n: dict) -> None:
    """Bookings spread over the stations' offers and the last 330 days and the next 7: one slot
    per (offer, day, time) that has any, holding as many as were booked; the statuses a year of
    bookings has; the time blocks of those still to come."""
    with step(f"{n['bookings']:,} bookings and their slots"), indexes_built_after(cur, "bookings"):
        cur.execute(
            _planned("planned"),
            {"bookings": n["bookings"], "residents": n["residents"], "workers": n["workers"]},
        )
        cur.execute(
            """
            INSERT INTO booking_slots (station_code, service_code, starts_at, ends_at, capacity, booked)
            SELECT station_code, service_code, starts_at, starts_at + slot_minutes * interval '1 minute',
                   greatest(max(capacity), count(*)), count(*) FILTER (WHERE status NOT IN ('cancelled', 'rejected'))
            FROM planned GROUP BY station_code, service_code, starts_at, slot_minutes
            """
        )
        cur.execute(
            """
            CREATE TEMP TABLE made AS
            SELECT p.*, s.id AS slot_id, s.ends_at
            FROM planned p JOIN booking_slots s USING (station_code, service_code, starts_at)
            """
        )
        cur.execute(BOOKING_ROWS.format(id="m.i", made="made"))
        cur.execute(TIME_BLOCKS.format(after="", on_conflict=""))


# Complaints about the completed bookings `which` names, as scale.py makes them: the statuses
# only (scale_features' complaints step hands them their handling and the status their age has reached).
COMPLAINTS = (
    "INSERT INTO booking_complaints (booking_id, station_code, type, text, status, result, submitted_by_id, "
    "submitted_at, version, text_status) SELECT id, station_code, 'attitude', '服务态度不好', "
    "(ARRAY['submitted', 'accepted', 'closed'])[1 + id % 3], CASE WHEN id % 3 = 2 THEN 'upheld' END, "
    "resident_id, ends_at + interval '1 day', 1, 'pass' "
    "FROM bookings WHERE status = 'completed' AND {which}"
)


def _booking_records(cur) -> None:
    """The bookings' events, ratings, follow-ups and complaints, none of them in the last hour (a
    booking of next week was made already; the statistics' job has run since)."""
    with step("booking events, ratings, follow-ups and complaints"), indexes_built_after(cur, "booking_events"):
        cur.execute(
            """
            INSERT INTO booking_events (booking_id, action, from_status, to_status, created_at)
            SELECT id, 'create', NULL, 'pending', created_at FROM bookings
            UNION ALL SELECT id, 'confirm', 'pending', 'confirmed', created_at + interval '1 hour' FROM bookings
                WHERE status IN ('confirmed', 'assigned', 'completed', 'cancelled')
            UNION ALL SELECT id, 'assign', 'confirmed', 'assigned', created_at + interval '2 hours' FROM bookings
                WHERE status IN ('assigned', 'completed')
            UNION ALL SELECT id, 'complete', 'in_service', 'completed', least(ends_at, now() - interval '1 hour')
                FROM bookings
                WHERE status = 'completed'
            UNION ALL SELECT id, 'cancel', 'confirmed', 'cancelled', created_at + interval '1 day' FROM bookings
                WHERE status = 'cancelled'
            UNION ALL SELECT id, 'reject', 'pending', 'rejected', created_at + interval '1 hour' FROM bookings
                WHERE status = 'rejected'
            """
        )
        cur.execute(
            "INSERT INTO booking_ratings (booking_id, stars, text, rated_by_id, created_at, text_status) "
            "SELECT id, 1 + (id * 13 % 5), NULL, resident_id, ends_at + interval '1 day', 'pass' "
            "FROM bookings WHERE status = 'completed' AND id % 2 = 0"
        )
        # The bookings that these follow-ups are of say so already (BOOKING_ROWS): the triggers that
        # keep follow_up_recorded do not fire while loading.
        cur.execute(
            "INSERT INTO booking_follow_ups (booking_id, caller_id, called_at, satisfied, created_at) "
            "SELECT id, resident_id, least(ends_at + interval '2 days', now() - interval '1 hour'), id % 10 <> 0, "
            "least(ends_at + interval '2 days', now() - interval '1 hour') "
            "FROM bookings WHERE status = 'completed' AND id % 5 < 3"
        )
        cur.execute(COMPLAINTS.format(which="id % 100 = 1"))


# Below this scale the bench's station, the one with the most bookings (bench/city.py), is given
# what its clerk's pages show at scale 1: there its desk and day sheet list 13 to 18 bookings a
# day, its complaints, follow-ups due and engagements a page of 20 and more, where at 0.01 they
# list none to two. Without them the city bench's growth 0.01 → 1 of a staff page measured the
# rows on its page, not the cost of the data behind it; its history (the station's other days)
# is left as small as the scale makes it, so work that grows with it still shows.
FULL_PAGES_BELOW = 0.1
BUSIEST_STATION = "SELECT station_code FROM bookings GROUP BY station_code ORDER BY count(*) DESC, station_code LIMIT 1"
DESK_DAYS = (60, 7)  # the days before and after today bench/city.py reads the desk and day sheet of


def _with_full_pages(stages: list, n: dict) -> list:
    """The steps with the bench's station's: its days after the bookings, its complaints and
    engagements after the engagements (and before the complaints' handling)."""
    after = {
        "bookings": ("the bench's station's days", lambda cur: _busiest_station_days(cur, n)),
        "engagements": ("the bench's station's handling", lambda cur: _busiest_station_handling(cur, n)),
    }
    return [each for stage in stages for each in (stage, *([after[stage[0]]] if stage[0] in after else []))]


def _busiest_station_days(cur, n: dict) -> None:
    """The bookings scale 1 has at the bench's station on the desk's days, made as scale 1 makes
    them (the same plan over its million bookings, kept to that station's offers and those
    days), with ids after the others', their slots (shared with the bookings already there) and
    the time blocks of those assigned; their events, ratings, follow-ups and complaints come with
    everyone's in the next step."""
    before, after = DESK_DAYS
    with step(f"the bench's station: scale 1's bookings of its last {before} days and next {after}"):
        (station,) = cur.execute(BUSIEST_STATION).fetchone()
        plan = {"bookings": TODAY["bookings"], "residents": n["residents"], "workers": n["workers"]}
        cur.execute(
            _planned(
                "bench_planned", " WHERE o.station_code = %(station)s", f" WHERE i * 7 %% 337 <= {before + after}"
            ),
            plan | {"station": station},
        )
        cur.execute(
            """
            INSERT INTO booking_slots (station_code, service_code, starts_at, ends_at, capacity, booked)
            SELECT station_code, service_code, starts_at, starts_at + slot_minutes * interval '1 minute',
                   greatest(max(capacity), count(*)), count(*) FILTER (WHERE status NOT IN ('cancelled', 'rejected'))
            FROM bench_planned GROUP BY station_code, service_code, starts_at, slot_minutes
            ON CONFLICT (station_code, service_code, starts_at) DO UPDATE
            SET booked = booking_slots.booked + excluded.booked,
                capacity = greatest(booking_slots.capacity, excluded.capacity, booking_slots.booked + excluded.booked)
            """
        )
        cur.execute(
            """
            CREATE TEMP TABLE bench_made AS
            SELECT p.*, s.id AS slot_id, s.ends_at,
                   (SELECT max(id) FROM bookings) + row_number() OVER (ORDER BY p.i) AS id
            FROM bench_planned p JOIN booking_slots s USING (station_code, service_code, starts_at)
            """
        )
        cur.execute(BOOKING_ROWS.format(id="m.id", made="bench_made"))
        # A worker may hold the half hour already (so may she in _bookings' own plan): the first keeps it.
        cur.execute(
            TIME_BLOCKS.format(after=" AND b.id > %(after)s", on_conflict=" ON CONFLICT DO NOTHING"),
            {"after": n["bookings"]},
        )


def _busiest_station_handling(cur, n: dict) -> None:
    """The bench's station's complaints and engagements, as many as scale 1 gives it: a complaint
    about one in 25 of the bookings made above besides the city's one in a hundred (which gives
    scale 1's station 38 over its year, the 60 days here 10; with these 38 here too), before the
    complaints' handling step ages them as everyone's; and the engagements of other stations,
    the first by id, handed to it until it has its share of scale 1's engagements at stations."""
    with step("the bench's station: its complaints and engagements"):
        (station,) = cur.execute(BUSIEST_STATION).fetchone()
        cur.execute(
            COMPLAINTS.format(
                which=f"station_code = ({BUSIEST_STATION}) AND id > {n['bookings']} AND mod(id, 25) = 7 "
                "AND NOT EXISTS (SELECT FROM booking_complaints c WHERE c.booking_id = bookings.id)"
            )
        )
        cur.execute(
            """
            UPDATE engagements SET station_code = %(station)s WHERE id IN (
                SELECT id FROM engagements WHERE station_code <> %(station)s ORDER BY id
                LIMIT greatest(0, round(%(city)s::numeric * (SELECT count(station_code) FROM engagements)
                                        / (SELECT count(*) FROM engagements) / (SELECT count(*) FROM stations))
                                  - (SELECT count(*) FROM engagements WHERE station_code = %(station)s))::int)
            """,
            {"station": station, "city": scale_features.TODAY["engagements"]},
        )


def _load_addresses(cur, addresses: list[bytes]) -> None:
    """The bookings' addresses: a hundred real ciphertexts, shared (the app decrypts what it shows),
    in a table of the session, which the bookings' and the engagements' steps read."""
    cur.execute("CREATE TEMP TABLE addresses (n int PRIMARY KEY, address bytea)")
    with cur.copy("COPY addresses (n, address) FROM STDIN") as copy:
        for n, address in enumerate(addresses):
            copy.write_row((n, address))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=0.01, help="1 = Guangzhou today")
    parser.add_argument("--seed", type=int, default=20261202)
    parser.add_argument(
        "--keep", action="store_true", help="keep the data if the database holds this scale and seed: migrate it only"
    )
    parser.add_argument(
        "--fresh",
        action="store_true",
        help="start again even if a generation of this scale and seed was cut short (otherwise it is resumed)",
    )
    args = parser.parse_args()
    n = counts(args.scale)
    env = os.environ | {"DATABASE_URL": DATABASE_URL, "APP_ENV": "development", "FLASK_APP": "wsgi"}
    os.environ.update(env)
    started = time.monotonic()
    if args.keep and generated(args.scale, args.seed):
        with step(f"scale {args.scale} kept: migrations and the statistics' rollups only"):
            migrate(env)
            roll_up(env)
        return
    later = scale_features.counts(args.scale, args.scale < FULL_PAGES_BELOW)
    log(f"scale {args.scale}: " + ", ".join(f"{count:,} {table}" for table, count in (n | later).items()))
    done = None if args.fresh else steps_done(args.scale, args.seed)
    if done is None:
        with step("schema, stations and the booking catalogue"):
            prepare_schema(env)
            start_loading(args.scale, args.seed)
        done = set()
    else:
        log(f"resuming the generation cut short: {len(done)} steps done, kept")
        migrate(env)
    with psycopg.connect(CONNINFO, autocommit=True) as connection:
        load(connection, n, args.seed, args.scale, done)
        with step("the statistics' rollups and the workers' counts"):
            roll_up(env)
            count_workers(env)
            connection.execute(
                "ANALYZE statistics_booking_counts, statistics_certificate_counts, statistics_worker_counts, "
                "statistics_worker_service_counts"
            )
        with connection.transaction():
            connection.execute(f"DROP TABLE {STEPS_TABLE}")
            connection.execute(f"COMMENT ON DATABASE \"{DATABASE_NAME}\" IS '{mark(args.scale, args.seed)}'")
        sizes = connection.execute(
            "SELECT relname, n_live_tup, pg_size_pretty(pg_total_relation_size(relid)) FROM pg_stat_user_tables "
            "WHERE schemaname = 'public' ORDER BY pg_total_relation_size(relid) DESC LIMIT 24"
        ).fetchall()
    for table, rows, size in sizes:
        log(f"  {table:<24}{rows:>12,} rows {size:>10}")
    log(f"scale {args.scale} ready in {time.monotonic() - started:.0f} s: {DATABASE_URL}")


if __name__ == "__main__":
    main()
