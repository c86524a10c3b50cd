"""Stands in for ``rfc3987_syntax`` in the processes the tests start (``lrs serve``, CLIs).

The test extra installs rfc3987-syntax for one purpose: tests/unit checks the LRS's own IRI
regex against it. ``jsonschema`` imports it whenever it is installed, and that import builds
38 Earley grammars: ~2.7 s of CPU in every child process, more than the child's own work.
Production installs have no rfc3987-syntax, so a child that cannot import it runs as
installed. tests/conftest.py puts this folder first on the children's PYTHONPATH.
"""

raise ImportError("rfc3987_syntax is kept out of the processes the tests start")
