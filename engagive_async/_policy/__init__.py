"""What a failure means for a sender: Meta's error codes, classified once.

Modules: ``_meta_codes`` (the one table of Meta error codes and what each means for a retry or a
pause). Pure, no I/O.

May import: ``models``, ``_errors``.
"""
