"""What a person reads in an error: Chinese unless the request prefers English, so the mini-program
shows `detail` as it is; every message in the code has its Chinese wording."""

from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

import booking.models
import complaints.models
import credit.models
import training.models
from app.states import StateTable

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "app/translations/zh_Hans_CN/LC_MESSAGES"
NOT_CODE = {"tests", "bench", "migrations", "scripts"}
UNKNOWN_STATION = "/api/v1/stations/440106999000"


def test_a_resident_reads_problems_in_chinese_by_default(client):
    response = client.get(UNKNOWN_STATION)
    assert response.status_code == 404 and response.json["code"] == "unknown_station"
    assert response.json["detail"] == "没有编号为 440106999000 的服务站。"
    assert response.headers["Content-Language"] == "zh-CN"


@pytest.mark.parametrize("accept", ["en", "en-US,en;q=0.9", "en-GB,zh-CN;q=0.5"])
def test_a_client_that_prefers_english_reads_english(client, accept):
    response = client.get(UNKNOWN_STATION, headers={"Accept-Language": accept})
    assert response.json["detail"] == "No station has code 440106999000."
    assert response.headers["Content-Language"] == "en"


@pytest.mark.parametrize("accept", ["zh-CN,zh;q=0.9,en;q=0.8", "zh", "fr-FR", "*", ""])
def test_any_other_preference_reads_chinese(client, accept):
    response = client.get(UNKNOWN_STATION, headers={"Accept-Language": accept})
    assert response.json["detail"] == "没有编号为 440106999000 的服务站。"


def test_validation_errors_name_the_fields_in_the_request_language(client):
    chinese = client.get("/api/v1/stations/nearest?lat=abc&lng=113.3")
    english = client.get("/api/v1/stations/nearest?lat=abc&lng=113.3", headers={"Accept-Language": "en"})
    assert chinese.status_code == english.status_code == 422
    assert chinese.json["detail"] == "输入有误：lat" and english.json["detail"] == "Invalid input: lat"


def test_an_unknown_address_is_worded_too(client):
    assert client.get("/api/v1/no-such-thing").json["detail"] == "此地址没有内容。"


def test_every_state_tables_refusal_speaks_of_its_subject_in_chinese(app):
    """A 409 from any lifecycle names what it is about in the request's language (a plain string
    as a table's subject would stay English inside the Chinese sentence)."""
    tables = [
        table
        for module in (booking.models, complaints.models, credit.models, training.models)
        for table in vars(module).values()
        if isinstance(table, StateTable)
    ]
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        untranslated = [str(table.subject) for table in tables if str(table.subject).isascii()]
    assert len(tables) >= 8 and untranslated == []


def _messages_in_the_code() -> set[str]:
    keywords = {**DEFAULT_KEYWORDS, "lazy_gettext": None}
    found = set()
    for package in sorted(ROOT.iterdir()):
        if package.name in NOT_CODE or not (package / "__init__.py").exists():
            continue
        method_map = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
        for _file, _line, message, _comments, _context in extract_from_dir(package, method_map, keywords=keywords):
            found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_message_in_the_code_has_its_chinese_wording():
    with open(CATALOGUE / "messages.po", "rb") as po:
        translated = {message.id: message.string for message in read_po(po) if message.id}
    untranslated = sorted(id for id in _messages_in_the_code() if not translated.get(id))
    assert untranslated == [], "run `make messages` and translate these in messages.po"


def test_the_catalogue_is_compiled_from_its_source_and_its_placeholders_match():
    with open(CATALOGUE / "messages.po", "rb") as po:
        source = read_po(po)
    with open(CATALOGUE / "messages.mo", "rb") as mo:
        compiled = read_mo(mo)
    wording = {message.id: message.string for message in source if message.id}
    assert {message.id: message.string for message in compiled if message.id} == wording, "run `make messages`"
    assert [(message.id, errors) for message, errors in source.check()] == []
