"""`flask keys reencrypt`: finishes a rotation of DATA_ENCRYPTION_KEY.

After the new key is deployed (the old one listed in DATA_ENCRYPTION_OLD_KEYS), this rewrites
every encrypted value still under an old key, a batch per transaction, so the old key can then be
dropped. Safe to run while the app serves and to run again.
"""

import click
from flask.cli import AppGroup
from sqlalchemy import LargeBinary, select, type_coerce, update

from app.extensions import db
from app.privacy import Encrypted, decrypt, encrypt, encrypted_with_current_key

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
            stale = {column.name: encrypt(decrypt(bytes(row._mapping[column.name])))
                     for column in columns
                     if row._mapping[column.name] is not None
                     and not encrypted_with_current_key(bytes(row._mapping[column.name]))}
            if stale:
                db.session.execute(update(table).where(key_column == row[0])
                                   .values({name: type_coerce(value, LargeBinary) for name, value in stale.items()}))
                rewritten += 1
        db.session.commit()
        last_key = rows[-1][0]


@keys_cli.command("reencrypt")
def reencrypt_command():
    """Rewrite personal data still encrypted under an old key with the current key."""
    for table, key_column, columns in encrypted_columns():
        count = reencrypt_table(table, key_column, columns)
        click.echo(f"{table.name}: {count} rows re-encrypted ({', '.join(column.name for column in columns)})")
