"""Every item of a list endpoint behind one ``async for``.

Modules: ``_page_info`` (reading a ``pagination`` block, whatever convention the server follows,
and the query parameters that ask for the next page), ``_walk`` (one walk's rules: what to ask
next, when to stop, what to refuse; no I/O), ``_pager`` (:class:`AsyncPager` and :class:`Page`,
with look-ahead fetching).

May import: ``_http`` (through the ``PageFetcher`` it is handed), ``_observe``, ``_errors``,
``_background``, ``models``.
"""
