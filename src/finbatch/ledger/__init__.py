"""The general-ledger side: chart of accounts, posting rules, journal entries, posting."""
