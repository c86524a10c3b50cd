"""Trainee identity reconciliation by the agreed identifier (GB/T 38856 §6.1.3).

The registry links every xAPI identifier a cadre has on any platform to one
trainee, keyed by a keyed hash of the agreed identifier (约定的标识符). Stored
statements are never rewritten: identity is resolved when reading.

Modules: ``vocabulary`` (IRIs and constants), ``keys`` (hashing and masking),
``roles`` (who sees what), ``membership`` (effective-dated units),
``registry`` (liaison writes), ``conflicts``, ``ingest`` (the statement hook),
``views`` (reads: Person, history, unit lists), ``csv_import``.
"""
