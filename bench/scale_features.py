"""bench/scale.py's later features at city scale: training, 失信 cases and listings, engagements with
their complaints, series and the waiting list, handled complaints, the public-credit feed.

Each step is INSERT … SELECT in the database, on the connection scale.py loads with (foreign keys
unchecked, every row consistent by construction, CHECKs enforced), and each follows its state
machine: a listing only for an upheld or reduced case decided on listing, a worker's time held only
by an engagement chosen, confirmed or in service, an offered waiting-list place counted in its
slot's `booked`, a complaint's status reached by its age against its severity's deadlines. A few
rows of each are due for the scheduled jobs (an offer run out, a listing past its last day, a
complaint past its deadline), as on any day, so the jobs have their day's work at every scale.
"""

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from psycopg.types.json import Json

# Scale 1 (issue 18), beside scale.TODAY.
TODAY = {
    "engagements": 20_000,
    "series": 20_000,
    "waiting_entries": 10_000,
    "sanction_cases": 600,
    "feed_records": 300_000,
    "feed_pulls": 50_000,
}
# Courses as the city runs them: pre-job theory and practical for each trade, and refreshers.
COURSES = [
    ("家政服务员岗前培训（理论）", ["cleaning", "cooking", "appliance_cleaning"], "theory", "pre_job", 40, 60, False),
    ("家政服务员岗前培训（实训）", ["cleaning", "cooking", "appliance_cleaning"], "practical", "pre_job", 24, 60,
     False),
    ("育婴员岗前培训（理论）", ["childcare"], "theory", "pre_job", 48, 60, False),
    ("育婴员岗前培训（实训）", ["childcare"], "practical", "pre_job", 32, 60, False),
    ("母婴护理员岗前培训（理论）", ["maternity"], "theory", "pre_job", 56, 70, False),
    ("母婴护理员岗前培训（实训）", ["maternity"], "practical", "pre_job", 40, 70, False),
    ("养老护理员岗前培训（理论）", ["elderly_care"], "theory", "pre_job", 48, 60, False),
    ("养老护理员岗前培训（实训）", ["elderly_care"], "practical", "pre_job", 32, 60, False),
    ("服务规范回炉培训", ["cleaning", "cooking", "appliance_cleaning"], "theory", "refresher", 8, 60, True),
    ("婴幼儿安全回炉培训", ["childcare", "maternity"], "theory", "refresher", 8, 70, True),
    ("老人照护回炉培训", ["elderly_care"], "theory", "refresher", 8, 60, True),
    ("职业道德回炉培训", ["cleaning", "childcare", "elderly_care", "maternity"], "theory", "refresher",
     4, 60, False),
]  # fmt: skip
QUESTIONS_PER_COURSE = 40
SEEDED = (
    "training_courses", "training_classes", "training_sessions", "training_lessons", "training_enrolments",
    "training_questions", "training_exams", "training_attempts", "training_external_results",
    "training_refresher_requirements", "sanction_cases", "sanction_listings", "sanction_repairs", "sanction_events",
    "engagements", "engagement_candidates", "engagement_events", "engagement_scans", "engagement_ratings",
    "engagement_follow_ups", "engagement_complaints", "booking_series", "booking_series_occurrences",
    "booking_series_events", "booking_waiting_entries", "booking_waiting_events", "complaint_events",
    "complaint_escalations", "feed_records", "feed_clients", "feed_pulls",
)  # fmt: skip

Step = Callable[[str], AbstractContextManager]
IndexesAfter = Callable[..., AbstractContextManager]
Stage = Callable[[Any], None]


def run(cur, statements: str, params=None):
    """Runs one statement, or several separated by semicolons (none is inside a literal here),
    each with the parameters; every one is written with %% for SQL's modulo, parameters or not."""
    for statement in statements.split(";"):
        if statement.strip():
            cur.execute(statement, params or {})
    return cur


# Below bench/scale.py's FULL_PAGES_BELOW the operators' 失信 pages (cases, and the listings in
# force) hold a page of 20 and a next one, as at scale 1 (600 cases, 81 listings in force), where
# 0.01's 6 cases list one listing: scale 1's cases up to its 22nd listing in force (the 151st), made
# by the same formula (the parties, states and dates of scale 1's first cases), so that the city
# bench's growth 0.01 -> 1 of those pages compares pages of the same rows.
FULL_PAGE_CASES = 151
FULL_PAGE = 20


def counts(scale: float, full_pages: bool = False) -> dict[str, int]:
    made = {table: max(3, round(n * scale)) for table, n in TODAY.items()}
    if full_pages:
        made["sanction_cases"] = max(made["sanction_cases"], FULL_PAGE_CASES)
    return made


def handled_complaint_columns(submitted: str, seed: str) -> tuple[str, str]:
    """The handling columns of a complaint (complaints.models.HandledComplaint) as SELECT
    expressions, and its status expression, from its submission time and a number that varies by
    row: the type (one in ten serious by nature), the severity's deadlines (the defaults of
    COMPLAINT_DEADLINE_HOURS) and the status its age has reached; one in eight still open is past
    the deadline it waits on, unescalated, for `flask complaints escalate`."""
    serious = f"({seed}) %% 10 = 9"
    respond = f"CASE WHEN {serious} THEN 2 ELSE 24 END"
    resolve = f"CASE WHEN {serious} THEN 72 ELSE 168 END"
    age = f"extract(epoch FROM now() - ({submitted})) / 3600"
    overdue = f"({seed}) %% 8 = 3"
    status = f"""CASE WHEN {age} < {respond} * 0.5 OR ({overdue} AND {age} < {respond} * 1.5) THEN 'submitted'
                      WHEN {age} < {resolve} * 0.7 OR ({overdue} AND {age} < {resolve} * 1.3) THEN 'accepted'
                      WHEN {age} < {resolve} * 1.3 THEN
                           (ARRAY['upheld', 'dismissed', 'dismissed', 'invalid'])[1 + ({seed}) %% 4]
                      ELSE 'closed' END"""
    result = f"(ARRAY['upheld', 'dismissed', 'dismissed', 'invalid'])[1 + ({seed}) %% 4]"
    return (
        f"""
        CASE WHEN {serious} THEN (ARRAY['safety', 'theft', 'abuse'])[1 + ({seed}) / 10 %% 3]
             ELSE (ARRAY['service_quality', 'attitude', 'lateness', 'damage_or_loss', 'overcharging', 'other',
                         'service_quality', 'attitude', 'lateness'])[1 + ({seed}) %% 9] END AS type,
        s.status, CASE WHEN {serious} THEN 'serious' ELSE 'ordinary' END AS severity,
        ({submitted}) + {respond} * interval '1 hour' AS respond_by,
        ({submitted}) + {resolve} * interval '1 hour' AS resolve_by,
        CASE WHEN s.status NOT IN ('submitted', 'accepted') THEN {result} END AS result,
        CASE WHEN s.status NOT IN ('submitted', 'accepted') THEN '经核查处理' END AS result_reason,
        ({submitted}) AS submitted_at,
        CASE WHEN s.status <> 'submitted' THEN ({submitted}) + {respond} * interval '30 minutes' END AS accepted_at,
        CASE WHEN s.status NOT IN ('submitted', 'accepted') THEN ({submitted}) + {resolve} * interval '30 minutes'
             END AS decided_at,
        CASE WHEN s.status = 'closed' THEN ({submitted}) + {resolve} * interval '1 hour' END AS closed_at,
        1 AS version
    """,
        status,
    )


def stages(
    n: dict, scale: float, step: Step, indexes_built_after: IndexesAfter, full_pages: bool = False
) -> list[tuple[str, Stage]]:
    """Every later feature's rows, as scale.py's steps (a name, and what it runs on a cursor); `n`
    is scale.counts' (workers, companies, residents, bookings); `full_pages`, the 失信 cases that
    fill the console's pages (FULL_PAGE_CASES)."""
    n = n | counts(scale, full_pages)
    clerk = n["residents"] + 1  # the staff member and operators who handle things, one user
    n["clerk"] = clerk

    def clerks(cur) -> None:
        run(
            cur,
            "INSERT INTO users (id, openid, created_at) SELECT %s + k, 'scale-clerk-' || k, "
            "now() - interval '2 years' FROM generate_series(0, 2) k",
            (clerk,),
        )

    return [
        ("clerks", clerks),
        ("training", lambda cur: _training(cur, n, step, indexes_built_after)),
        ("sanctions", lambda cur: _sanctions(cur, n, step, full_pages)),
        ("engagements", lambda cur: _engagements(cur, n, step, indexes_built_after)),
        ("series and waiting list", lambda cur: _series_and_waiting(cur, n, step)),
        ("complaints", lambda cur: _complaints(cur, n, step)),
        ("feed", lambda cur: _feed(cur, n, step, indexes_built_after)),
    ]


def _training(cur, n: dict, step: Step, indexes_built_after: IndexesAfter) -> None:
    """Twelve courses with their exams and question banks; a class (班次) for every forty workers
    over the last two years and the next month, offline at a station in sessions or online in
    lessons; about 1.1 enrolments per worker, completed with their attendance or lesson time and
    their exam attempts (one in seven failed first and retook it), the rest cancelled, or enrolled
    in the classes to come; results imported from elsewhere and refreshers required."""
    n_classes = max(12, n["workers"] // 40)
    n_enrolments = round(n["workers"] * 1.1)
    with step(f"training: 12 courses, {n_classes:,} classes, ~{n_enrolments:,} enrolments with exams"):
        with cur.copy(
            "COPY training_courses (id, title, description, service_types, kind, purpose, required_hours, pass_mark, "
            "required_after_complaint, created_at) FROM STDIN"
        ) as copy:
            for i, (title, services, kind, purpose, hours, mark, after_complaint) in enumerate(COURSES, 1):
                copy.write_row((
                    i, title, f"{title}：广州市家政服务培训课程", Json(services), kind, purpose,
                    hours, mark, after_complaint, "2024-01-01T00:00:00Z",
                ))  # fmt: skip
        run(
            cur,
            """
            INSERT INTO training_questions (course_id, kind, text, options, answer, tags, difficulty, created_at)
            SELECT c.id, (ARRAY['single', 'multiple', 'true_false'])[1 + q %% 3], c.title || ' 第' || q || '题',
                   CASE q %% 3 WHEN 2 THEN '["正确", "错误"]' ELSE '["甲", "乙", "丙", "丁"]' END::json,
                   CASE q %% 3 WHEN 0 THEN '[1]' WHEN 1 THEN '[0, 2]' ELSE '[0]' END::json,
                   json_build_array((ARRAY['安全', '规范', '技能', '礼仪'])[1 + q %% 4]), 1 + q %% 3, c.created_at
            FROM training_courses c CROSS JOIN generate_series(1, %s) q WHERE c.kind = 'theory'
            """,
            (QUESTIONS_PER_COURSE,),
        )
        run(
            cur,
            """
            INSERT INTO training_exams (course_id, rules, checklist, duration_minutes, max_attempts, retake_wait_hours,
                updated_at)
            SELECT id, CASE WHEN kind = 'theory' THEN '[{"tag": "安全", "difficulty": 1, "count": 5},
                    {"tag": "规范", "difficulty": 2, "count": 5}, {"tag": "技能", "difficulty": 3, "count": 5}]'
                    ELSE '[]' END::json,
                   CASE WHEN kind = 'practical' THEN '[{"item": "操作规范", "points": 40},
                    {"item": "安全意识", "points": 30}, {"item": "服务礼仪", "points": 30}]' ELSE '[]' END::json,
                   60, 3, 24, created_at
            FROM training_courses
            """,
        )
        run(
            cur,
            """
            INSERT INTO training_classes (id, course_id, title, mode, station_code, address, district_code,
                trainer_name, capacity, enrolled, created_at, begins_at)
            SELECT k, 1 + k %% 12, c.title || ' 第' || k || '期', m.mode,
                   CASE WHEN m.mode = 'offline' AND k %% 2 = 0 THEN st.code END,
                   CASE WHEN m.mode = 'offline' AND k %% 2 = 1
                        THEN '广州市职业技能培训中心' || (k %% 9 + 1) || '号楼' END,
                   CASE WHEN m.mode = 'offline' THEN coalesce(st.district_code, '440106') END,
                   CASE WHEN m.mode = 'offline' THEN '李老师' END,
                   CASE WHEN m.mode = 'offline' THEN 50 END, 0, m.day - interval '20 days',
                   CASE WHEN m.mode = 'offline' THEN m.day + interval '9 hours' ELSE m.day - interval '20 days' END
            FROM generate_series(1, %(classes)s) k
            JOIN training_courses c ON c.id = 1 + k %% 12
            CROSS JOIN LATERAL (SELECT CASE WHEN k %% 3 = 0 THEN 'online' ELSE 'offline' END AS mode,
                (current_date - 700 + k * 730 / %(classes)s)::timestamp AT TIME ZONE 'Asia/Shanghai' AS day) m
            LEFT JOIN LATERAL (SELECT code, district_code FROM stations
                               ORDER BY code OFFSET k %% (SELECT count(*) FROM stations) LIMIT 1) st ON true
            """,
            {"classes": n_classes},
        )
        # A class starts on its day (0:00 Beijing + 9 h): three morning sessions, or four lessons.
        run(
            cur,
            """
            CREATE TEMP TABLE class_days AS
            SELECT id, mode, course_id, created_at + interval '20 days' AS first_day FROM training_classes
            """,
        )
        run(
            cur,
            """
            INSERT INTO training_sessions (class_id, starts_at, ends_at)
            SELECT id, first_day + s * interval '1 day' + interval '9 hours',
                   first_day + s * interval '1 day' + interval '12 hours'
            FROM class_days CROSS JOIN generate_series(0, 2) s WHERE mode = 'offline'
            """,
        )
        run(
            cur,
            """
            INSERT INTO training_lessons (class_id, position, title, text, video_url, required_minutes)
            SELECT id, p, '第' || p || '课', '课程内容', 'https://example.org/lessons/' || (p + id %% 40) || '.mp4', 30
            FROM class_days CROSS JOIN generate_series(1, 4) p WHERE mode = 'online'
            """,
        )
        run(
            cur,
            """
            CREATE TEMP TABLE enrolled AS
            SELECT DISTINCT ON (class_id, worker_id) e AS id, class_id, worker_id, d.first_day, d.mode, d.course_id,
                   CASE WHEN d.first_day > now() - interval '7 days'
                        THEN CASE WHEN e %% 20 = 0 THEN 'cancelled' ELSE 'enrolled' END
                        WHEN e %% 20 < 17 THEN 'completed' WHEN e %% 20 < 19 THEN 'cancelled' ELSE 'enrolled' END
                        AS status
            FROM generate_series(1, %(enrolments)s) e
            CROSS JOIN LATERAL (SELECT 1 + e %% %(classes)s AS class_id,
                                       1 + (e::bigint * 7919 + e / %(classes)s) %% %(workers)s AS worker_id) p
            JOIN class_days d ON d.id = p.class_id
            ORDER BY class_id, worker_id, e
            """,
            {"enrolments": n_enrolments, "classes": n_classes, "workers": n["workers"]},
        )
        run(
            cur,
            """
            INSERT INTO training_enrolments (id, class_id, worker_id, status, enrolled_by_id, created_at, completed_on,
                cancelled_at, cancel_reason)
            SELECT id, class_id, worker_id, status, NULL, first_day - interval '10 days' - (id %% 9) * interval '1 day',
                   CASE WHEN status = 'completed' THEN (first_day AT TIME ZONE 'Asia/Shanghai')::date + 3 END,
                   CASE WHEN status = 'cancelled' THEN first_day - interval '2 days' END,
                   CASE WHEN status = 'cancelled' THEN '时间冲突' END
            FROM enrolled
            """,
        )
        run(
            cur,
            """
            UPDATE training_classes c SET enrolled = e.places, capacity = CASE WHEN c.mode = 'offline'
                                                                               THEN greatest(c.capacity, e.places) END
            FROM (SELECT class_id, count(*) AS places FROM enrolled WHERE status = 'enrolled' GROUP BY 1) e
            WHERE e.class_id = c.id
            """,
        )
    with step("training: attendance, lesson time, exam attempts, imported results, refreshers"):
        with indexes_built_after(cur, "training_attendances"):
            run(
                cur,
                """
                INSERT INTO training_attendances (session_id, worker_id, method, marked_by_id, reason, at)
                SELECT s.id, e.worker_id, CASE WHEN e.id %% 25 = 0 THEN 'by_hand' ELSE 'qr' END,
                       CASE WHEN e.id %% 25 = 0 THEN %(clerk)s END, CASE WHEN e.id %% 25 = 0 THEN '手机没电' END,
                       s.starts_at + (e.id %% 15) * interval '1 minute'
                FROM enrolled e JOIN training_sessions s ON s.class_id = e.class_id
                WHERE s.starts_at < now() AND (e.status = 'completed' OR (e.status = 'enrolled' AND e.id %% 2 = 0))
                """,
                {"clerk": n["clerk"]},
            )
        # Each class's counts, which migration 0040's triggers keep as rows are written (not while
        # loading), from the rows loaded.
        run(
            cur,
            """
            UPDATE training_classes c
            SET enrolments_enrolled = coalesce(e.enrolled, 0), enrolments_waiting = coalesce(e.waiting, 0),
                enrolments_completed = coalesce(e.completed, 0), enrolments_cancelled = coalesce(e.cancelled, 0),
                attendances = coalesce(a.attendances, 0)
            FROM training_classes k
            LEFT JOIN (SELECT class_id, count(*) FILTER (WHERE status = 'enrolled') AS enrolled,
                              count(*) FILTER (WHERE status = 'waiting') AS waiting,
                              count(*) FILTER (WHERE status = 'completed') AS completed,
                              count(*) FILTER (WHERE status = 'cancelled') AS cancelled
                       FROM training_enrolments GROUP BY class_id) e ON e.class_id = k.id
            LEFT JOIN (SELECT s.class_id, count(*) AS attendances
                       FROM training_attendances t JOIN training_sessions s ON s.id = t.session_id
                       GROUP BY s.class_id) a ON a.class_id = k.id
            WHERE k.id = c.id
            """,
        )
        run(
            cur,
            """
            INSERT INTO training_lesson_progress (lesson_id, worker_id, counted_seconds, completed_at)
            SELECT l.id, e.worker_id, CASE WHEN e.status = 'completed' THEN 1800 + e.id %% 600 ELSE 600 END,
                   CASE WHEN e.status = 'completed' THEN e.first_day + l.position * interval '1 day' END
            FROM enrolled e JOIN training_lessons l ON l.class_id = e.class_id
            WHERE e.mode = 'online' AND e.first_day < now() AND e.status IN ('completed', 'enrolled')
            """,
        )
        run(
            cur,
            """
            INSERT INTO training_attempts (exam_id, worker_id, paper, answers, started_at, deadline, submitted_at,
                recorded_at, score, passed, started_by_id, examiner_name, checklist_points)
            SELECT x.id, e.worker_id, '[]'::json, '{}'::json, t.started, t.started + interval '60 minutes',
                   t.started + interval '40 minutes', t.started + interval '40 minutes', t.score,
                   t.score >= c.pass_mark,
                   CASE WHEN c.kind = 'practical' THEN %(clerk)s END,
                   CASE WHEN c.kind = 'practical' THEN '王考评员' END,
                   CASE WHEN c.kind = 'practical' THEN json_build_array(t.score * 4 / 10, t.score * 3 / 10,
                                                                       t.score - t.score * 7 / 10) END
            FROM enrolled e JOIN training_courses c ON c.id = e.course_id JOIN training_exams x ON x.course_id = c.id
            CROSS JOIN LATERAL (VALUES (e.first_day + interval '3 days 14 hours', CASE WHEN e.id %% 7 = 0 THEN 45 END),
                                       (e.first_day + CASE WHEN e.id %% 7 = 0 THEN interval '5 days 14 hours'
                                                           ELSE interval '3 days 14 hours' END, 72 + e.id %% 28))
                 AS t (started, score)
            WHERE e.status = 'completed' AND t.score IS NOT NULL
            """,
            {"clerk": n["clerk"]},
        )
        run(
            cur,
            """
            INSERT INTO training_external_results (worker_id, course_id, hours, score, taken_on, imported_at)
            SELECT w, 1 + w %% 8, 40, 60 + w %% 40, current_date - 400 - w %% 300, now() - interval '300 days'
            FROM generate_series(1, %s) w WHERE w %% 20 = 7
            """,
            (n["workers"],),
        )
        run(
            cur,
            """
            INSERT INTO training_refresher_requirements (worker_id, course_id, due_on, reason, status, required_by_id,
                created_at, done_on)
            SELECT w, 9 + w %% 4, current_date - 60 + w %% 120, '服务质量复训',
                CASE WHEN w %% 3 = 0 THEN 'done' ELSE 'open' END,
                   %s, now() - interval '90 days', CASE WHEN w %% 3 = 0 THEN current_date - 70 + w %% 60 END
            FROM generate_series(1, %s) w WHERE w %% 67 = 11
            """,
            (n["clerk"], n["workers"]),
        )
        # credit's fact: the earliest open refresher's date is the certificate's.
        run(
            cur,
            """
            UPDATE certificates c SET refresher_due_on = r.due_on
            FROM (SELECT worker_id, min(due_on) AS due_on FROM training_refresher_requirements
                  WHERE status = 'open' GROUP BY 1) r WHERE r.worker_id = c.worker_id
            """,
        )


def _sanctions(cur, n: dict, step: Step, full_pages: bool) -> None:
    """失信 cases (four in five against a worker) in each of their states; a decided one has its
    `breach` ledger event and its measure's dates; a listing for each upheld or reduced case
    decided on listing, ended at its end date or by an approved repair, or listed still (and on the
    party's own row); about one in seven past its end and not yet ended, for `flask sanctions
    end-listings`."""
    with step(f"{n['sanction_cases']:,} 失信 cases, their listings, repairs and audit"):
        run(
            cur,
            """
            CREATE TEMP TABLE cases AS
            SELECT c AS id,
                   CASE WHEN c %% 5 <> 0 THEN 1 + (c::bigint * 7919) %% %(workers)s END AS worker_id,
                   CASE WHEN c %% 5 = 0 THEN 1 + (c * 7) %% %(companies)s END AS company_id,
                   (ARRAY['serious_complaint', 'court_record', 'platform_fraud', 'forged_certificate'])[1 + c %% 4]
                       AS category,
                   CASE WHEN c %% 20 < 3 THEN 'awaiting_statement' WHEN c %% 20 < 5 THEN 'stated'
                        WHEN c %% 20 < 15 THEN 'upheld' WHEN c %% 20 < 17 THEN 'reduced' ELSE 'dismissed' END AS status,
                   CASE WHEN k.m < 7 THEN 'listing'
                        WHEN c %% 5 <> 0 THEN (ARRAY['suspension', 'warning', 'revocation'])[k.m - 6]
                        ELSE (ARRAY['grade_capped', 'hidden', 'registrations_stopped'])[k.m - 6] END AS proposed,
                   CASE WHEN c %% 20 < 5 THEN now() - (c %% 12) * interval '1 day'
                        ELSE now() - (40 + c * 37 %% 900) * interval '1 day' END AS opened_at
            FROM generate_series(1, %(cases)s) c
            CROSS JOIN LATERAL (SELECT CASE WHEN c %% 5 = 0 THEN c / 5 %% 10 ELSE c %% 10 END AS m) k
            """,
            {"workers": n["workers"], "companies": n["companies"], "cases": n["sanction_cases"]},
        )
        run(
            cur,
            """
            ALTER TABLE cases ADD proposed_days int, ADD decided text, ADD decided_days int;
            UPDATE cases SET proposed_days = CASE proposed WHEN 'listing' THEN (ARRAY[180, 365, 730])[1 + id %% 3]
                WHEN 'suspension' THEN 90 WHEN 'hidden' THEN 90 WHEN 'registrations_stopped' THEN 180 END;
            UPDATE cases SET (decided, decided_days) = (
                SELECT CASE WHEN status = 'upheld' THEN proposed
                            WHEN worker_id IS NOT NULL AND proposed = 'listing' THEN 'suspension'
                            WHEN worker_id IS NOT NULL THEN 'warning'
                            WHEN proposed = 'listing' THEN 'hidden' ELSE 'grade_capped' END,
                       CASE WHEN status = 'upheld' THEN proposed_days WHEN proposed = 'listing' THEN 60 END)
            WHERE status IN ('upheld', 'reduced')
            """,
        )
        (ledger_end,) = run(cur, "SELECT coalesce(max(id), 0) FROM credit_events").fetchone()
        run(
            cur,
            """
            INSERT INTO credit_events (worker_id, company_id, kind, value, reason, source_ref, created_at)
            SELECT worker_id, company_id, 'breach', 1, '失信处理', 'sanction:' || id, opened_at + interval '10 days'
            FROM cases WHERE decided IS NOT NULL
            """,
        )
        run(
            cur,
            """
            INSERT INTO sanction_cases (id, worker_id, company_id, category, facts, proposed_measure, proposed_days,
                status, opened_by_id, opened_at, statement_due_on, statement, stated_by_id, stated_at, decided_measure,
                decided_days, decided_by_id, decided_at, decision_reason, breach_event_id, measure_from, measure_until,
                measure_ended_on, certificate_suspended)
            SELECT c.id, c.worker_id, c.company_id, c.category, '经调查核实的失信事实', c.proposed, c.proposed_days,
                   c.status, %(clerk)s, c.opened_at, (c.opened_at AT TIME ZONE 'Asia/Shanghai')::date + 7,
                   CASE WHEN c.status = 'stated' OR (c.decided IS NOT NULL AND c.id %% 2 = 0)
                        THEN '本人陈述申辩意见' END,
                   CASE WHEN c.status = 'stated' OR (c.decided IS NOT NULL AND c.id %% 2 = 0) THEN %(clerk)s + 1 END,
                   CASE WHEN c.status = 'stated' OR (c.decided IS NOT NULL AND c.id %% 2 = 0)
                        THEN c.opened_at + interval '3 days' END,
                   c.decided, c.decided_days,
                   CASE WHEN c.status IN ('upheld', 'reduced', 'dismissed') THEN %(clerk)s + 2 END,
                   CASE WHEN c.status IN ('upheld', 'reduced', 'dismissed') THEN c.opened_at + interval '10 days' END,
                   CASE WHEN c.status IN ('upheld', 'reduced', 'dismissed') THEN '经复核作出决定' END,
                   e.id, m.from_day, m.until_day,
                   CASE WHEN c.decided IN ('suspension', 'hidden', 'registrations_stopped')
                        AND m.until_day < current_date AND c.id %% 7 <> 0 THEN m.until_day + 1 END,
                   false
            FROM cases c
            LEFT JOIN credit_events e ON e.id > %(ledger_end)s AND e.source_ref = 'sanction:' || c.id
            CROSS JOIN LATERAL (SELECT CASE WHEN c.decided IS NOT NULL
                                            THEN ((c.opened_at AT TIME ZONE 'Asia/Shanghai')::date + 10) END AS
                                                from_day) f
            CROSS JOIN LATERAL (SELECT f.from_day, f.from_day + c.decided_days - 1 AS until_day) m
            """,
            {"clerk": n["clerk"], "ledger_end": ledger_end},
        )
        run(
            cur,
            """
            INSERT INTO sanction_listings (id, case_id, worker_id, company_id, category, listed_from, listed_until,
                status, ended_on, end_reason, created_at)
            SELECT c.id, c.id, c.worker_id, c.company_id, c.category, c.measure_from, c.measure_until, e.status,
                   e.ended_on, e.reason, c.decided_at
            FROM sanction_cases c
            CROSS JOIN LATERAL (SELECT
                CASE WHEN c.measure_until < current_date AND c.id %% 7 <> 0 THEN 'expired'
                     WHEN c.id %% 11 = 0 AND c.measure_from + 100 <= current_date THEN 'repaired' END AS reason) r
            CROSS JOIN LATERAL (SELECT CASE WHEN r.reason IS NULL THEN 'listed' ELSE 'ended' END AS status,
                r.reason, CASE r.reason WHEN 'expired' THEN c.measure_until + 1 WHEN 'repaired' THEN
                    c.measure_from + 100
                          END AS ended_on) e
            WHERE c.status IN ('upheld', 'reduced') AND c.decided_measure = 'listing'
            """,
        )
        run(
            cur,
            """
            INSERT INTO sanction_repairs (listing_id, correction, applied_by_id, applied_at, status, decided_by_id,
                decided_at, decision_reason)
            SELECT id, '已整改并提交证明材料', %(clerk)s + 1,
                   (listed_from + 90)::timestamp AT TIME ZONE 'Asia/Shanghai',
                   CASE WHEN end_reason = 'repaired' THEN 'approved' ELSE 'pending' END,
                   CASE WHEN end_reason = 'repaired' THEN %(clerk)s + 2 END,
                   CASE WHEN end_reason = 'repaired' THEN ended_on::timestamp AT TIME ZONE 'Asia/Shanghai' END,
                   CASE WHEN end_reason = 'repaired' THEN '整改到位，准予修复' END
            FROM sanction_listings
            WHERE end_reason = 'repaired' OR (status = 'listed' AND id %% 13 = 0 AND listed_from + 90 <= current_date)
            """,
            {"clerk": n["clerk"]},
        )
        run(
            cur,
            """
            UPDATE workers w SET listed_until = l.listed_until FROM sanction_listings l
            WHERE l.worker_id = w.id AND l.status = 'listed';
            UPDATE companies co SET listed_until = l.listed_until FROM sanction_listings l
            WHERE l.company_id = co.id AND l.status = 'listed';
            UPDATE companies co SET hidden_until = CASE WHEN c.decided_measure = 'hidden' THEN c.measure_until END,
                registrations_stopped_until = CASE WHEN c.decided_measure = 'registrations_stopped'
                                                   THEN c.measure_until END
            FROM sanction_cases c
            WHERE c.company_id = co.id AND c.decided_measure IN ('hidden', 'registrations_stopped')
              AND c.measure_ended_on IS NULL;
            UPDATE certificates ce SET state = 'revoked', version = ce.version + 1 FROM sanction_cases c
            WHERE c.worker_id = ce.worker_id AND c.status = 'upheld' AND c.decided_measure = 'revocation';
            """,
        )
        run(
            cur,
            """
            INSERT INTO sanction_events (case_id, repair_id, action, from_status, to_status, actor_id, reason, at)
            SELECT id, NULL::int, 'open', NULL, 'awaiting_statement', opened_by_id, facts, opened_at FROM sanction_cases
            UNION ALL SELECT id, NULL, 'state_case', 'awaiting_statement', 'stated', stated_by_id, NULL, stated_at
                FROM sanction_cases WHERE stated_at IS NOT NULL
            UNION ALL SELECT id, NULL, CASE status WHEN 'upheld' THEN 'uphold' WHEN 'reduced' THEN 'reduce'
                                                   ELSE 'dismiss' END,
                             CASE WHEN stated_at IS NOT NULL THEN 'stated' ELSE 'awaiting_statement' END, status,
                             decided_by_id, decision_reason, decided_at
                FROM sanction_cases WHERE decided_at IS NOT NULL
            UNION ALL SELECT case_id, NULL, 'listing_started', NULL, 'listed', NULL, NULL, created_at
                FROM sanction_listings
            UNION ALL SELECT case_id, NULL, 'listing_ended', 'listed', 'ended', NULL, end_reason,
                             ended_on::timestamp AT TIME ZONE 'Asia/Shanghai' FROM sanction_listings WHERE
                                 ended_on IS NOT NULL
            UNION ALL SELECT id, NULL, 'measure_ended', NULL, NULL, NULL, NULL,
                             measure_ended_on::timestamp AT TIME ZONE 'Asia/Shanghai'
                FROM sanction_cases WHERE measure_ended_on IS NOT NULL
            """,
        )
        if full_pages:
            (in_force,) = run(
                cur,
                "SELECT count(*) FROM sanction_listings WHERE status = 'listed' "
                "AND current_date BETWEEN listed_from AND listed_until",
            ).fetchone()
            assert in_force > FULL_PAGE, f"{in_force} listings in force: the console's page of them is not full"


ENGAGEMENT_STATUS = """CASE WHEN i %% 100 < 50 THEN 'completed' WHEN i %% 100 < 55 THEN 'ended_early'
    WHEN i %% 100 < 65 THEN 'in_service' WHEN i %% 100 < 75 THEN 'cancelled' WHEN i %% 100 < 80 THEN 'requested'
    WHEN i %% 100 < 85 THEN 'proposed' WHEN i %% 100 < 90 THEN 'interviewing' WHEN i %% 100 < 92 THEN 'chosen'
    WHEN i %% 100 < 96 THEN 'confirmed' ELSE 'completed' END"""
# How far each status has come along the lifecycle (engagements.models.ENGAGEMENT_STATES).
STAGE = """CASE status WHEN 'requested' THEN 0 WHEN 'proposed' THEN 1 WHEN 'interviewing' THEN 2
    WHEN 'chosen' THEN 3 WHEN 'confirmed' THEN 4 WHEN 'in_service' THEN 5 ELSE 6 END"""


def _engagements(cur, n: dict, step: Step, indexes_built_after: IndexesAfter) -> None:
    """Long and live-in engagements to a station or (one in three) a company, over two years and
    the next month: half of them completed, the others in every state; each with its worker (none
    holding another engagement or a booking to come), three proposed candidates and an interview,
    its audit trail, 上户/下户 scans, monthly and final ratings, follow-up calls, and the worker's
    time held from now to its last day while it is chosen, confirmed or in service."""
    with step(f"{n['engagements']:,} engagements: candidates, events, scans, ratings, held time"):
        run(
            cur,
            """
            CREATE TEMP TABLE engagement_workers AS
            SELECT row_number() OVER (ORDER BY w.id::bigint * 7919 %% 100003, w.id) - 1 AS k, w.id
            FROM workers w JOIN certificates c ON c.worker_id = w.id AND c.state = 'issued'
            WHERE NOT EXISTS (SELECT FROM worker_time_blocks b WHERE b.worker_id = w.id)
            """,
        )
        (available,) = run(cur, "SELECT count(*) FROM engagement_workers").fetchone()
        assert available > n["engagements"], "fewer free workers than engagements: every one needs her own"
        run(
            cur,
            f"""
            CREATE TEMP TABLE planned_engagements AS
            WITH base AS (
                SELECT i, {ENGAGEMENT_STATUS} AS status,
                       (ARRAY['maternity', 'childcare', 'live_in_housekeeping', 'elderly_care'])[1 + i %% 4] AS service,
                       CASE WHEN i %% 4 = 0 THEN 26 ELSE 30 * (1 + i %% 3) END AS days
                FROM generate_series(1, %(engagements)s) i
            )
            SELECT b.*, {STAGE} AS stage, d.start_day, d.start_day + b.days - 1 AS last_day,
                   service IN ('maternity', 'live_in_housekeeping') OR i %% 5 = 0 AS live_in,
                   1 + (i * 37) %% %(residents)s AS resident_id, w.id AS worker_id
            FROM base b
            JOIN engagement_workers w ON w.k = b.i - 1
            CROSS JOIN LATERAL (SELECT CASE
                WHEN b.status IN ('completed', 'ended_early') THEN current_date - b.days - (b.i * 13) %% 700
                WHEN b.status = 'in_service' THEN current_date - (b.i * 7) %% (b.days - 1)
                ELSE current_date + 3 + b.i %% 30 END AS start_day) d
            """,
            {"engagements": n["engagements"], "residents": n["residents"]},
        )
        run(
            cur,
            """
            INSERT INTO engagements (id, resident_id, station_code, company_id, service_code, start_day, last_day,
                length, length_unit, live_in, day_starts_at, day_ends_at, address, text, preferred_worker_id, status,
                worker_id, resident_confirmed_at, worker_confirmed_at, worker_confirmed_by_id, contract_reference,
                contract_signed_on, started_at, ended_at, created_at, updated_at, version, text_status)
            SELECT p.i, p.resident_id, CASE WHEN p.i %% 3 <> 0 THEN st.code END,
                   CASE WHEN p.i %% 3 = 0 THEN 1 + p.i %% %(companies)s END, p.service, p.start_day, p.last_day,
                   CASE WHEN p.days = 26 THEN 26 ELSE p.days / 30 END,
                       CASE WHEN p.days = 26 THEN 'days' ELSE 'months' END,
                   p.live_in, CASE WHEN NOT p.live_in THEN time '08:00' END,
                       CASE WHEN NOT p.live_in THEN time '18:00' END,
                   a.address, '需要有经验、有耐心的阿姨', NULL, p.status,
                   CASE WHEN p.stage >= 3 AND p.status <> 'cancelled' THEN p.worker_id END,
                   CASE WHEN p.stage >= 4 AND p.status <> 'cancelled' THEN t.created + interval '5 days' END,
                   CASE WHEN p.stage >= 4 AND p.status <> 'cancelled' THEN t.created + interval '5 days' END,
                   CASE WHEN p.stage >= 4 AND p.status <> 'cancelled' THEN %(clerk)s END,
                   CASE WHEN p.stage >= 4 AND p.status <> 'cancelled' THEN 'HT-' || p.i END,
                   CASE WHEN p.stage >= 4 AND p.status <> 'cancelled' THEN p.start_day - 3 END,
                   CASE WHEN p.stage >= 5 AND p.status <> 'cancelled' THEN t.starts END,
                   CASE p.status WHEN 'completed' THEN t.ends WHEN 'ended_early' THEN t.starts + (t.ends - t.starts) / 2
                   END,
                   t.created, least(now(), t.created + interval '6 days'), 1, 'pass'
            FROM planned_engagements p
            JOIN pg_temp.addresses a ON a.n = p.i %% 100
            LEFT JOIN LATERAL (SELECT code FROM stations ORDER BY code OFFSET p.i %% (SELECT count(*) FROM stations)
                               LIMIT 1) st ON true
            CROSS JOIN LATERAL (SELECT
                least(now() - interval '1 hour', (p.start_day - 10)::timestamp AT TIME ZONE 'Asia/Shanghai') AS created,
                (p.start_day + time '09:00') AT TIME ZONE 'Asia/Shanghai' AS starts,
                (p.last_day + time '18:00') AT TIME ZONE 'Asia/Shanghai' AS ends) t
            """,
            {"companies": n["companies"], "clerk": n["clerk"]},
        )
        # A cancelled engagement got as far as its number says, before it was cancelled.
        run(cur, "UPDATE planned_engagements SET stage = i %% 4 WHERE status = 'cancelled'")
        run(
            cur,
            """
            INSERT INTO engagement_candidates (engagement_id, worker_id, proposed_by_id, proposed_at, interview_at,
                interview_mode, interview_requested_at)
            SELECT DISTINCT ON (p.i, w.id) p.i, w.id, %(clerk)s, e.created_at + interval '1 day',
                   CASE WHEN c.rank = 0 AND p.stage >= 2 THEN e.created_at + interval '3 days' END,
                   CASE WHEN c.rank = 0 AND p.stage >= 2 THEN (ARRAY['in_person', 'video'])[1 + p.i %% 2] END,
                   CASE WHEN c.rank = 0 AND p.stage >= 2 THEN e.created_at + interval '2 days' END
            FROM planned_engagements p JOIN engagements e ON e.id = p.i
            CROSS JOIN generate_series(0, 2) c (rank)
            JOIN engagement_workers w ON w.k = (p.i - 1 + c.rank * 7) %% %(available)s
            WHERE p.stage >= 1
            ORDER BY p.i, w.id, c.rank
            """,
            {"clerk": n["clerk"], "available": available},
        )
        with indexes_built_after(cur, "engagement_events"):
            run(
                cur,
                """
                INSERT INTO engagement_events (engagement_id, action, from_status, to_status, actor_id, reason,
                    created_at)
                SELECT p.i, m.action, m.from_status, m.to_status, CASE WHEN m.step = 0 THEN p.resident_id
                       ELSE %(clerk)s END, NULL, e.created_at + m.step * interval '1 day'
                FROM planned_engagements p JOIN engagements e ON e.id = p.i
                JOIN (VALUES (0, 'create', NULL, 'requested'), (1, 'propose', 'requested', 'proposed'),
                             (2, 'request_interview', 'proposed', 'interviewing'), (3, 'choose', 'interviewing',
                                 'chosen'),
                             (4, 'confirm', 'chosen', 'confirmed')) m (step, action, from_status, to_status)
                     ON m.step <= p.stage
                UNION ALL SELECT id, 'start', 'confirmed', 'in_service', resident_id, NULL, started_at
                    FROM engagements WHERE started_at IS NOT NULL
                UNION ALL SELECT id, CASE WHEN status = 'completed' THEN 'complete' ELSE 'end_early' END, 'in_service',
                                 status, resident_id, CASE WHEN status = 'ended_early' THEN '家中有变' END, ended_at
                    FROM engagements WHERE ended_at IS NOT NULL
                UNION ALL SELECT p.i, 'cancel', (ARRAY['requested', 'proposed', 'interviewing', 'chosen'])[1 + p.stage],
                                 'cancelled', p.resident_id, '计划有变', e.created_at + interval '4 days'
                    FROM planned_engagements p JOIN engagements e ON e.id = p.i WHERE p.status = 'cancelled'
                """,
                {"clerk": n["clerk"]},
            )
        run(
            cur,
            """
            INSERT INTO engagement_scans (engagement_id, kind, certificate_id, scanned_worker_id, matched, colour,
                scanned_by_id, scanned_at)
            SELECT id, 'start', worker_id, worker_id, true, 'green', resident_id, started_at
            FROM engagements WHERE started_at IS NOT NULL
            UNION ALL SELECT id, 'end', worker_id, worker_id, true, 'green', resident_id, ended_at
            FROM engagements WHERE ended_at IS NOT NULL
            """,
        )
        run(
            cur,
            """
            INSERT INTO engagement_ratings (engagement_id, period, stars, text, rated_by_id, created_at, text_status)
            SELECT id, m, 3 + (id + m) %% 3, NULL, resident_id, started_at + m * interval '30 days', 'pass'
            FROM engagements CROSS JOIN generate_series(1, 3) m
            WHERE started_at IS NOT NULL AND started_at + m * interval '30 days' < coalesce(ended_at, now())
            UNION ALL SELECT id, 0, 1 + id * 13 %% 5, '阿姨很用心', resident_id, ended_at + interval '1 day', 'pass'
            FROM engagements WHERE ended_at IS NOT NULL AND id %% 10 < 7 AND ended_at + interval '1 day' < now()
            """,
        )
        run(
            cur,
            """
            INSERT INTO engagement_follow_ups (engagement_id, caller_id, called_at, satisfied, notes, created_at)
            SELECT id, %s, started_at + interval '7 days', id %% 12 <> 0, NULL, started_at + interval '7 days'
            FROM engagements WHERE started_at IS NOT NULL AND started_at + interval '7 days' < now()
            """,
            (n["clerk"],),
        )
        run(
            cur,
            """
            INSERT INTO worker_time_blocks (worker_id, starts_at, engagement_id)
            SELECT e.worker_id, t, e.id
            FROM engagements e
            CROSS JOIN LATERAL generate_series(greatest(e.start_day, current_date - 1)::timestamp,
                                               e.last_day::timestamp, interval '1 day') d
            CROSS JOIN LATERAL generate_series(
                (d::date + coalesce(e.day_starts_at, time '00:00')) AT TIME ZONE 'Asia/Shanghai',
                (CASE WHEN e.live_in THEN (d::date + 1)::timestamp ELSE d::date + e.day_ends_at END)
                    AT TIME ZONE 'Asia/Shanghai' - interval '30 minutes',
                interval '30 minutes') t
            WHERE e.status IN ('chosen', 'confirmed', 'in_service') AND t > now()
            """,
        )


def _series_and_waiting(cur, n: dict, step: Step) -> None:
    """Standing orders (booking.series): bookings of one station, service, weekday and time in
    a row made into a series of up to eight occurrences, the resident's own, some with a date that
    could not be booked; and the waiting list (booking.waiting) of full slots: past entries
    lapsed, left or taken, entries to come waiting or offered (the place held in the slot's
    `booked`), a few offers run out for `flask booking expire-offers`."""
    with step(f"{n['series']:,} series and {n['waiting_entries']:,} waiting-list entries"):
        run(
            cur,
            """
            CREATE TEMP TABLE series_bookings AS
            WITH runs AS (
                SELECT id, resident_id, station_code, service_code, starts_at,
                       dense_rank() OVER (ORDER BY station_code, service_code,
                           extract(isodow FROM starts_at AT TIME ZONE 'Asia/Shanghai'),
                           (starts_at AT TIME ZONE 'Asia/Shanghai')::time) AS run,
                       row_number() OVER (PARTITION BY station_code, service_code,
                           extract(isodow FROM starts_at AT TIME ZONE 'Asia/Shanghai'),
                           (starts_at AT TIME ZONE 'Asia/Shanghai')::time ORDER BY starts_at, id) - 1 AS position
                FROM bookings WHERE status <> 'rejected'
            ), chunked AS (
                SELECT *, dense_rank() OVER (ORDER BY run, position / 8) AS chunk FROM runs
            )
            SELECT c.*, c.position %% 8 AS place FROM chunked c
            WHERE c.chunk %% greatest(1, (SELECT max(chunk) FROM chunked) / %(series)s) = 0
            """,
            {"series": n["series"]},
        )
        run(
            cur,
            """
            CREATE TEMP TABLE series_made AS
            SELECT row_number() OVER (ORDER BY chunk) AS id, chunk, count(*) AS booked,
                   (array_agg(resident_id ORDER BY place))[1] AS resident_id, min(station_code) AS station_code,
                   min(service_code) AS service_code, min(starts_at) AS first_starts_at,
                       max(starts_at) AS last_starts_at
            FROM series_bookings GROUP BY chunk LIMIT %s
            """,
            (n["series"],),
        )
        run(
            cur,
            """
            INSERT INTO booking_series (id, resident_id, idempotency_key, request_fingerprint, station_code,
                service_code,
                first_starts_at, every_days, count, preferred_worker_id, status, created_at, updated_at, version)
            SELECT id, resident_id, 'scale-series-' || id, md5('series' || id), station_code, service_code,
                   first_starts_at, 7, booked + CASE WHEN id %% 5 = 0 THEN 1 ELSE 0 END, NULL,
                   CASE WHEN id %% 9 = 0 THEN 'cancelled' ELSE 'active' END,
                   first_starts_at - interval '3 days', first_starts_at - interval '3 days', 1
            FROM series_made
            """,
        )
        run(
            cur,
            """
            INSERT INTO booking_series_occurrences (series_id, position, planned_starts_at, outcome, booking_id)
            SELECT m.id, b.place, b.starts_at, 'booked', b.id
            FROM series_made m JOIN series_bookings b USING (chunk)
            UNION ALL SELECT id, booked, last_starts_at + interval '7 days',
                             (ARRAY['slot_full', 'station_closed', 'preferred_worker_busy'])[1 + id %% 3], NULL
            FROM series_made WHERE id %% 5 = 0
            """,
        )
        run(
            cur,
            """
            UPDATE bookings b SET resident_id = m.resident_id
            FROM series_made m JOIN series_bookings s USING (chunk) WHERE s.id = b.id;
            INSERT INTO booking_series_events (series_id, action, from_status, to_status, actor_id, details, created_at)
            SELECT id, 'create', NULL, 'active', resident_id, json_build_object('count', count), created_at
            FROM booking_series
            UNION ALL SELECT id, 'cancel_rest', 'active', 'cancelled', resident_id, NULL,
                created_at + interval '10 days'
            FROM booking_series WHERE status = 'cancelled'
            """,
        )
        future, past = run(
            cur,
            "SELECT count(*) FILTER (WHERE starts_at > now()), count(*) FILTER (WHERE starts_at <= now()) "
            "FROM booking_slots",
        ).fetchone()
        # Three in ten entries are for slots to come, three residents in each slot's line.
        run(cur,
            """
            CREATE TEMP TABLE waiting_planned AS
            SELECT e AS id, s.id AS slot_id, s.station_code, s.service_code, s.starts_at,
                   1 + (e * 53) %% %(residents)s AS resident_id,
                   CASE WHEN NOT s.future THEN (ARRAY['lapsed', 'lapsed', 'left', 'taken'])[1 + e %% 4]
                        WHEN e / 10 %% 10 < 7 THEN 'waiting' WHEN e / 10 %% 10 < 9 THEN 'offered' ELSE 'left'
                   END AS status
            FROM generate_series(1, %(entries)s) e
            JOIN (SELECT id, station_code, service_code, starts_at, starts_at > now() AS future,
                         row_number() OVER (PARTITION BY starts_at > now() ORDER BY id) - 1 AS r
                  FROM booking_slots) s
              ON s.future = (e %% 10 < 3)
             AND s.r = CASE WHEN e %% 10 < 3 THEN (e / 3) %% %(future)s ELSE (e / 3) %% %(past)s END
            """,
            {"residents": n["residents"], "entries": n["waiting_entries"], "future": max(future, 1),
             "past": max(past, 1)},
        )  # fmt: skip
        run(
            cur,
            """
            INSERT INTO booking_waiting_entries (id, resident_id, slot_id, station_code, service_code,
                starts_at, status,
                offered_at, offer_expires_at, booking_id, created_at, updated_at, version)
            SELECT w.id, w.resident_id, w.slot_id, w.station_code, w.service_code, w.starts_at, w.status,
                   CASE WHEN w.status IN ('offered', 'taken') THEN t.offered END,
                   CASE WHEN w.status IN ('offered', 'taken') THEN t.offered + interval '2 hours' END,
                   CASE WHEN w.status = 'taken' THEN f.booking_id END,
                   w.starts_at - interval '3 days', coalesce(t.offered, w.starts_at - interval '3 days'), 1
            FROM waiting_planned w
            LEFT JOIN (SELECT slot_id, min(id) AS booking_id FROM bookings
                       WHERE slot_id IN (SELECT slot_id FROM waiting_planned) GROUP BY slot_id) f USING (slot_id)
            CROSS JOIN LATERAL (SELECT CASE WHEN w.status = 'offered' AND w.id %% 5 = 0
                                            THEN now() - interval '3 hours'  -- ran out: expire-offers' work
                                            WHEN w.status = 'offered' THEN now() - (w.id %% 90) * interval '1 minute'
                                            ELSE w.starts_at - interval '1 day' END AS offered) t
            WHERE w.status <> 'taken' OR f.booking_id IS NOT NULL
            ON CONFLICT DO NOTHING
            """,
        )
        # Every slot with a line is full, its offered places held in `booked`.
        run(
            cur,
            """
            UPDATE booking_slots s SET booked = s.booked + h.held, capacity = greatest(s.booked + h.held, 1)
            FROM (SELECT slot_id, count(*) FILTER (WHERE status = 'offered') AS held FROM booking_waiting_entries
                  WHERE status IN ('waiting', 'offered') GROUP BY 1) h
            WHERE h.slot_id = s.id;
            INSERT INTO booking_waiting_events (entry_id, action, from_status, to_status, actor_id, created_at)
            SELECT id, 'join', NULL, 'waiting', resident_id, created_at FROM booking_waiting_entries
            UNION ALL SELECT id, 'offer', 'waiting', 'offered', NULL, offered_at
            FROM booking_waiting_entries WHERE offered_at IS NOT NULL
            UNION ALL SELECT id, CASE status WHEN 'taken' THEN 'take' WHEN 'lapsed' THEN 'lapse' ELSE 'leave' END,
                             CASE WHEN status = 'taken' THEN 'offered' ELSE 'waiting' END, status,
                             CASE WHEN status = 'lapsed' THEN NULL ELSE resident_id END, updated_at
            FROM booking_waiting_entries WHERE status IN ('taken', 'lapsed', 'left')
            """,
        )


def _complaints(cur, n: dict, step: Step) -> None:
    """Complaints handled as complaints.handling handles them: the bookings' (scale.py made them
    with their status only) given their type, severity, deadlines and the status their age has
    reached; three in a hundred engagements signed or later complained of; every complaint's
    audit trail, and the escalation a serious one had at once."""
    with step("complaints: handling, deadlines and audit of bookings' and engagements' complaints"):
        columns, status = handled_complaint_columns("c.submitted_at", "c.id")
        run(
            cur,
            f"""
            UPDATE booking_complaints t SET (type, status, severity, respond_by, resolve_by, result, result_reason,
                submitted_at, accepted_at, decided_at, closed_at, version) = (
                SELECT {columns})
            FROM (SELECT id, least(submitted_at, now() - (id %% 1000) * interval '7 minutes') AS submitted_at
                  FROM booking_complaints) c
            CROSS JOIN LATERAL (SELECT {status} AS status) s
            WHERE c.id = t.id
            """,
        )
        run(
            cur,
            f"""
            INSERT INTO engagement_complaints (engagement_id, worker_id, text, text_status, type, status, severity,
                respond_by, resolve_by, result, result_reason, submitted_at, accepted_at, decided_at, closed_at,
                version, submitted_by_id)
            SELECT c.id, c.worker_id, '阿姨服务不到位', 'pass', {columns}, c.resident_id
            FROM (SELECT id, worker_id, resident_id,
                         least(now() - (id %% 500) * interval '11 minutes',
                               coalesce(ended_at, started_at, now() - interval '1 day') + interval '5 days')
                             AS submitted_at
                  FROM engagements
                  WHERE status IN ('confirmed', 'in_service', 'completed', 'ended_early') AND id %% 100 < 3) c
            CROSS JOIN LATERAL (SELECT {status} AS status) s
            """,
        )
        for table, kind in (("booking_complaints", "booking"), ("engagement_complaints", "engagement")):
            run(
                cur,
                f"""
                UPDATE {table} SET accepted_by_id = CASE WHEN accepted_at IS NOT NULL THEN %(clerk)s END,
                    decided_by_id = CASE WHEN decided_at IS NOT NULL THEN %(clerk)s END,
                    closed_by_id = CASE WHEN closed_at IS NOT NULL THEN %(clerk)s END;
                INSERT INTO complaint_events (complaint_kind, complaint_id, action, from_status, to_status, actor_id,
                    reason, created_at)
                SELECT '{kind}', id, 'submit', NULL, 'submitted', submitted_by_id, NULL, submitted_at FROM {table}
                UNION ALL SELECT '{kind}', id, 'accept', 'submitted', 'accepted', accepted_by_id, NULL, accepted_at
                    FROM {table} WHERE accepted_at IS NOT NULL
                UNION ALL SELECT '{kind}', id, CASE result WHEN 'upheld' THEN 'uphold' WHEN 'dismissed' THEN 'dismiss'
                                                           ELSE 'invalidate' END,
                                 'accepted', result, decided_by_id, result_reason, decided_at
                    FROM {table} WHERE decided_at IS NOT NULL
                UNION ALL SELECT '{kind}', id, 'close', result, 'closed', closed_by_id, NULL, closed_at
                    FROM {table} WHERE closed_at IS NOT NULL;
                INSERT INTO complaint_escalations (complaint_kind, complaint_id, reason, deadline, operators_alerted,
                    created_at)
                SELECT '{kind}', id, 'serious', NULL, 3, submitted_at FROM {table} WHERE severity = 'serious'
                """,
                {"clerk": n["clerk"]},
            )


def _feed(cur, n: dict, step: Step, indexes_built_after: IndexesAfter) -> None:
    """The public-credit feed as it would stand after two years: a record for each certificate
    issued, suspended or revoked and each listing started or ended, the rest company grade changes,
    in the order they occurred and in transactions below this one (so every record is served);
    three receiving platforms (one revoked; their keys unknown: the bench adds its own) and a
    year of their pulls."""
    with step(f"~{n['feed_records']:,} feed records, 3 feed clients, {n['feed_pulls']:,} pulls"):
        run(
            cur,
            """
            CREATE TEMP TABLE feed_made AS
            SELECT c.issued_at AS occurred_at, 'certificate_issued' AS kind, 'worker' AS subject_type,
                   co.credit_code, c.number AS certificate_number,
                   json_build_object('company_name', co.name,
                                     'worker_name_masked', left(w.name, 1) || '*' || right(w.name, 1),
                                     'state_before', 'exam_passed', 'state_after', 'issued') AS payload
            FROM certificates c JOIN workers w ON w.id = c.worker_id LEFT JOIN companies co ON co.id = w.company_id
            WHERE c.number IS NOT NULL
            UNION ALL
            SELECT c.issued_at + interval '100 days', 'certificate_' || c.state, 'worker', co.credit_code, c.number,
                   json_build_object('company_name', co.name,
                                     'worker_name_masked', left(w.name, 1) || '*' || right(w.name, 1),
                                     'state_before', 'issued', 'state_after', c.state)
            FROM certificates c JOIN workers w ON w.id = c.worker_id LEFT JOIN companies co ON co.id = w.company_id
            WHERE c.state IN ('suspended', 'revoked')
            UNION ALL
            SELECT CASE WHEN m.kind = 'listing_started' THEN l.created_at
                        ELSE l.ended_on::timestamp AT TIME ZONE 'Asia/Shanghai' END, m.kind,
                            CASE WHEN l.worker_id IS NULL THEN 'company' ELSE 'worker' END,
                   coalesce(co.credit_code, wc.credit_code), ce.number,
                   json_build_object('company_name', coalesce(co.name, wc.name),
                                     'worker_name_masked', left(w.name, 1) || '*' || right(w.name, 1),
                                     'listing_category', l.category, 'listed_from', l.listed_from,
                                     'listed_until', l.listed_until, 'listing_reference', 'SX-' || l.id,
                                     'end_reason', CASE WHEN m.kind = 'listing_ended' THEN l.end_reason END)
            FROM sanction_listings l
            LEFT JOIN companies co ON co.id = l.company_id LEFT JOIN workers w ON w.id = l.worker_id
            LEFT JOIN companies wc ON wc.id = w.company_id LEFT JOIN certificates ce ON ce.worker_id = w.id
            JOIN (VALUES ('listing_started'), ('listing_ended')) m (kind)
                 ON m.kind = 'listing_started' OR l.ended_on IS NOT NULL
            """,
        )
        run(
            cur,
            """
            INSERT INTO feed_made
            SELECT now() - (i * 7 %% 730) * interval '1 day' - (i %% 1440) * interval '1 minute',
                   'company_grade_changed', 'company', co.credit_code, NULL,
                   json_build_object('company_name', co.name, 'worker_name_masked', NULL,
                                     'grade_before', (ARRAY['A', '2A', '3A', '4A', '5A'])[1 + i %% 5],
                                     'grade_after', (ARRAY['A', '2A', '3A', '4A', '5A'])[1 + (i + 1 + i / 5 %% 3) %% 5],
                                     'scoring_version', 'placeholder-2026-12-v4')
            FROM generate_series(1, greatest(0, %(rows)s - (SELECT count(*) FROM feed_made))) i
            JOIN companies co ON co.id = 1 + i %% %(companies)s
            """,
            {"rows": n["feed_records"], "companies": n["companies"]},
        )
        with indexes_built_after(cur, "feed_records"):
            run(
                cur,
                """
                INSERT INTO feed_records (id, kind, occurred_at, recorded_at, subject_type, credit_code,
                    certificate_number, payload, xact_id)
                SELECT r, kind, occurred_at, occurred_at, subject_type, credit_code, certificate_number, payload,
                       greatest(1, pg_current_xact_id()::text::bigint * r / (total + 1))
                FROM (SELECT *, row_number() OVER (ORDER BY occurred_at) AS r, count(*) OVER () AS total
                      FROM feed_made) f
                """,
            )
        run(
            cur,
            """
            INSERT INTO feed_clients (id, name, key_hash, created_at, revoked_at)
            VALUES (1, '广州市公共信用信息平台', md5('scale-1') || md5('scale-1b'), now() - interval '2 years', NULL),
                   (2, '广东省信用平台', md5('scale-2') || md5('scale-2b'), now() - interval '1 year', NULL),
                   (3, '测试接入', md5('scale-3') || md5('scale-3b'), now() - interval '2 years',
                    now() - interval '18 months')
            """,
        )
        run(
            cur,
            """
            INSERT INTO feed_pulls (client_id, pulled_at, parameters, record_count, first_record_id, last_record_id,
                next_cursor)
            SELECT 1 + i %% 2, now() - (%(pulls)s - i) * interval '1 year' / %(pulls)s,
                   json_build_object('cursor', 'v1.' || md5(i::text), 'limit', '100'), 100,
                   1 + i * 5 %% %(records)s, 100 + i * 5 %% %(records)s, 'v1.' || md5((i + 1)::text)
            FROM generate_series(1, %(pulls)s) i
            """,
            {"pulls": n["feed_pulls"], "records": max(1, n["feed_records"] - 100)},
        )
