"""Keep resident identity card numbers out of what the LRS stores and answers.

The cadre-training profile forbids an ID card number as the agreed identifier
(§9.2.3: desensitise personal data), yet a platform may still send one. The
statement is kept as sent (statements are immutable), but no message the LRS
writes about it (a recorded profile violation, a 400 under ``enforce``) may
carry the number: such messages are stored, listed and shown to other readers.
"""

from __future__ import annotations

import re

# GB 11643 citizen identity number: 6-digit area, birth date, 3-digit sequence,
# check digit (0-9 or X), standing alone (not inside a longer run of digits).
ID_CARD_NUMBER = re.compile(
    r"(?<![0-9A-Za-z])[1-9][0-9]{5}(?:18|19|20)[0-9]{2}(?:0[1-9]|1[0-2])"
    r"(?:0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9Xx](?![0-9A-Za-z])"
)
REMOVED = "[身份证号码已隐去 ID card number removed]"


def redact_id_numbers(text: str) -> str:
    """``text`` with every resident ID card number replaced by a fixed marker."""
    return ID_CARD_NUMBER.sub(REMOVED, text)
