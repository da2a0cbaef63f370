"""Imports with the same validate-and-report rules as every other (app.csv_import): the question
bank of a course from CSV or XLSX, and results of classes held elsewhere from CSV. Every row is
validated first; a file with a rejected row imports nothing unless told to skip them."""

import csv
from collections.abc import Iterable
from pathlib import Path

import marshmallow as ma
from marshmallow import fields, validate

from app.csv_import import ImportReport, validate_rows
from app.errors import Invalid
from app.extensions import db
from app.fields import RecordId, Text
from app.privacy import blind_index
from credit.identifiers import ID_NUMBER_PATTERN, id_number_problem
from credit.registry import find_worker_by_id_number
from credit.schemas import Identifier, not_in_future
from training import exams
from training.completion import record_hours, record_score
from training.models import MULTIPLE, QUESTION_KINDS, SINGLE, TRUE_FALSE, Course, ExternalResult

# The kinds as the source spreadsheets write them, in Chinese or as codes.
KIND_OF_NAME = {name: code for code, name in QUESTION_KINDS.items()} | {
    "单选": SINGLE,
    "多选": MULTIPLE,
    "判断": TRUE_FALSE,
}
LETTERS = "ABCDEFGH"


def read_rows(path: Path) -> list[dict]:
    """The file's rows as {header: text}: CSV (UTF-8, with or without BOM) or XLSX (first sheet)."""
    if path.suffix.lower() == ".xlsx":
        # openpyxl costs every process that imports it ~5 MB; only an XLSX import needs it.
        from openpyxl import load_workbook

        sheet = load_workbook(path, read_only=True, data_only=True).worksheets[0]
        lines = [["" if cell is None else str(cell) for cell in row] for row in sheet.iter_rows(values_only=True)]
        if not lines:
            return []
        header = [name.strip() for name in lines[0]]
        return [dict(zip(header, line, strict=False)) for line in lines[1:] if any(cell.strip() for cell in line)]
    with open(path, encoding="utf-8-sig", newline="") as csv_file:
        return list(csv.DictReader(csv_file))


class QuestionRowSchema(ma.Schema):
    """kind (单选题/多选题/判断题 or single/multiple/true_false), text, options (separated by ;),
    answer (letters: A, or AC, or A;C), tags (separated by ;), difficulty (1-3)."""

    class Meta:
        unknown = ma.EXCLUDE

    kind = fields.String(required=True, validate=validate.OneOf(list(QUESTION_KINDS)))
    text = Text(required=True, validate=validate.Length(min=1, max=2000))
    options = fields.List(
        Text(validate=validate.Length(min=1, max=500)), required=True, validate=validate.Length(min=2, max=8)
    )
    answer = fields.List(fields.Integer(), required=True, validate=validate.Length(min=1, max=8))
    tags = fields.List(Text(validate=validate.Length(min=1, max=32)), validate=validate.Length(max=10))
    difficulty = fields.Integer(required=True, validate=validate.Range(min=1, max=3))

    @ma.pre_load
    def cells(self, row, **_):
        text = {
            key.strip(): value.strip() for key, value in row.items() if key and isinstance(value, str) and value.strip()
        }
        cleaned: dict[str, object] = dict(text)
        if "kind" in text:
            cleaned["kind"] = KIND_OF_NAME.get(text["kind"], text["kind"])
        for name in ("options", "tags"):
            if name in text:
                cleaned[name] = [item.strip() for item in text[name].split(";") if item.strip()]
        if "answer" in text:
            letters = text["answer"].replace(";", "").replace(" ", "").upper()
            if not letters or any(letter not in LETTERS for letter in letters):
                raise ma.ValidationError({"answer": ["must be option letters, e.g. A or AC"]})
            cleaned["answer"] = [LETTERS.index(letter) for letter in letters]
        return cleaned


def validate_questions(raw_rows: Iterable[dict]):
    def fits_its_kind(row: dict) -> str | None:
        try:
            exams.check_question(row)
        except Invalid as problem:  # the API's own check
            return f"{next(iter(problem.data['errors']))}: {problem}"
        return None

    return validate_rows(raw_rows, QuestionRowSchema(), "text", fits_its_kind)


def import_questions(course: Course):
    def load(rows: Iterable[tuple[int, dict]], report: ImportReport) -> ImportReport:
        for line, row in rows:
            question = exams.add_question(course, row)
            report.created.append(f"line {line}: question {question.id}")
        return report

    return load


class ResultRowSchema(ma.Schema):
    """id_number, course_id, hours, score (empty when there was no exam), date (YYYY-MM-DD)."""

    class Meta:
        unknown = ma.EXCLUDE

    id_number = Identifier(ID_NUMBER_PATTERN, id_number_problem, required=True)
    course_id = RecordId(required=True)
    hours = fields.Integer(required=True, validate=validate.Range(min=0, max=1000))
    score = fields.Integer(validate=validate.Range(min=0, max=100))
    date = fields.Date(required=True, validate=not_in_future)

    @ma.pre_load
    def cells(self, row, **_):
        return {
            key.strip(): value.strip() for key, value in row.items() if key and isinstance(value, str) and value.strip()
        }

    @ma.post_load
    def one_result_per_worker_and_course(self, row, **_):
        """The key of duplicates within a file: the keyed hash, never the number itself."""
        return row | {"worker_course": f"{blind_index(row['id_number'])}:{row['course_id']}"}


def validate_results(raw_rows: Iterable[dict]):
    def against_database(row: dict) -> str | None:
        if db.session.get(Course, row["course_id"]) is None:
            return "course_id: no such course"
        if find_worker_by_id_number(row["id_number"]) is None:
            return "id_number: no worker has this ID number"
        return None

    return validate_rows(raw_rows, ResultRowSchema(), "worker_course", against_database)


def import_results(rows: Iterable[tuple[int, dict]], report: ImportReport) -> ImportReport:
    """Each result on record, its hours and score on the ledger (through the certificate's steps
    where the applicant is at them), as a completed class and an exam here would be."""
    for line, row in rows:
        worker = find_worker_by_id_number(row["id_number"])
        course = db.session.get_one(Course, row["course_id"])
        assert worker is not None  # validated
        result = ExternalResult(
            worker_id=worker.id, course_id=course.id, hours=row["hours"], score=row.get("score"), taken_on=row["date"]
        )
        db.session.add(result)
        db.session.flush()
        source = f"training-external:{result.id}"
        record_hours(worker, course, row["date"], None, source, hours=row["hours"])
        if row.get("score") is not None:
            record_score(worker, course, row["score"], None, source)
        report.created.append(f"line {line}: result {result.id}")
    return report
