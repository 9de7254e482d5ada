"""Client application logs that need more than a layout spec, and layouts given at run time.

``json_lines`` reads JSON-lines logs (logstash-logback-encoder and others); ``pattern`` compiles a
logback / log4j2 conversion pattern (``--layout``) into a layout spec. The text layouts of client
applications are TOML specs in parsers/formats/ (family "client"); Kafka's own log4j layout is the
broker spec ``kafka_log4j``, and a file in it is told to be a client by its records
(``parsers.events.EventRouter``).
"""

from __future__ import annotations

from parsers.base import Format
from parsers.client.json_lines import JSON_LINES

#: The client formats the ingest engine plugs in (a ``--layout`` adds one while a command runs).
FORMATS: list[Format] = [JSON_LINES]

__all__ = ["FORMATS"]
