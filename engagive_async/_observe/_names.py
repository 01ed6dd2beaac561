"""Names of attributes, spans and instruments: OpenTelemetry's semantic conventions where one
exists (HTTP client, messaging, errors), ``engagive.*`` for what only this SDK knows."""

from __future__ import annotations

#: The instrumentation scope of every tracer and meter the SDK asks for.
INSTRUMENTATION = "engagive_async"

# HTTP client conventions (stable).
HTTP_METHOD = "http.request.method"
HTTP_STATUS = "http.response.status_code"
HTTP_RESEND_COUNT = "http.request.resend_count"
URL_TEMPLATE = "url.template"
SERVER_ADDRESS = "server.address"
SERVER_PORT = "server.port"
ERROR_TYPE = "error.type"

# Messaging conventions: a send hands a message to Engagive, which relays it to WhatsApp.
MESSAGING_SYSTEM = "messaging.system"
MESSAGING_OPERATION = "messaging.operation.name"
MESSAGING_OPERATION_TYPE = "messaging.operation.type"
MESSAGE_ID = "messaging.message.id"
MESSAGING_BATCH_COUNT = "messaging.batch.message_count"
#: ``messaging.system``: the conventions' list has no entry for it, so the service's own name.
SYSTEM_NAME = "engagive"

# The SDK's own attributes.
MESSAGE_KIND = "engagive.message.kind"
OUTCOME_STATUS = "engagive.outcome.status"
META_ERROR_CODE = "engagive.meta.error_code"
RETRY_CAUSE = "engagive.retry.cause"
RETRY_DELAY = "engagive.retry.delay"
BATCH_CONCURRENCY = "engagive.batch.concurrency"
BATCH_TOTAL = "engagive.batch.total"
BATCH_STOP_REASON = "engagive.batch.stop_reason"
PAGES = "engagive.paging.pages"
PAUSE_REASON = "engagive.throttle.reason"
JOURNAL_OPERATION = "engagive.journal.operation"

# Span names (HTTP client spans are named ``{method} {url.template}``).
SEND_SPAN = "send"
BATCH_SPAN = "send_many"
WALK_SPAN = "page_walk"

# Instruments.
HTTP_DURATION = "http.client.request.duration"
SEND_DURATION = "engagive.send.duration"
SENDS = "engagive.sends"
RETRIES = "engagive.http.retries"
PAUSED = "engagive.throttle.paused"
JOURNAL_DURATION = "engagive.journal.write.duration"

#: Bucket boundaries (seconds) the HTTP conventions advise for request durations.
DURATION_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10)
#: Journal writes are local: finer buckets.
JOURNAL_BUCKETS = (0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1)
