"""Meta's side of a send: its payloads as typed models, and what its error codes mean.

Engagive relays each send to Meta's WhatsApp Cloud API and hands Meta's answer back as
``metaResponse`` (``SendResult.meta_response``, kept exactly as received).
:func:`parse_meta_response` reads it as a :class:`MetaResponse`; :func:`classify_meta_code`
says what a Meta error code means for a sender (:class:`MetaErrorClass`: retry later, pause the
number, fix the request, ...).
"""

from engagive_async._policy._meta_codes import MetaErrorClass, classify_meta_code
from engagive_async._public import present as _present
from engagive_async._wire._converter import parse_meta_response
from engagive_async.models.meta import MetaContact, MetaError, MetaMessageRef, MetaResponse

__all__ = [
    "MetaContact",
    "MetaError",
    "MetaErrorClass",
    "MetaMessageRef",
    "MetaResponse",
    "classify_meta_code",
    "parse_meta_response",
]

_present(__name__, globals(), __all__)
