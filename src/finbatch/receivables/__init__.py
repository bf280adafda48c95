"""Receivables: customers and the AR transactions (invoices, payments, refunds, credits, credit and
debit memos, write-offs) with their lines, taxes and allocations."""
