"""State machines as tables: each maps an action to the states it may start from and the state it
leads to. One table per lifecycle (booking, complaint, certificate), next to its model; every
move goes through `StateTable.target`, so every refusal is the same 409."""

from dataclasses import dataclass

from app.errors import Conflict
from app.i18n import _


@dataclass(frozen=True)
class StateTable:
    transitions: dict[str, dict[str, str]]  # action: {from state: to state}
    names: dict[str, str]  # state: its name for a person (Chinese)
    field: str  # the attribute holding the state, named in the 409
    subject: str  # how a refusal speaks of it (lazy_gettext): "the status is", "the certificate is"

    def target(self, state: str, action: str, doing: str | None = None) -> str:
        """Where `action` leads from `state`; a 409 (status_conflict) naming the current state
        otherwise. `doing` words the action for a person when its name does not."""
        target = self.transitions[action].get(state)
        if target is None:
            raise Conflict(
                _(
                    "Cannot %(doing)s: %(subject)s %(state)s (%(name)s).",
                    doing=doing or action.replace("_", " "),
                    subject=self.subject,
                    state=state,
                    name=self.names.get(state, state),
                ),
                code="status_conflict",
                errors={self.field: [state]},
            )
        return target
