"""The storage port: the one narrow interface every store adapter implements.

Everything above this module (the service layer, the HTTP layer) talks to a
:class:`Store` and the :class:`UnitOfWork` it opens; nothing above it knows
whether rows live in SQLite or MongoDB. Adapters live in ``lrs.storage.sqlite``
and ``lrs.storage.mongo`` and both pass ``tests/contract``.

Design rules the adapters share:

* A unit of work is one transaction. ``commit`` makes every write in it visible
  at once; leaving the block without committing discards them all.
* A statement id is unique in the database itself. ``StatementRepository.add``
  inserts and reports an existing row with the same id instead of checking
  first, so two concurrent writers of one id cannot both succeed.
* Statements are ordered by ``seq``, a store-assigned integer that grows in
  commit order; ``stored`` timestamps never decrease along it. Paging uses
  ``seq`` as a keyset cursor, never an offset.
* Every row carries ``org``, the organisation path of the credential that
  wrote it (``""`` for the root). Reads take an optional scope: a path whose
  subtree may be seen (``None`` means everything).
* Side effects leave the request through the outbox, written in the same unit
  of work as the change that causes them.
"""

from __future__ import annotations

# Each capability module lists its public names in __all__; this facade re-exports
# them all, so ``from lrs.storage.port import X`` works for every X.
from lrs.storage.port.aggregates import *  # noqa: F403
from lrs.storage.port.archive import *  # noqa: F403
from lrs.storage.port.credentials import *  # noqa: F403
from lrs.storage.port.cursor_tokens import *  # noqa: F403
from lrs.storage.port.documents import *  # noqa: F403
from lrs.storage.port.errors import *  # noqa: F403
from lrs.storage.port.gateway import *  # noqa: F403
from lrs.storage.port.identity import *  # noqa: F403
from lrs.storage.port.outbox import *  # noqa: F403
from lrs.storage.port.profiles import *  # noqa: F403
from lrs.storage.port.rate_counters import *  # noqa: F403
from lrs.storage.port.statements import *  # noqa: F403
from lrs.storage.port.unit_of_work import *  # noqa: F403
