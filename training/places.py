"""Places in offline classes, held by the database as booking's slot places are: `enrolled`
moves only by conditional UPDATEs that the table's CHECK (enrolled <= capacity) backs, so of any
number of concurrent enrolments only as many as there are places get one (PostgreSQL re-checks
the condition after waiting for the row)."""

from sqlalchemy import update

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
