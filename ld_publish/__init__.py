"""ld-publish: scholarly article metadata to validated Schema.org + SPAR linked data."""

__version__ = "0.1.0"
