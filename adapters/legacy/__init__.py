"""Legacy import: a platform's CSV or Excel export of learning records → cadre-profile
statements (``lrs gateway import``, ``POST /xapi/gateway/imports``)."""
