"""SQL functions that PostgreSQL and SQLite spell differently, each compiled per dialect
(sqlalchemy.ext.compiler): a query is built once, and the backend's compiler writes its own
spelling, where a branch on the session's dialect would be repeated in every query using it."""

from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import GenericFunction


class greatest(GenericFunction):
    """The largest of its arguments: PostgreSQL's greatest(), SQLite's scalar max() of several
    arguments (SQLite has no greatest())."""

    name = "greatest"
    inherit_cache = True
    _register = False  # func.NAME stays SQLAlchemy's own


@compiles(greatest, "sqlite")
def _greatest_on_sqlite(element: greatest, compiler, **kw) -> str:
    return f"max({compiler.process(element.clauses, **kw)})"


class json_array_elements_text(GenericFunction):
    """The elements of a JSON array as rows of text, a table-valued function
    (`.table_valued("value")`): PostgreSQL's json_array_elements_text(), SQLite's json_each(),
    whose column `value` holds a string element as text."""

    name = "json_array_elements_text"
    inherit_cache = True
    _register = False  # func.NAME stays SQLAlchemy's own


@compiles(json_array_elements_text, "sqlite")
def _json_array_elements_text_on_sqlite(element: json_array_elements_text, compiler, **kw) -> str:
    return f"json_each({compiler.process(element.clauses, **kw)})"
