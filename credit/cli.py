"""`flask credit import-companies FILE`, `flask credit import-workers FILE` and `flask credit demo`."""

import csv

import click
from flask import current_app
from flask.cli import AppGroup

from app.extensions import db
from credit import importer
from credit.demo import load_demo

credit_cli = AppGroup("credit", help="Manage companies, workers and their certificates.")

FILE = click.argument("csv_file", type=click.File(encoding="utf-8-sig"))
DRY_RUN = click.option("--dry-run", is_flag=True, help="Validate and report without saving anything.")
SKIP_INVALID = click.option("--skip-invalid", is_flag=True, help="Import the valid rows even if some are rejected.")


def _run(csv_file, dry_run, skip_invalid, validate, load, what):
    valid, rejected = validate(csv.DictReader(csv_file))
    report = importer.ImportReport(rejected=rejected)
    if rejected and not skip_invalid:
        _print_report(report, what)
        raise click.ClickException(
            f"{len(rejected)} invalid row(s): nothing imported. Fix them or pass --skip-invalid.")
    load(valid, report)
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    _print_report(report, what)
    if dry_run:
        click.echo("Dry run: nothing was saved.")


def _print_report(report: importer.ImportReport, what: str) -> None:
    click.echo(f"{what} created: {len(report.created)}  updated: {len(report.updated)}  "
               f"unchanged: {len(report.unchanged)}  rejected: {len(report.rejected)}")
    for rejection in report.rejected:
        # Never echo an ID number: rows are named by line only.
        click.echo(f"  rejected line {rejection.line}: {rejection.reason}")


@credit_cli.command("import-companies")
@FILE
@DRY_RUN
@SKIP_INVALID
def import_companies_command(csv_file, dry_run, skip_invalid):
    """Companies from CSV_FILE (name, credit_code, district_code, contact_name, contact_phone),
    created or updated by credit code."""
    _run(csv_file, dry_run, skip_invalid, importer.validate_companies, importer.import_companies, "companies")


@credit_cli.command("import-workers")
@FILE
@DRY_RUN
@SKIP_INVALID
def import_workers_command(csv_file, dry_run, skip_invalid):
    """Workers from CSV_FILE (name, id_number, phone, photo_url, service_types, skills,
    years_of_experience, company_credit_code; lists separated by ;), registered as applicants."""
    _run(csv_file, dry_run, skip_invalid, importer.validate_workers, importer.import_workers, "workers")


@credit_cli.command("demo")
def demo_command():
    """Load the labelled demo companies and workers (development only) and print their scan URLs."""
    if current_app.config["APP_ENV"] == "production":
        raise click.ClickException("The demo set is never loaded in production.")
    shown = load_demo()
    db.session.commit()
    click.echo("Demo workers (演示数据), scan or open:")
    for name, colour, url in shown:
        click.echo(f"  {colour:<6} {name}  {url}")
