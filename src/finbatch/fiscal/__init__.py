"""Fiscal years and their twelve periods, each open or closed."""
