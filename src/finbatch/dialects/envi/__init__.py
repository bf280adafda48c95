"""Envi's OData API for AP batches (``/odata/...``) and its token endpoint (``/oauth2/token``)."""
