"""Messages the workers post back to the screens that own the state; workers never touch widgets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from textual.message import Message
from textual.message_pump import MessagePump
from textual.worker import get_current_worker

from forensics.tui.data import Table
from forensics.tui.excerpt import Excerpt
from forensics.tui.findings import Findings
from forensics.tui.model import TimelineModel


@dataclass
class FileIngested(Message):
    """One more file done during the ingest that precedes the timeline."""

    done: int
    total: int
    line: str
    ok: bool


@dataclass
class IngestFinished(Message):
    summary: str
    notes: list[str]
    failed: bool


@dataclass
class TimelineLoaded(Message):
    """Lanes of one bucket width: the fast ones first (``complete`` False), then all of them."""

    width: timedelta
    model: TimelineModel | None
    complete: bool
    seconds: float


@dataclass
class FindingsLoaded(Message):
    findings: Findings


@dataclass
class EventsLoaded(Message):
    """Events around ``around`` that pass the filter; ``limited`` when more would have passed."""

    request: Any
    table: Table
    limited: bool


@dataclass
class DetailItemsLoaded(Message):
    table: Table
    limited: bool


@dataclass
class ExcerptLoaded(Message):
    key: tuple[int, int, int, int]
    excerpt: Excerpt


@dataclass
class SqlStarted(Message):
    """The first page of an ad-hoc query; ``pages`` reads the rest."""

    token: int
    pages: Any
    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]]
    more: bool
    seconds: float


@dataclass
class SqlPage(Message):
    token: int
    rows: list[tuple[Any, ...]]
    more: bool


@dataclass
class DataFailed(Message):
    """A worker's job failed: what it was doing, and the error's own words."""

    what: str
    error: str
    token: int = 0


@dataclass
class CursorMoved(Message):
    """The timeline's cursor is on another bucket (other screens follow it)."""

    start: datetime
    end: datetime


def post_from_worker(node: MessagePump, message: Message) -> None:
    """Post from a worker thread, unless the worker was cancelled (a newer job replaced it: its
    result, or the interruption that stopped it, is of no interest)."""
    if not get_current_worker().is_cancelled:
        node.post_message(message)
