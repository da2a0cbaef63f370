"""Places in offline classes, held by the database as booking's slot places are: `enrolled`
moves only by conditional UPDATEs that the table's CHECK (enrolled <= capacity) backs, so of any
number of concurrent enrolments only as many as there are places get one."""

from sqlalchemy import update

from app.extensions import db
from training.models import TrainingClass

classes = TrainingClass.__table__


def take_place(class_id: int) -> bool:
    """True when a place was taken; an online class (no capacity) always has one."""
    taken = db.session.execute(
        update(classes)
        .where(classes.c.id == class_id, (classes.c.capacity.is_(None)) | (classes.c.enrolled < classes.c.capacity))
        .values(enrolled=classes.c.enrolled + 1)
    )
    return taken.rowcount == 1


def give_back_place(class_id: int) -> None:
    db.session.execute(
        update(classes).where(classes.c.id == class_id, classes.c.enrolled > 0).values(enrolled=classes.c.enrolled - 1)
    )
