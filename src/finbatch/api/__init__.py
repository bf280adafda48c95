"""HTTP conventions shared by every ``/v1`` resource: errors, auth dependencies, paging, ETags,
idempotency, limits. Dialects reuse the auth and error plumbing with their own renderers."""
