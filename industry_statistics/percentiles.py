"""Percentiles computed by the database: PostgreSQL's own percentile_disc, and on SQLite, which
has none, the same definition (the smallest value at or above which lies the share p of the rows:
the value ranked ceil(p * n) of n) from window functions. Percent are whole numbers, so the rank
is found in integer arithmetic on both."""

from sqlalchemy import Select, case, func, select

from app.extensions import db


def percentiles_by_group(query: Select, percents: tuple[int, ...]) -> dict[str, tuple]:
    """{group: (value at each of `percents`)} for a `query` selecting two columns, `group` and
    `value` (rows whose value is NULL are left out)."""
    inner = query.subquery()
    if db.session.get_bind().dialect.name == "postgresql":
        aggregated = (
            select(
                inner.c.group,
                *(func.percentile_disc(percent / 100).within_group(inner.c.value) for percent in percents),
            )
            .where(inner.c.value.is_not(None))
            .group_by(inner.c.group)
        )
    else:
        ranked = (
            select(
                inner.c.group,
                inner.c.value,
                func.row_number().over(partition_by=inner.c.group, order_by=inner.c.value).label("rank"),
                func.count().over(partition_by=inner.c.group).label("n"),
            )
            .where(inner.c.value.is_not(None))
            .subquery()
        )
        aggregated = select(
            ranked.c.group,
            *(func.min(case((ranked.c.rank * 100 >= percent * ranked.c.n, ranked.c.value))) for percent in percents),
        ).group_by(ranked.c.group)
    return {group: tuple(values) for group, *values in db.session.execute(aggregated).all()}
