"""Tenants, users, API tokens, roles and business units: who may do what, in which organization."""
