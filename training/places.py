"""Places in offline classes, held by the database as booking's slot places are: `enrolled`
moves only by conditional UPDATEs that the table's CHECK (enrolled <= capacity) backs, so of any
number of concurrent enrolments only as many as there are places get one (PostgreSQL re-checks
the condition after waiting for the row)."""

from sqlalchemy import select, update

from app.extensions import db
from training.models import TrainingClass


def take_place(class_id: int) -> bool:
    """True when a place was taken; an online class (no capacity) always has one."""
    taken = db.session.scalar(
        update(TrainingClass)
        .where(
            TrainingClass.id == class_id,
            TrainingClass.capacity.is_(None) | (TrainingClass.enrolled < TrainingClass.capacity),
        )
        .values(enrolled=TrainingClass.enrolled + 1)
        .returning(TrainingClass.id)
        .execution_options(synchronize_session=False)
    )
    return taken is not None


def give_back_place(class_id: int) -> None:
    db.session.execute(
        update(TrainingClass)
        .where(TrainingClass.id == class_id, TrainingClass.enrolled > 0)
        .values(enrolled=TrainingClass.enrolled - 1)
        .execution_options(synchronize_session=False)
    )


def lock_class(class_id: int) -> None:
    """The class's row locked before any of its enrolments: a write that moves an enrolment's
    status moves the class's counts too (migration 0040's triggers), so each such write takes the
    class first and then enrolments, never an enrolment and then the class, and two of them (a
    place given up and the first waiting cancelling) never wait for each other in a circle."""
    db.session.execute(select(TrainingClass.id).where(TrainingClass.id == class_id).with_for_update())
