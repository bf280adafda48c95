"""Accounts payable: vendors, facilities, purchase orders, matched supplier invoices, AP batches."""
