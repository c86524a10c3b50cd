"""Session-wide test settings.

Apps built by the tests run no archive projector thread (LRS_ARCHIVE_PROJECTOR=off):
tests that need the learning archive drain it explicitly
(``app.extensions["lrs.archive"].drain()``), so results never depend on timing.
Child processes (``lrs serve`` in tests/reliability) inherit it unless a test
sets the variable itself.
"""

import os

os.environ.setdefault("LRS_ARCHIVE_PROJECTOR", "off")
