"""What a failure means for a sender: Meta's error codes, and what may be sent again.

Modules: ``_meta_codes`` (the one table of Meta error codes and what each means for a retry or a
pause), ``_resend`` (the at-most-once rule: what the pipeline may retry, what a failed send's
outcome is, what a journal rerun may send again). Pure, no I/O.

May import: ``models``, ``_errors``.
"""
