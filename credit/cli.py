"""`flask credit import-companies FILE`, `flask credit import-workers FILE`, `flask credit demo`,
`flask credit purge-documents`, `flask credit backfill-demographics` and `flask credit recompute-all`."""

import click
from flask import current_app
from flask.cli import AppGroup

from app.csv_import import CSV_FILE, DRY_RUN, SKIP_INVALID, ImportReport, run_import
from app.errors import Unavailable
from app.extensions import db
from credit import documents, importer, registry
from credit.demo import load_demo
from credit.recomputing import recompute_all
from credit.scoring import current_config
from credit.worker_counts import worker_counts_deferred

credit_cli = AppGroup("credit", help="Manage companies, workers and their certificates.")


def _run(csv_file, dry_run, skip_invalid, validate, load, what):
    def loaded(rows, report):
        # A file's rows are one transaction: its workers' counts move once, in key order, at its end.
        with worker_counts_deferred():
            load(rows, report)

    run_import(
        csv_file,
        dry_run=dry_run,
        skip_invalid=skip_invalid,
        validate=validate,
        load=loaded,
        report=ImportReport(),
        print_report=lambda report: _print_report(report, what),
        label=f"Importing {what}",
    )


def _print_report(report: ImportReport, what: str) -> None:
    click.echo(
        f"{what} created: {len(report.created)}  updated: {len(report.updated)}  "
        f"unchanged: {len(report.unchanged)}  rejected: {len(report.rejected)}"
    )
    for rejection in report.rejected:
        # Never echo an ID number: rows are named by line only.
        click.echo(f"  rejected line {rejection.line}: {rejection.reason}")


@credit_cli.command("import-companies")
@CSV_FILE
@DRY_RUN
@SKIP_INVALID
def import_companies_command(csv_file, dry_run, skip_invalid):
    """Companies from CSV_FILE (name, credit_code, district_code, contact_name, contact_phone),
    created or updated by credit code."""
    _run(csv_file, dry_run, skip_invalid, importer.validate_companies, importer.import_companies, "companies")


@credit_cli.command("import-workers")
@CSV_FILE
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


@credit_cli.command("purge-documents")
def purge_documents_command():
    """Delete the files of documents kept DOCUMENT_RETENTION_DAYS past the end of their
    certificate, and mark their records; run it daily (from cron): it can run any number of times."""
    try:
        purged = documents.purge_due()
    except Unavailable as error:
        stopped = "What was deleted before it stopped stays deleted; run it again."
        raise click.ClickException(f"{error.description} {stopped}") from None
    click.echo(f"{purged} document{'' if purged == 1 else 's'} deleted after retention.")


@credit_cli.command("backfill-demographics")
def backfill_demographics_command():
    """Fill in the gender and birth year (for the statistics) of workers registered before they
    were kept, from their ID numbers; commits after each batch, so it can be stopped and run
    again, and does nothing once every worker has them."""
    done = 0
    for count in registry.backfill_demographics():
        db.session.commit()
        done += count
        click.echo(f"{done} workers filled in")
    click.echo(f"Done: {done} worker{'' if done == 1 else 's'} filled in.")


@credit_cli.command("recompute-all")
def recompute_all_command():
    """Every worker's stars and company's grade again from the ledger, by credit/scoring.toml as it
    is now: run it after every change of its `version` (and daily, so that a colour turned by a
    date reaches the stars). Progress goes to stderr; it can run any number of times, and a second
    run changes nothing."""
    summary = recompute_all(lambda line: click.echo(line, err=True))
    click.echo(
        f"Recomputed under scoring version {current_config().version} in {summary.rounds} "
        f"round{'' if summary.rounds == 1 else 's'}: {len(summary.companies)} companies and "
        f"{len(summary.workers)} workers changed."
    )
    if not summary.settled:
        raise click.ClickException(
            "Company grades and their workers' stars were still moving each other after the last round; run it again."
        )
