"""`flask stations import FILE`: load or refresh the station list."""

import click
from flask.cli import AppGroup

from app.csv_import import CSV_FILE, DRY_RUN, SKIP_INVALID, run_import
from stations.importer import StationImportReport, import_stations, validate_station_rows

stations_cli = AppGroup("stations", help="Manage the domestic-service stations.")


@stations_cli.command("import")
@CSV_FILE
@DRY_RUN
@SKIP_INVALID
def import_command(csv_file, dry_run, skip_invalid):
    """Validate every row of CSV_FILE, then create or update stations by code."""
    run_import(
        csv_file,
        dry_run=dry_run,
        skip_invalid=skip_invalid,
        validate=validate_station_rows,
        load=import_stations,
        report=StationImportReport(),
        print_report=print_report,
        label="Importing stations",
    )


def print_report(report: StationImportReport) -> None:
    click.echo(
        f"created: {len(report.created)}  updated: {len(report.updated)}  "
        f"unchanged: {len(report.unchanged)}  rejected: {len(report.rejected)}"
    )
    for rejection in report.rejected:
        click.echo(f"  rejected line {rejection.line} ({rejection.key or 'no code'}): {rejection.reason}")
    if report.without_location:
        click.echo(
            f"without coordinates ({len(report.without_location)}, listed but never 'nearest'): "
            + "、".join(report.without_location)
        )
