"""A labelled demo course for the embedded default: a pre-job cleaning course with a question bank
and its exam, an online class (two lessons) and an offline class at a station (two sessions next
week). Never in production; loading it twice changes nothing."""

from datetime import datetime, time, timedelta

from sqlalchemy import select

from app.clock import BEIJING, today_in_beijing
from app.extensions import db
from credit.demo import DEMO_LABEL
from stations.models import Station
from training.courses import create_class, create_course
from training.exams import add_question, set_exam
from training.models import OFFLINE, ONLINE, PRE_JOB, THEORY, Course

DEMO_COURSE = {
    "title": f"{DEMO_LABEL}保洁岗前培训",
    "description": "家政服务员保洁岗位的岗前专项培训：职业道德、服务规范、安全常识与保洁技能。",
    "service_types": ["cleaning"],
    "kind": THEORY,
    "purpose": PRE_JOB,
    "required_hours": 8,
    "pass_mark": 80,
}
DEMO_LESSONS = [
    {"title": "职业道德与服务规范", "text": "守时守信，尊重客户隐私；入户出示安心服务证。", "required_minutes": 20},
    {"title": "居家保洁安全常识", "video_url": "https://example.com/demo/cleaning-safety.mp4", "required_minutes": 25},
]


DEMO_QUESTIONS = [
    (
        "single",
        "入户服务前，家政服务员应当首先做什么？",
        ["出示安心服务证并说明来意", "直接开始工作", "先拍照留念"],
        [0],
        ["规范"],
        1,
    ),
    (
        "single",
        "使用含氯消毒剂时，下列做法正确的是？",
        ["与洁厕剂混用", "开窗通风并佩戴手套", "用热水冲调"],
        [1],
        ["安全"],
        2,
    ),
    (
        "multiple",
        "以下哪些属于客户隐私，应予保护？",
        ["家庭住址", "家庭成员情况", "小区名称公开信息", "财物存放位置"],
        [0, 1, 3],
        ["规范"],
        2,
    ),
    ("true_false", "服务中可以私自使用客户家中物品。", ["对", "错"], [1], ["规范"], 1),
    ("true_false", "高处擦窗作业应系好安全带。", ["对", "错"], [0], ["安全"], 1),
    ("single", "发现燃气泄漏时，首先应当？", ["打开电灯查看", "关闭阀门并开窗通风", "继续工作"], [1], ["安全"], 3),
]
DEMO_EXAM = {
    "rules": [{"tag": "规范", "count": 2}, {"tag": "安全", "count": 2}],
    "duration_minutes": 30,
    "max_attempts": 3,
    "retake_wait_hours": 24,
}


def _at(days: int, hour: int) -> datetime:
    return datetime.combine(today_in_beijing() + timedelta(days=days), time(hour), BEIJING)


def load_demo() -> Course | None:
    """The demo course and its two classes; None when it is there already."""
    if db.session.scalar(select(Course.id).where(Course.title == DEMO_COURSE["title"])) is not None:
        return None
    course = create_course(dict(DEMO_COURSE))
    for kind, text, options, answer, tags, difficulty in DEMO_QUESTIONS:
        add_question(
            course,
            {"kind": kind, "text": text, "options": options, "answer": answer, "tags": tags, "difficulty": difficulty},
        )
    set_exam(course, dict(DEMO_EXAM))
    create_class(course, {"title": f"{DEMO_LABEL}线上班", "mode": ONLINE, "lessons": [dict(x) for x in DEMO_LESSONS]})
    station = db.session.scalar(select(Station).order_by(Station.code).limit(1))
    offline = (
        {"station_code": station.code} if station else {"address": "天河区体育西路演示地址", "district_code": "440106"}
    )
    create_class(
        course,
        {
            "title": f"{DEMO_LABEL}线下班",
            "mode": OFFLINE,
            "capacity": 30,
            "trainer_name": "演示讲师",
            "sessions": [
                {"starts_at": _at(7, 9), "ends_at": _at(7, 12)},
                {"starts_at": _at(8, 9), "ends_at": _at(8, 12)},
            ],
            **offline,
        },
    )
    return course
