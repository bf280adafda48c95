"""Durable jobs: long work (posting, unposting, exports) as rows that workers claim, with leases,
heartbeats, retries and recorded progress."""
