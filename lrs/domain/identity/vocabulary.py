"""The names the identity features share: profile IRIs, link sources, the membership clock."""

from __future__ import annotations

import re
from datetime import timedelta, timezone

# Context extensions of the cadre-training xAPI Profile, re-exported for the identity modules.
from lrs.domain.cadre import AGREED_ID_EXTENSION as AGREED_ID_EXTENSION
from lrs.domain.cadre import UNIT_CODE_EXTENSION as UNIT_CODE_EXTENSION

# The profile's inlineSchema for a unit code (preferably the unified social
# credit code, 统一社会信用代码, GB 32100).
UNIT_CODE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]{0,63}$")

# Where a link or membership came from.
SOURCE_STATEMENT = "statement"
SOURCE_API = "api"
SOURCE_IMPORT = "import"
SOURCE_RESOLUTION = "resolution"

# Outbox topic written when an agent identifier is linked to a trainee: the
# learning archive then projects that agent's statements stored before the link.
TRAINEE_LINKED = "trainee.linked"
# Outbox topic written (in the same transaction) when an agent identifier stops
# belonging to a trainee, unlinked by a liaison or moved to another trainee by a
# conflict's resolution: the archive then takes that agent's statements out of
# the trainee's archive (reversal entries in the ledger, never an edit: §9.1.1).
# A move also writes TRAINEE_LINKED for the new owner, after this one.
ACCOUNT_RELEASED = "account.released"
# Outbox topic written (in the same transaction) when a trainee is registered or their
# unit changes: {"trainee_key", "from", "to"}, units as org paths, None = not registered.
# The archive's aggregates move the trainee's count and judgement (lrs.domain.archive.aggregates).
TRAINEE_MOVED = "trainee.moved"

# Conflict kinds.
ACCOUNT_CLAIM = "account_claim"
UNIT_MISMATCH = "unit_mismatch"
# A unit asked to take in a trainee of another unit; the department above both decides.
TRANSFER_REQUEST = "transfer_request"

# Membership dates are calendar days in China Standard Time (UTC+8, no DST):
# a statement made at 2026-06-30T20:00Z was made on 1 July in the unit's eyes.
MEMBERSHIP_TZ = timezone(timedelta(hours=8), "CST")


def unit_code_of(org_path: str) -> str:
    """A unit's code: the last segment of its org path (``fj/fz/11350100MB0B23456K``).

    Units sit in the org tree under their code, so a statement's unit-code
    extension is compared with the registry without a separate unit directory.
    """
    return org_path.rsplit("/", 1)[-1]
