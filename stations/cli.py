"""`flask stations import FILE`: load or refresh the station list."""

import csv
import sys

import click
from flask.cli import AppGroup

from app.extensions import db
from stations.importer import ImportReport, import_rows, validate_rows

stations_cli = AppGroup("stations", help="Manage the domestic-service stations.")


@stations_cli.command("import")
@click.argument("csv_file", type=click.File(encoding="utf-8-sig"))
@click.option("--dry-run", is_flag=True, help="Validate and report without saving anything.")
@click.option("--skip-invalid", is_flag=True, help="Import the valid rows even if some are rejected.")
def import_command(csv_file, dry_run, skip_invalid):
    """Validate every row of CSV_FILE, then create or update stations by code."""
    valid, rejected = validate_rows(csv.DictReader(csv_file))
    report = ImportReport(rejected=rejected)
    if rejected and not skip_invalid:
        print_report(report)
        raise click.ClickException(
            f"{len(rejected)} invalid row(s): nothing imported. Fix them or pass --skip-invalid.")
    with click.progressbar(valid, label="Importing stations", file=sys.stderr) as rows:
        import_rows(rows, report)
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    print_report(report)
    if dry_run:
        click.echo("Dry run: nothing was saved.")
    elif not report.changed_anything:
        click.echo("Nothing changed: the database already matches this file.")


def print_report(report: ImportReport) -> None:
    click.echo(f"created: {len(report.created)}  updated: {len(report.updated)}  "
               f"unchanged: {len(report.unchanged)}  rejected: {len(report.rejected)}")
    for rejection in report.rejected:
        click.echo(f"  rejected line {rejection.line} ({rejection.code or 'no code'}): {rejection.reason}")
    if report.without_location:
        click.echo(f"without coordinates ({len(report.without_location)}, listed but never 'nearest'): "
                   + "、".join(report.without_location))
