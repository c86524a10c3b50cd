"""compactjson.dumps writes what the standard encoder writes."""

from __future__ import annotations

import json

from lrs import compactjson


def test_sorted_dumps_matches_the_standard_encoder():
    value = {"b": {"z": 1, "a": "二"}, "a": [1, None, "x", 0.1], "é": 1, "n": 10**30}
    for sort_keys in (False, True):
        assert compactjson.dumps(value, sort_keys=sort_keys) == json.dumps(
            value, ensure_ascii=False, separators=(",", ":"), sort_keys=sort_keys
        )
