"""Framework-free building blocks: money, time, ids, cursors, errors.

Nothing in ``finbatch.kit`` imports from the rest of finbatch, FastAPI or SQLAlchemy; every other
package may import from it.
"""
