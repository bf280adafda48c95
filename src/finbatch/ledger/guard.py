"""The database-level guard that makes an unbalanced journal entry impossible to commit.

Protocol: a posting writes an entry's lines first, then the entry row. The entry's insert is checked
— at least two lines, debits = credits in the base currency and in the transaction currency — and
lines are immutable: no update, no line added to an entry that exists, no line deleted while its
entry exists (entries go with all their lines, by cascade).

PostgreSQL checks set-wise: statement-level triggers over transition tables look at every row a
statement inserted or deleted in one join, so a posting that writes 5,000 entries with ``COPY``
pays for one check, not 5,000 (row-level plpgsql triggers were most of a posting's time). SQLite
has only row-level triggers; each runs an indexed lookup.
The migrations install this (0003; 0008 moved PostgreSQL to statement-level triggers);
``tests/features/test_posting.py`` tries to break it.
"""

from __future__ import annotations

POSTGRES_INSTALL = [
    """
    CREATE OR REPLACE FUNCTION finbatch_entries_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE bad record;
    BEGIN
      SELECT n.id, count(l.entry_id) AS lines, coalesce(sum(l.debit), 0) AS d,
             coalesce(sum(l.credit), 0) AS c, coalesce(sum(l.txn_debit), 0) AS td,
             coalesce(sum(l.txn_credit), 0) AS tc
        INTO bad
        FROM new_entries n
        LEFT JOIN journal_lines l ON l.tenant_id = n.tenant_id AND l.entry_id = n.id
       GROUP BY n.tenant_id, n.id
      HAVING count(l.entry_id) < 2 OR coalesce(sum(l.debit), 0) <> coalesce(sum(l.credit), 0)
          OR coalesce(sum(l.txn_debit), 0) <> coalesce(sum(l.txn_credit), 0)
       LIMIT 1;
      IF FOUND THEN
        RAISE EXCEPTION 'unbalanced journal entry %: % line(s), debits % credits % (% / % in %)',
          bad.id, bad.lines, bad.d, bad.c, bad.td, bad.tc, 'transaction currency'
          USING ERRCODE = '23514';
      END IF;
      RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER journal_entries_balanced AFTER INSERT ON journal_entries
      REFERENCING NEW TABLE AS new_entries
      FOR EACH STATEMENT EXECUTE FUNCTION finbatch_entries_balanced()
    """,
    """
    CREATE OR REPLACE FUNCTION finbatch_journal_lines_new_entries_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    DECLARE entry uuid;
    BEGIN
      SELECT n.entry_id INTO entry FROM new_lines n
        JOIN journal_entries e ON e.tenant_id = n.tenant_id AND e.id = n.entry_id LIMIT 1;
      IF FOUND THEN
        RAISE EXCEPTION 'journal entry % is written: lines cannot be added', entry
          USING ERRCODE = '23514';
      END IF;
      RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER journal_lines_new_entries_only AFTER INSERT ON journal_lines
      REFERENCING NEW TABLE AS new_lines
      FOR EACH STATEMENT EXECUTE FUNCTION finbatch_journal_lines_new_entries_only()
    """,
    """
    CREATE OR REPLACE FUNCTION finbatch_journal_lines_delete_with_entry() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
      IF EXISTS (SELECT 1 FROM old_lines o
                   JOIN journal_entries e ON e.tenant_id = o.tenant_id AND e.id = o.entry_id) THEN
        RAISE EXCEPTION 'journal lines are removed only with their entry' USING ERRCODE = '23514';
      END IF;
      RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER journal_lines_delete_with_entry AFTER DELETE ON journal_lines
      REFERENCING OLD TABLE AS old_lines
      FOR EACH STATEMENT EXECUTE FUNCTION finbatch_journal_lines_delete_with_entry()
    """,
    """
    CREATE OR REPLACE FUNCTION finbatch_journal_lines_no_update() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'journal lines are immutable' USING ERRCODE = '23514';
    END $$
    """,
    """
    CREATE TRIGGER journal_lines_no_update BEFORE UPDATE ON journal_lines
      FOR EACH ROW EXECUTE FUNCTION finbatch_journal_lines_no_update()
    """,
]

POSTGRES_REMOVE = [
    "DROP TRIGGER IF EXISTS journal_lines_no_update ON journal_lines",
    "DROP FUNCTION IF EXISTS finbatch_journal_lines_no_update()",
    "DROP TRIGGER IF EXISTS journal_lines_delete_with_entry ON journal_lines",
    "DROP FUNCTION IF EXISTS finbatch_journal_lines_delete_with_entry()",
    "DROP TRIGGER IF EXISTS journal_lines_new_entries_only ON journal_lines",
    "DROP FUNCTION IF EXISTS finbatch_journal_lines_new_entries_only()",
    "DROP TRIGGER IF EXISTS journal_entries_balanced ON journal_entries",
    "DROP FUNCTION IF EXISTS finbatch_entries_balanced()",
]

#: The row-level PostgreSQL triggers of migrations before 0008 (a deferred constraint trigger
#: per entry, a plpgsql trigger per line).
POSTGRES_REMOVE_ROW_LEVEL = [
    "DROP TRIGGER IF EXISTS journal_lines_immutable ON journal_lines",
    "DROP FUNCTION IF EXISTS finbatch_journal_lines_immutable()",
    "DROP TRIGGER IF EXISTS journal_entries_balanced ON journal_entries",
    "DROP FUNCTION IF EXISTS finbatch_entry_balanced()",
]

SQLITE_INSTALL = [
    """
    CREATE TRIGGER journal_entries_balanced AFTER INSERT ON journal_entries
    WHEN (SELECT count(*) FROM journal_lines WHERE tenant_id = NEW.tenant_id AND entry_id = NEW.id) < 2
      OR (SELECT sum(debit) - sum(credit) FROM journal_lines
          WHERE tenant_id = NEW.tenant_id AND entry_id = NEW.id) <> 0
      OR (SELECT sum(txn_debit) - sum(txn_credit) FROM journal_lines
          WHERE tenant_id = NEW.tenant_id AND entry_id = NEW.id) <> 0
    BEGIN
      SELECT RAISE(ABORT, 'unbalanced journal entry');
    END
    """,
    """
    CREATE TRIGGER journal_lines_no_update BEFORE UPDATE ON journal_lines
    BEGIN
      SELECT RAISE(ABORT, 'journal lines are immutable');
    END
    """,
    """
    CREATE TRIGGER journal_lines_new_entries_only BEFORE INSERT ON journal_lines
    WHEN EXISTS (SELECT 1 FROM journal_entries WHERE tenant_id = NEW.tenant_id AND id = NEW.entry_id)
    BEGIN
      SELECT RAISE(ABORT, 'journal entry is written: lines cannot be added');
    END
    """,
    """
    CREATE TRIGGER journal_lines_delete_with_entry BEFORE DELETE ON journal_lines
    WHEN EXISTS (SELECT 1 FROM journal_entries WHERE tenant_id = OLD.tenant_id AND id = OLD.entry_id)
    BEGIN
      SELECT RAISE(ABORT, 'journal lines are removed only with their entry');
    END
    """,
]

SQLITE_REMOVE = [
    "DROP TRIGGER IF EXISTS journal_lines_delete_with_entry",
    "DROP TRIGGER IF EXISTS journal_lines_new_entries_only",
    "DROP TRIGGER IF EXISTS journal_lines_no_update",
    "DROP TRIGGER IF EXISTS journal_entries_balanced",
]


def install_statements(dialect: str) -> list[str]:
    return POSTGRES_INSTALL if dialect == "postgresql" else SQLITE_INSTALL


def remove_statements(dialect: str) -> list[str]:
    return POSTGRES_REMOVE if dialect == "postgresql" else SQLITE_REMOVE
