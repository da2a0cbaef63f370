"""`flask training demo` (the demo course and its classes, never in production),
`flask training import-questions COURSE_ID FILE` and `flask training import-results FILE`."""

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from app.csv_import import CSV_FILE, DRY_RUN, SKIP_INVALID, ImportReport, import_rows, run_import
from app.extensions import db
from training import importer
from training.demo import load_demo
from training.models import Course

training_cli = AppGroup("training", help="Manage training courses and classes.")


@training_cli.command("demo")
def demo_command():
    """Load a labelled demo pre-job course with an online and an offline class."""
    if current_app.config["APP_ENV"] == "production":
        raise click.ClickException("The demo set is never loaded in production.")
    course = load_demo()
    db.session.commit()
    click.echo(f"demo course {course.id} loaded" if course else "demo course already loaded")


def _print_report(report: ImportReport, what: str) -> None:
    click.echo(f"{what} imported: {len(report.created)}  rejected: {len(report.rejected)}")
    for rejection in report.rejected:
        # Never echo an ID number: rows are named by line only.
        click.echo(f"  rejected line {rejection.line}: {rejection.reason}")


@training_cli.command("import-questions")
@click.argument("course_id", type=int)
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@DRY_RUN
@SKIP_INVALID
def import_questions_command(course_id, path, dry_run, skip_invalid):
    """Questions for course COURSE_ID's bank from PATH, CSV or XLSX (kind, text, options separated
    by ;, answer as letters, tags separated by ;, difficulty 1-3)."""
    course = db.session.get(Course, course_id)
    if course is None:
        raise click.ClickException(f"No course {course_id}.")
    import_rows(
        importer.read_rows(path),
        dry_run=dry_run,
        skip_invalid=skip_invalid,
        validate=importer.validate_questions,
        load=importer.import_questions(course),
        report=ImportReport(),
        print_report=lambda report: _print_report(report, "questions"),
        label="Importing questions",
    )


@training_cli.command("import-results")
@CSV_FILE
@DRY_RUN
@SKIP_INVALID
def import_results_command(csv_file, dry_run, skip_invalid):
    """Results of classes held elsewhere from CSV_FILE (id_number, course_id, hours, score, date),
    matched to workers by the keyed hash of the ID number."""
    run_import(
        csv_file,
        dry_run=dry_run,
        skip_invalid=skip_invalid,
        validate=importer.validate_results,
        load=importer.import_results,
        report=ImportReport(),
        print_report=lambda report: _print_report(report, "results"),
        label="Importing results",
    )
