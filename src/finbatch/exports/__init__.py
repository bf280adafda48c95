"""Exports: asynchronous jobs that render batches into accounting packages' import formats."""
