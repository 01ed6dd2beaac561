"""What every resource holds: the pipeline, the account, and how to build its pagers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from engagive_async._checks._fields import validate_headers, validate_path_segment
from engagive_async._errors import APIError, ValidationError
from engagive_async._http import CallOptions, HttpPipeline
from engagive_async._http._pipeline import NO_OPTIONS
from engagive_async._paging._page_info import PagingParams
from engagive_async._paging._pager import AsyncPager
from engagive_async._wire._routes import ROUTES

T = TypeVar("T")

__all__ = ["Resource", "call_options"]


def call_options(
    timeout: float | None = None, extra_headers: Mapping[str, str] | None = None
) -> CallOptions:
    """One call's options, checked before any request.

    Raises:
        ValidationError: a timeout that is not a positive number, or bad headers.
    """
    if timeout is None and not extra_headers:
        return NO_OPTIONS
    if timeout is not None and (
        isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not timeout > 0
    ):
        raise ValidationError("timeout", f"must be a positive number of seconds, got {timeout!r}")
    headers = validate_headers(extra_headers) if extra_headers else None
    return CallOptions(timeout=timeout, headers=headers)


class Resource:
    """Base of the account-scoped resources (no I/O at construction)."""

    def __init__(self, pipeline: HttpPipeline, account_id: int | str, paging: PagingParams) -> None:
        self._pipeline = pipeline
        self._account_id = account_id
        self._paging = paging
        self._paths: dict[str, str] = {}

    def _path(self, route: str, **params: object) -> str:
        if params:
            for name, value in params.items():
                validate_path_segment(value, name)
            return ROUTES[route].path(account_id=self._account_id, **params)
        # A route without path ids has one path per account: quote it once, not per send.
        path = self._paths.get(route)
        if path is None:
            path = self._paths[route] = ROUTES[route].path(account_id=self._account_id)
        return path

    async def _one(
        self,
        route: str,
        cls: type[T],
        *,
        json: Any = None,
        call: CallOptions = NO_OPTIONS,
        **params: object,
    ) -> T:
        found = ROUTES[route]
        method, path = found.method, self._path(route, **params)
        envelope = await self._pipeline.request(
            method, path, json=json, options=call, template=found.template
        )
        return self._pipeline.decode(envelope.data, cls, method=method, path=path)

    def _pager(
        self,
        route: str,
        cls: type[T],
        *,
        query: Mapping[str, Any] | None = None,
        path_params: Mapping[str, object] | None = None,
        call: CallOptions = NO_OPTIONS,
        **options: Any,
    ) -> AsyncPager[T]:
        path = self._path(route, **(path_params or {}))

        def decode(data: Any) -> list[T]:
            return self._pipeline.decode_list(data, cls, method="GET", path=path)

        template = ROUTES[route].template
        return AsyncPager(
            fetch=self._pipeline.page_fetcher(path, query, call, template=template),
            decode=decode,
            paging=self._paging,
            template=template,
            **options,
        )

    async def _all(
        self, route: str, cls: type[T], *, call: CallOptions = NO_OPTIONS, **path_params: object
    ) -> list[T]:
        # Lookups are short lists; should the server page them, every page is read.
        try:
            return await self._pager(route, cls, path_params=path_params, call=call).to_list()
        except APIError as exc:
            if exc.page == 1:
                exc.page = None  # to the caller a lookup is one call: "page 1" would puzzle
            raise
