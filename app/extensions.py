"""Extension objects, created once and bound to the app in create_app()."""

from typing import TYPE_CHECKING

from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.model import Model as FlaskSQLAlchemyModel
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from app.replica import LaggingReadSession

# Named constraints make migrations reproducible on PostgreSQL and SQLite alike.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base, session_options={"class_": LaggingReadSession})

# The base every model subclasses. At run time it is `db.Model` itself; a type checker cannot see
# through that attribute, made when `db` is (python/mypy#8603), so to mypy it is the class `db.Model`
# is built from: our declarative Base with Flask-SQLAlchemy's query and table-name helpers.
if TYPE_CHECKING:

    class Model(Base, FlaskSQLAlchemyModel):
        __abstract__ = True

else:
    Model = db.Model
migrate = Migrate()
