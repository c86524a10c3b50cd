"""``python -m lrs.cli …``: how ``lrs serve`` starts its follower processes."""

from lrs.cli import main

main()
