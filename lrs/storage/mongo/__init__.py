"""The MongoDB store adapter (mongoengine schema, pymongo operations).

``LRS_DATABASE_URL=mongodb://…``, ``mongodb+srv://…`` or, for demos and tests
only, ``mongomock://``. See docs/mongodb.md for the design.
"""
