"""What a JVM writes about itself outside its logging: fatal-error reports (``hs_err_pid*.log``)."""

from __future__ import annotations

from parsers.base import Format
from parsers.jvm.crash import HS_ERR_BROKER, HS_ERR_CLIENT

#: The formats the ingest engine plugs in.
FORMATS: list[Format] = [HS_ERR_BROKER, HS_ERR_CLIENT]

__all__ = ["FORMATS"]
