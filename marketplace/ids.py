"""Ids are PostgreSQL bigints: a bigger number names nothing, and sent to the
database it raises instead of matching no row."""

MAX_ID = 2**63 - 1
