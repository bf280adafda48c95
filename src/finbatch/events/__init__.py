"""The change feed: an append-only log of every create, update, delete and status change."""
