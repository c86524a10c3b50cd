"""Learning record store and interoperability gateway for cadre online training."""

__version__ = "0.1.0"
