"""Cursor paging parameters and envelope: ``?limit=&cursor=`` → ``{items, next_cursor}``."""

from __future__ import annotations

from typing import Annotated, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel

from finbatch.repository import DEFAULT_LIMIT, MAX_LIMIT

T = TypeVar("T")


class PageParams:
    def __init__(self, limit: int, cursor: str | None) -> None:
        self.limit = limit
        self.cursor = cursor


async def page_params(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT,
                                description=f"Page size, at most {MAX_LIMIT}.")] = DEFAULT_LIMIT,
    cursor: Annotated[str | None, Query(max_length=2048,
                                        description="`next_cursor` of the previous page.")] = None,
) -> PageParams:
    # a coroutine: FastAPI runs a plain function's or a class's dependency in a worker thread,
    # a round trip per request for two attribute assignments
    return PageParams(limit, cursor)


Paging = Annotated[PageParams, Depends(page_params)]


class PageOf(BaseModel, Generic[T]):
    """One page of a list. ``next_cursor`` is null on the last page."""

    items: list[T]
    next_cursor: str | None
