"""Stored values follow the vocabulary: migrating a database written with Chinese service names
gives workers service codes and stations {code, name} pairs, and going back restores them."""

import json

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from app import create_app
from app.extensions import db

BEFORE = "0011_door_entries"


def test_service_names_stored_before_become_codes_and_come_back(tmp_path):
    app = create_app({"APP_ENV": "test", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'old.sqlite3'}"})
    with app.app_context():
        upgrade(revision=BEFORE)
        db.session.execute(
            sa.text(
                "INSERT INTO stations (code, name, kind, district_code, services, created_at, updated_at) "
                "VALUES ('440103001000', '沙面街道', 'street', '440103', :services, '2026-01-01', '2026-01-01')"
            ),
            {"services": json.dumps(["保洁", "月嫂"])},
        )
        db.session.execute(
            sa.text(
                "INSERT INTO workers (name, id_number, id_number_hash, service_types, skills, years_of_experience,"
                " rating_count, upheld_complaints, created_at, updated_at)"
                " VALUES ('x', 'x', 'h', :types, '[]', 0, 0, 0, '2026-01-01', '2026-01-01')"
            ),
            {"types": json.dumps(["育婴", "保洁", "插花"])},
        )
        db.session.commit()

        upgrade()
        types = json.loads(db.session.execute(sa.text("SELECT service_types FROM workers")).scalar_one())
        services = json.loads(db.session.execute(sa.text("SELECT services FROM stations")).scalar_one())
        assert types == ["childcare", "cleaning", "插花"], "a name the vocabulary does not know is left to correct"
        assert services == [{"code": "cleaning", "name": "保洁"}, {"code": "maternity", "name": "月嫂"}]

        db.session.commit()
        downgrade(revision=BEFORE)
        types = json.loads(db.session.execute(sa.text("SELECT service_types FROM workers")).scalar_one())
        services = json.loads(db.session.execute(sa.text("SELECT services FROM stations")).scalar_one())
        assert types == ["育婴", "保洁", "插花"] and services == ["保洁", "月嫂"]
