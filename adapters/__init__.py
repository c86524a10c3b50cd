"""Bridges between this hub and other systems (the interoperability gateway).

- :mod:`adapters.xapi_client`: a remote LRS over HTTP (requests, urllib3 Retry).
- :mod:`adapters.pull`: a platform LRS → this hub, paged and checkpointed.
- :mod:`adapters.forward`: this hub's outbox → an upstream LRS.
- :mod:`adapters.legacy`: a platform's CSV / Excel export → cadre-profile statements.

Job state, checkpoints and dead letters are the hub's (``lrs.domain.gateway``,
behind the storage port); this package only speaks the other systems' formats.
"""
