"""Importing a CSV file with a marshmallow schema, the same way for every feature.

Every row is validated first (the schema, duplicates within the file, and any check against the
database); a file with a rejected row imports nothing unless the operator passes --skip-invalid,
so a half-broken file never leaves half-updated data. Loaders only flush; the command commits, or
rolls back for --dry-run.
"""

import csv
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import click
import marshmallow as ma

from app.extensions import db

FIRST_DATA_LINE = 2  # line 1 is the header


@dataclass
class Rejection:
    line: int
    key: str | None
    reason: str


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)

    @property
    def changed_anything(self) -> bool:
        return bool(self.created or self.updated)


def validate_rows(
    raw_rows: Iterable[dict], schema: ma.Schema, key: str, check: Callable[[dict], str | None] | None = None
) -> tuple[list[tuple[int, dict]], list[Rejection]]:
    """(line, row) for the rows that pass every rule, and why the others do not. `key` names the
    field that must be unique within the file; `check` may refuse a row against stored data."""
    valid, rejected, seen = [], [], {}
    for line, raw in enumerate(raw_rows, start=FIRST_DATA_LINE):
        raw_key = (raw.get(key) or "").strip() or None
        try:
            row = schema.load(raw)
        except ma.ValidationError as error:
            reason = "; ".join(f"{name}: {' '.join(map(str, messages))}" for name, messages in error.messages.items())
            rejected.append(Rejection(line, raw_key, reason))
            continue
        if row[key] in seen:
            rejected.append(Rejection(line, row[key], f"{key}: duplicate of line {seen[row[key]]}"))
            continue
        problem = check(row) if check else None
        if problem:
            rejected.append(Rejection(line, row[key], problem))
            continue
        seen[row[key]] = line
        valid.append((line, row))
    return valid, rejected


def run_import(
    csv_file,
    *,
    dry_run: bool,
    skip_invalid: bool,
    validate,
    load,
    report: ImportReport,
    print_report: Callable[[ImportReport], None],
    label: str,
) -> None:
    """The body of every `flask <feature> import...` command."""
    import_rows(
        csv.DictReader(csv_file),
        dry_run=dry_run,
        skip_invalid=skip_invalid,
        validate=validate,
        load=load,
        report=report,
        print_report=print_report,
        label=label,
    )


def import_rows(
    raw_rows: Iterable[dict],
    *,
    dry_run: bool,
    skip_invalid: bool,
    validate,
    load,
    report: ImportReport,
    print_report: Callable[[ImportReport], None],
    label: str,
) -> None:
    """run_import for rows read otherwise (a spreadsheet's, as dicts of text by header)."""
    valid, report.rejected = validate(raw_rows)
    if report.rejected and not skip_invalid:
        print_report(report)
        raise click.ClickException(
            f"{len(report.rejected)} invalid row(s): nothing imported. Fix them or pass --skip-invalid."
        )
    with click.progressbar(valid, label=label, file=sys.stderr) as rows:
        load(rows, report)
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    print_report(report)
    if dry_run:
        click.echo("Dry run: nothing was saved.")
    elif not report.changed_anything:
        click.echo("Nothing changed: the database already matches this file.")


CSV_FILE = click.argument("csv_file", type=click.File(encoding="utf-8-sig"))
DRY_RUN = click.option("--dry-run", is_flag=True, help="Validate and report without saving anything.")
SKIP_INVALID = click.option("--skip-invalid", is_flag=True, help="Import the valid rows even if some are rejected.")
