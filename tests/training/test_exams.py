"""Exams: a paper drawn by the exam's rules, right answers never shown before submission, a
deadline the server keeps, scoring by the server, one open attempt, retakes limited; passing the
pre-job exam moves the certificate to 考核通过."""

import random
from datetime import timedelta
from types import SimpleNamespace

import time_machine
from hypothesis import given
from hypothesis import strategies as st

from tests.factories import offline_class_body
from tests.plugins.training import QUESTIONS
from training.exams import draw_paper, matches


def start(client, operator, exam, worker):
    return client.post(
        f"/api/v1/training/exams/{exam['id']}/attempts", json={"worker_id": worker["id"]}, headers=operator
    )


def right_choices(attempt):
    """What a worker who knows the bank answers, by the shown options' text."""
    answers = {
        f"第{index + 1}题": [options[i] for i in answer] for index, (_, options, answer, _, _) in enumerate(QUESTIONS)
    }
    return {q["question_id"]: [q["options"].index(text) for text in answers[q["text"]]] for q in attempt["questions"]}


def answer_all(client, operator, attempt, choices):
    for question_id, chosen in choices.items():
        response = client.put(
            f"/api/v1/training/attempts/{attempt['id']}/answers/{question_id}",
            json={"choices": chosen},
            headers=operator,
        )
        assert response.status_code == 200, response.json


def submit(client, operator, attempt):
    return client.post(f"/api/v1/training/attempts/{attempt['id']}/submit", headers=operator)


def test_a_paper_never_holds_the_right_answers_before_it_is_submitted(client, operator, exam_ready):
    exam, worker = exam_ready()
    response = start(client, operator, exam, worker)
    assert response.status_code == 201, response.json
    attempt = response.json
    assert len(attempt["questions"]) == 5
    assert all(question["right"] is None for question in attempt["questions"])
    assert "answer" not in response.get_data(as_text=True)
    answer_all(client, operator, attempt, right_choices(attempt))
    again = client.get(f"/api/v1/training/attempts/{attempt['id']}", headers=operator).json
    assert all(question["right"] is None for question in again["questions"])


def test_passing_the_pre_job_exam_moves_the_certificate(client, operator, exam_ready):
    exam, worker = exam_ready()
    attempt = start(client, operator, exam, worker).json
    answer_all(client, operator, attempt, right_choices(attempt))
    submitted = submit(client, operator, attempt).json
    assert (submitted["score"], submitted["passed"]) == (100, True)
    assert all(q["right"] == q["chosen"] for q in submitted["questions"])
    certificate = client.get(f"/api/v1/workers/{worker['id']}", headers=operator).json["certificate"]
    assert (certificate["state"], certificate["exam_score"]) == ("exam_passed", 100)


def test_the_server_scores_the_answers_and_a_fail_leaves_the_certificate(client, operator, exam_ready):
    exam, worker = exam_ready()
    attempt = start(client, operator, exam, worker).json
    choices = right_choices(attempt)
    wrong = dict(list(choices.items())[:3])  # three of five right, two unanswered: 60 < 80
    answer_all(client, operator, attempt, wrong)
    submitted = submit(client, operator, attempt).json
    assert (submitted["score"], submitted["passed"]) == (60, False)
    certificate = client.get(f"/api/v1/workers/{worker['id']}", headers=operator).json["certificate"]
    assert certificate["state"] == "trained"


def test_an_answer_after_the_deadline_is_refused(client, operator, exam_ready):
    exam, worker = exam_ready()
    attempt = start(client, operator, exam, worker).json
    question_id = attempt["questions"][0]["question_id"]
    with time_machine.travel(timedelta(minutes=31)):
        late = client.put(
            f"/api/v1/training/attempts/{attempt['id']}/answers/{question_id}", json={"choices": [0]}, headers=operator
        )
        assert (late.status_code, late.json["code"]) == (409, "deadline_passed")
        closed = submit(client, operator, attempt).json
    assert (closed["score"], closed["passed"]) == (0, False)
    assert closed["submitted_at"] == attempt["deadline"]


def test_one_open_attempt_per_worker_and_exam(client, operator, exam_ready):
    exam, worker = exam_ready()
    assert start(client, operator, exam, worker).status_code == 201
    second = start(client, operator, exam, worker)
    assert (second.status_code, second.json["code"]) == (409, "attempt_open")


def test_retakes_wait_their_time_and_stop_at_the_limit(client, operator, exam_ready):
    exam, worker = exam_ready(max_attempts=2, retake_wait_hours=24)
    submit(client, operator, start(client, operator, exam, worker).json)
    too_soon = start(client, operator, exam, worker)
    assert (too_soon.status_code, too_soon.json["code"]) == (409, "retake_too_soon")
    with time_machine.travel(timedelta(hours=25)):
        submit(client, operator, start(client, operator, exam, worker).json)
    with time_machine.travel(timedelta(hours=50)):
        spent = start(client, operator, exam, worker)
    assert (spent.status_code, spent.json["code"]) == (409, "no_attempts_left")


def test_an_attempt_needs_the_course_completed_and_a_bank_large_enough(client, operator, exam_ready, make_trainee):
    exam, _ = exam_ready()
    untrained = start(client, operator, exam, make_trainee())
    assert (untrained.status_code, untrained.json["code"]) == (409, "course_not_completed")
    short_exam, worker = exam_ready(rules=[{"tag": "safety", "difficulty": 3, "count": 2}])
    short = start(client, operator, short_exam, worker)
    assert (short.status_code, short.json["code"], list(short.json["errors"])) == (
        409,
        "question_bank_short",
        ["rules.0"],
    )


def test_a_question_answer_must_fit_its_kind(client, operator, make_course):
    course = make_course()
    url = f"/api/v1/training/courses/{course['id']}/questions"
    body: dict[str, object] = {"kind": "single", "text": "题", "options": ["A", "B"], "answer": [0, 1], "difficulty": 1}
    cases: list[tuple[dict[str, object], str]] = [
        ({}, "one_right_option"),
        ({"answer": [5]}, "answer_not_an_option"),
        ({"kind": "true_false", "options": ["对", "错", "不知道"], "answer": [0]}, "true_false_options"),
    ]
    for changes, code in cases:
        response = client.post(url, json=body | changes, headers=operator)
        assert (response.status_code, response.json["code"]) == (422, code)


# ---------------------------------------------------------------- the draw, as a property

questions = st.lists(
    st.builds(
        SimpleNamespace,
        tags=st.lists(st.sampled_from(["safety", "ethics", "skill"]), max_size=2, unique=True),
        difficulty=st.integers(1, 3),
        kind=st.sampled_from(["single", "multiple", "true_false"]),
        options=st.lists(st.text(max_size=3), min_size=2, max_size=5),
    ),
    min_size=0,
    max_size=30,
)
rules = st.lists(
    st.fixed_dictionaries(
        {"count": st.integers(1, 4)},
        optional={"tag": st.sampled_from(["safety", "ethics", "skill"]), "difficulty": st.integers(1, 3)},
    ),
    min_size=1,
    max_size=4,
)


@given(questions, rules, st.integers())
def test_a_drawn_paper_respects_its_rules(bank, paper_rules, seed):
    for index, question in enumerate(bank, start=1):
        question.id = index
        if question.kind == "true_false":
            question.options = ["对", "错"]
    try:
        paper = draw_paper(bank, paper_rules, random.Random(seed))
    except Exception as refused:  # the bank was short of some rule's questions
        assert getattr(refused, "problem_code", None) == "question_bank_short"
        return
    by_id = {question.id: question for question in bank}
    drawn = [by_id[entry["question_id"]] for entry in paper]
    assert len(paper) == sum(rule["count"] for rule in paper_rules)
    assert len({question.id for question in drawn}) == len(drawn)
    for rule in paper_rules:
        assert sum(1 for question in drawn if matches(question, rule)) >= rule["count"]
    for entry in paper:
        assert sorted(entry["order"]) == list(range(len(by_id[entry["question_id"]].options)))


# ---------------------------------------------------------------- practical exams

CHECKLIST = [
    {"item": "工具准备齐全", "points": 20},
    {"item": "擦窗安全规范", "points": 50},
    {"item": "清洁效果", "points": 30},
]


def practical_ready(client, operator, make_course, make_class, make_trainee, enrol):
    course = make_course(kind="practical", title="保洁实操")
    settings = {"checklist": CHECKLIST, "duration_minutes": 60, "max_attempts": 2, "retake_wait_hours": 0}
    exam = client.put(f"/api/v1/training/courses/{course['id']}/exam", json=settings, headers=operator).json
    training_class = make_class(offline_class_body(), course=course)
    worker = make_trainee()
    enrol(training_class, worker)
    client.post(
        f"/api/v1/training/sessions/{training_class['sessions'][0]['id']}/attendance",
        json={"worker_id": worker["id"], "reason": "现场签到"},
        headers=operator,
    )
    return exam, worker


def test_a_practical_exam_is_scored_by_a_named_examiner_against_its_checklist(
    client, operator, make_course, make_class, make_trainee, enrol
):
    exam, worker = practical_ready(client, operator, make_course, make_class, make_trainee, enrol)
    url = f"/api/v1/training/exams/{exam['id']}/practical-scores"
    body = {"worker_id": worker["id"], "examiner_name": "王考评员", "points": [20, 45, 25]}
    scored = client.post(url, json=body, headers=operator)
    assert scored.status_code == 201, scored.json
    assert (scored.json["score"], scored.json["passed"], scored.json["examiner_name"]) == (90, True, "王考评员")
    assert scored.json["checklist_points"] == [20, 45, 25]
    certificate = client.get(f"/api/v1/workers/{worker['id']}", headers=operator).json["certificate"]
    assert (certificate["state"], certificate["exam_score"]) == ("exam_passed", 90)


def test_points_beyond_an_item_or_a_paper_for_a_practical_exam_are_refused(
    client, operator, make_course, make_class, make_trainee, enrol
):
    exam, worker = practical_ready(client, operator, make_course, make_class, make_trainee, enrol)
    url = f"/api/v1/training/exams/{exam['id']}/practical-scores"
    too_many = client.post(
        url, json={"worker_id": worker["id"], "examiner_name": "王", "points": [20, 60, 30]}, headers=operator
    )
    assert (too_many.status_code, too_many.json["code"], list(too_many.json["errors"])) == (
        422,
        "checklist_points",
        ["points.1"],
    )
    short = client.post(url, json={"worker_id": worker["id"], "examiner_name": "王", "points": [20]}, headers=operator)
    assert (short.status_code, short.json["code"]) == (422, "checklist_points")
    paper = start(client, operator, exam, worker)
    assert (paper.status_code, paper.json["code"]) == (409, "practical_exam")


def test_an_exam_takes_the_settings_of_its_courses_kind(client, operator, make_course):
    theory, practical = make_course(), make_course(kind="practical")
    common = {"duration_minutes": 30, "max_attempts": 1, "retake_wait_hours": 0}
    for course, body, field in [
        (theory, common | {"checklist": CHECKLIST}, "rules"),
        (practical, common | {"rules": [{"count": 1}]}, "checklist"),
    ]:
        response = client.put(f"/api/v1/training/courses/{course['id']}/exam", json=body, headers=operator)
        assert (response.status_code, response.json["code"], list(response.json["errors"])) == (
            422,
            "exam_settings_for_kind",
            [field],
        )
