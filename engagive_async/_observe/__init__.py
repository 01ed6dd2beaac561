"""What the SDK tells the outside world about its work: traces, metrics and logs.

Modules: ``_telemetry`` (:class:`Telemetry`: the user's OpenTelemetry tracer and meter, resolved
once, and every span and instrument the SDK emits; the inert :data:`OFF` when the
``opentelemetry-api`` package is missing or no provider is set), ``_names`` (the attribute,
span and metric names, semantic conventions first), ``_logs`` (the ``engagive_async`` logger
tree, the ``ENGAGIVE_LOG`` switch and phone-number masking).

Nothing here may carry a recipient number, message text, template parameter or token: attributes
and labels are methods, route templates, statuses, codes and counts only.

May import: ``_errors``, ``_config``, ``models``; and ``opentelemetry`` (the optional ``otel``
extra), only here.
"""

from engagive_async._observe._logs import get_logger, mask_number, mask_numbers, setup_logging
from engagive_async._observe._telemetry import (
    OFF,
    Telemetry,
    current,
    error_type,
    refresh,
    retry_cause,
    use_providers,
)

__all__ = [
    "OFF",
    "Telemetry",
    "current",
    "error_type",
    "get_logger",
    "mask_number",
    "mask_numbers",
    "refresh",
    "retry_cause",
    "setup_logging",
    "use_providers",
]
