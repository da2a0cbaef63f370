"""Rotating the keys that protect personal data.

`flask keys reencrypt` finishes a rotation of DATA_ENCRYPTION_KEY: after the new key is deployed
(the old one listed in DATA_ENCRYPTION_OLD_KEYS), it rewrites every encrypted value still under an
old key, a batch per transaction, so the old key can then be dropped. Safe to run while the app
serves and to run again.

`flask keys rehash` follows a change of DATA_HASH_KEY: it recomputes every look-up hash
(`<column>_hash` beside an encrypted `<column>`) from the decrypted value, in one transaction.
Until it has run, look-ups by ID number or phone find nothing, so run it right after the new key
is deployed.
"""

import click
from flask.cli import AppGroup
from sqlalchemy import LargeBinary, select, type_coerce, update

from app.extensions import db
from app.privacy import Encrypted, blind_index, decrypt, encrypt, encrypted_with_current_key

keys_cli = AppGroup("keys", help="Rotate the keys that protect personal data.")
BATCH = 500


def encrypted_columns():
    """(table, primary key column, [encrypted columns]) for every table holding encrypted data."""
    for table in db.metadata.sorted_tables:
        columns = [column for column in table.columns if isinstance(column.type, Encrypted)]
        if columns:
            yield table, table.primary_key.columns.values()[0], columns


def reencrypt_table(table, key_column, columns) -> int:
    rewritten, last_key = 0, None
    raw = [type_coerce(column, LargeBinary).label(column.name) for column in columns]
    while True:
        query = select(key_column, *raw).order_by(key_column).limit(BATCH)
        if last_key is not None:
            query = query.where(key_column > last_key)
        rows = db.session.execute(query).all()
        if not rows:
            return rewritten
        for row in rows:
            stale = {
                column.name: encrypt(decrypt(bytes(row._mapping[column.name])))
                for column in columns
                if row._mapping[column.name] is not None
                and not encrypted_with_current_key(bytes(row._mapping[column.name]))
            }
            if stale:
                db.session.execute(
                    update(table)
                    .where(key_column == row[0])
                    .values({name: type_coerce(value, LargeBinary) for name, value in stale.items()})
                )
                rewritten += 1
        db.session.commit()
        last_key = rows[-1][0]


@keys_cli.command("reencrypt")
def reencrypt_command():
    """Rewrite personal data still encrypted under an old key with the current key."""
    for table, key_column, columns in encrypted_columns():
        count = reencrypt_table(table, key_column, columns)
        click.echo(f"{table.name}: {count} rows re-encrypted ({', '.join(column.name for column in columns)})")


def rehash_table(table, key_column, pairs) -> int:
    """Recomputes the hash columns of `pairs` ((encrypted column, its hash column)) row by row."""
    rewritten = 0
    rows = db.session.execute(
        select(key_column, *[column for column, _ in pairs], *[hashed for _, hashed in pairs])
    ).all()
    for row in rows:
        values = row[1 : 1 + len(pairs)]
        stored = row[1 + len(pairs) :]
        fresh = {
            hashed.name: blind_index(value) if value is not None else None
            for (_, hashed), value in zip(pairs, values, strict=True)
        }
        if list(fresh.values()) != list(stored):
            db.session.execute(update(table).where(key_column == row[0]).values(fresh))
            rewritten += 1
    return rewritten


@keys_cli.command("rehash")
def rehash_command():
    """Recompute the look-up hashes with the current DATA_HASH_KEY."""
    for table, key_column, columns in encrypted_columns():
        pairs = [
            (column, table.columns[f"{column.name}_hash"])
            for column in columns
            if f"{column.name}_hash" in table.columns
        ]
        if pairs:
            count = rehash_table(table, key_column, pairs)
            click.echo(f"{table.name}: {count} rows re-hashed ({', '.join(hashed.name for _, hashed in pairs)})")
    db.session.commit()
