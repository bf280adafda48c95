"""Vendor API dialects, each mounted at the vendor's own paths.

A dialect is a thin adapter: it parses the vendor's requests, calls the core services and renders
the vendor's responses and errors. Rules (lifecycle, validation of amounts, posting, exports) live
in the core; a dialect never builds a query.
"""
