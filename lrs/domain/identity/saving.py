"""Writing a trainee: every registration and change of unit is announced in the outbox."""

from __future__ import annotations

from lrs.domain.identity.vocabulary import TRAINEE_MOVED
from lrs.storage.port import Trainee, UnitOfWork


def save_trainee(uow: UnitOfWork, trainee: Trainee, before: Trainee | None) -> None:
    """Save ``trainee`` (``before``: as it was, None when new); a new trainee or a new
    unit writes ``trainee.moved`` in the same transaction, so the archive's per-unit
    counts follow the registry exactly once."""
    uow.trainees.save(trainee)
    was = None if before is None else before.unit
    if before is None or was != trainee.unit:
        uow.outbox.add(TRAINEE_MOVED, {"trainee_key": trainee.key, "from": was,
                                       "to": trainee.unit})
