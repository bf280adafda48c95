"""Every job kind's handler, registered by importing the feature that owns it. Processes that run
jobs (``serve``, ``worker``, the CLI) import this module."""

from __future__ import annotations

import finbatch.exports.service
import finbatch.jobs.probe
import finbatch.ledger.ap_posting
import finbatch.ledger.posting
from finbatch.jobs.worker import HANDLERS, Worker, start_embedded

#: The modules whose import registers job handlers (named so no linter drops them as unused).
HANDLER_MODULES = (finbatch.exports.service, finbatch.jobs.probe, finbatch.ledger.ap_posting,
                   finbatch.ledger.posting)

__all__ = ["HANDLERS", "HANDLER_MODULES", "Worker", "start_embedded"]
