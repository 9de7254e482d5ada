"""The timeline: buckets down the screen, lanes side by side, a cursor row and a selected lane.

It draws a :class:`~forensics.tui.model.TimelineModel` line by line (only the rows on screen) and
owns nothing but where the cursor and the view are. Moving the cursor posts ``CursorChanged``;
``enter`` posts ``DrillDown`` for the bucket and lane under the cursor; zooming is the screen's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget

from forensics.tui.model import STATES, BrokerCell, TimelineModel
from forensics.tui.widgets.glyphs import compact, hbar, level

#: Rows above the buckets: lane titles, then scales.
HEADER_ROWS = 2
#: Lanes that are not brokers, in the order they stand (brokers go between IDs and client errors).
COUNT_LANES = {"new_producers": "new prod", "ids_allocated": "PIDs", "client_errors": "client err"}


@dataclass(frozen=True)
class Column:
    """Where one lane is drawn: its first column, its width, and the width of its bar."""

    lane: str
    x: int
    width: int
    bar: int = 0


def lanes_of(model: TimelineModel) -> list[str]:
    """Lane keys, left to right: the axis (every event), rollout, producers, IDs, brokers, client errors."""
    return ["axis", "rollout", "new_producers", "ids_allocated", *model.brokers, "client_errors"]


def layout(model: TimelineModel, width: int, axis_width: int) -> list[Column]:
    """Columns for every lane that fit in ``width`` cells; bars share what the fixed parts leave."""
    brokers = model.brokers
    fixed = (axis_width + 2) + 5 + 3 * 7 + len(brokers) * 3
    bars = 3 + len(brokers)
    spare = max(width - fixed, bars * 1)
    count_bar = max(1, min(12, spare // bars))
    heap_bar = count_bar
    spare -= bars * count_bar
    while spare > 0 and (heap_bar < 10 or count_bar < 12):
        if heap_bar < 10 and spare >= len(brokers):
            heap_bar += 1
            spare -= len(brokers)
        elif count_bar < 12 and spare >= 3:
            count_bar += 1
            spare -= 3
        else:
            break
    columns = [Column("axis", 0, axis_width + 2), Column("rollout", axis_width + 2, 5)]
    x = axis_width + 7
    for lane in ("new_producers", "ids_allocated"):
        columns.append(Column(lane, x, 7 + count_bar, count_bar))
        x += 7 + count_bar
    for host in brokers:
        columns.append(Column(host, x, 3 + heap_bar, heap_bar))
        x += 3 + heap_bar
    columns.append(Column("client_errors", x, 7 + count_bar, count_bar))
    x += 7 + count_bar
    if width - x >= 12:
        columns.append(Column("marks", x, width - x))
    return columns


def short_names(hosts: list[str]) -> dict[str, str]:
    """Broker names short enough for narrow lanes: the common prefix cut to its first letter (kafka-1 → k1)."""
    if len(hosts) < 2:
        return {h: h for h in hosts}
    prefix = hosts[0]
    for host in hosts[1:]:
        while not host.startswith(prefix):
            prefix = prefix[:-1]
    return {h: (prefix[:1] + h[len(prefix):]) if prefix and h != prefix else h for h in hosts}


class TimelineView(Widget, can_focus=True):
    """The incident on one clock: one row per bucket, one column group per lane."""

    COMPONENT_CLASSES = {
        "timeline--header",
        "timeline--lane",
        "timeline--cursor",
        "timeline--selected",
        "timeline--dim",
        "timeline--ok",
        "timeline--warn",
        "timeline--crit",
        "timeline--info",
    }
    BINDINGS = [
        Binding("down,j", "move(1)", "Down", show=False),
        Binding("up,k", "move(-1)", "Up", show=False),
        Binding("pagedown,space", "page(1)", "Page down", show=False),
        Binding("pageup,b", "page(-1)", "Page up", show=False),
        Binding("home,g", "edge(-1)", "First", show=False),
        Binding("end,G", "edge(1)", "Last", show=False),
        Binding("right,l", "lane(1)", "Next lane", show=False),
        Binding("left,h", "lane(-1)", "Previous lane", show=False),
        Binding("n", "mark(1)", "Next mark"),
        Binding("N,p", "mark(-1)", "Prev mark", show=False),
        Binding("enter", "drill", "Raw lines"),
    ]

    cursor: reactive[int] = reactive(0, always_update=True)
    lane: reactive[int] = reactive(0)

    class CursorChanged(Message):
        """The cursor is on another bucket or lane."""

        def __init__(self, start: datetime, end: datetime, lane: str) -> None:
            super().__init__()
            self.start, self.end, self.lane = start, end, lane

    class DrillDown(Message):
        """Show the raw lines behind the bucket and lane under the cursor."""

        def __init__(self, start: datetime, end: datetime, lane: str, cell: BrokerCell | None) -> None:
            super().__init__()
            self.start, self.end, self.lane, self.cell = start, end, lane, cell

    class ZoomRequested(Message):
        """Ctrl + mouse wheel: a finer (-1) or coarser (+1) bucket width."""

        def __init__(self, step: int) -> None:
            super().__init__()
            self.step = step

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self.model: TimelineModel | None = None
        self.top = 0
        self.message_text = "loading the timeline…"
        self._maxima: dict[str, float] = {}
        self._styles: dict[str, Style] = {}

    # -- state -------------------------------------------------------------------------------

    def show(self, model: TimelineModel, cursor_time: datetime | None = None, keep_row: int | None = None) -> None:
        """Draw ``model``; put the cursor on ``cursor_time``'s bucket, ``keep_row`` rows below the top."""
        lane_key = self.lane_key if self.model else None
        self.model = model
        self._maxima = {
            "new_producers": max(model.new_producers.values(), default=0) or 1,
            "ids_allocated": max(model.ids_allocated.values(), default=0) or 1,
            "client_errors": max(model.client_errors.values(), default=0) or 1,
        }
        lanes = lanes_of(model)
        lane = lanes.index(lane_key) if lane_key in lanes else min(self.lane, len(lanes) - 1)
        self.set_reactive(TimelineView.lane, lane)
        row = model.index(cursor_time) if cursor_time else min(self.cursor, model.count - 1)
        if keep_row is not None:
            self.top = max(0, row - keep_row)
        self.cursor = row
        self.refresh()

    def show_message(self, text: str) -> None:
        self.model = None
        self.message_text = text
        self.refresh()

    @property
    def lane_key(self) -> str:
        if self.model is None:
            return "axis"
        lanes = lanes_of(self.model)
        return lanes[min(self.lane, len(lanes) - 1)]

    @property
    def body_height(self) -> int:
        return max(1, self.size.height - HEADER_ROWS)

    def cursor_row_on_screen(self) -> int:
        return self.cursor - self.top

    def validate_cursor(self, value: int) -> int:
        if self.model is None:
            return 0
        return max(0, min(self.model.count - 1, value))

    def watch_cursor(self, value: int) -> None:
        if value < self.top:
            self.top = value
        elif value >= self.top + self.body_height:
            self.top = value - self.body_height + 1
        self.refresh()
        self._announce()

    def watch_lane(self) -> None:
        self.refresh()
        self._announce()

    def _announce(self) -> None:
        if self.model is not None:
            start = self.model.start(self.cursor)
            self.post_message(self.CursorChanged(start, start + self.model.width, self.lane_key))

    def on_resize(self) -> None:
        if self.model is not None and self.cursor >= self.top + self.body_height:
            self.top = self.cursor - self.body_height + 1
        self.refresh()

    # -- actions -------------------------------------------------------------------------------

    def action_move(self, step: int) -> None:
        self.cursor += step

    def action_page(self, step: int) -> None:
        self.cursor += step * max(1, self.body_height - 1)

    def action_edge(self, direction: int) -> None:
        if self.model is not None:
            self.cursor = 0 if direction < 0 else self.model.count - 1

    def action_lane(self, step: int) -> None:
        if self.model is not None:
            self.lane = max(0, min(len(lanes_of(self.model)) - 1, self.lane + step))

    def action_mark(self, direction: int) -> None:
        """Jump to the next (1) or previous (-1) bucket with a rollout step or a cascade stage."""
        if self.model is None:
            return
        rows = self.model.marker_rows()
        after = [r for r in rows if (r > self.cursor if direction > 0 else r < self.cursor)]
        if after:
            self.cursor = after[0] if direction > 0 else after[-1]
        else:
            self.app.bell()

    def action_drill(self) -> None:
        if self.model is None:
            return
        start = self.model.start(self.cursor)
        cell = self.model.cells.get(self.lane_key, {}).get(self.cursor)
        self.post_message(self.DrillDown(start, start + self.model.width, self.lane_key, cell))

    # -- mouse ---------------------------------------------------------------------------------

    def on_click(self, event: events.Click) -> None:
        if self.model is None:
            return
        if event.y >= HEADER_ROWS:
            self.cursor = self.top + event.y - HEADER_ROWS
        for index, column in enumerate(self._columns()):
            if column.x <= event.x < column.x + column.width and column.lane != "marks":
                self.lane = index
        if event.chain == 2:
            self.action_drill()

    def _scroll(self, event: events.MouseScrollDown | events.MouseScrollUp, step: int) -> None:
        event.stop()
        if event.ctrl:
            self.post_message(self.ZoomRequested(-1 if step < 0 else 1))
            return
        if self.model is None:
            return
        last_top = max(0, self.model.count - self.body_height)
        self.top = max(0, min(last_top, self.top + 3 * step))
        self.cursor = max(self.top, min(self.top + self.body_height - 1, self.cursor))
        self.refresh()

    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        self._scroll(event, 1)

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        self._scroll(event, -1)

    # -- drawing -------------------------------------------------------------------------------

    def _columns(self) -> list[Column]:
        assert self.model is not None
        return layout(self.model, self.size.width, self._axis_width())

    def _axis_width(self) -> int:
        assert self.model is not None
        return len(self.model.start(0).strftime(self._axis_format()))

    def _axis_format(self) -> str:
        from forensics.tui.zoom import axis_format

        assert self.model is not None
        return axis_format(self.model.width, self.model.multi_day)

    def _style(self, name: str, background: bool = False) -> Style:
        """A component's style, looked up once per theme or stylesheet change (lines draw it often).

        Colours are resolved against the widget's background (so ``auto`` text colours read on light
        and dark themes); only the cursor's style keeps its background, so that it shows through cells.
        """
        style = self._styles.get(name)
        if style is None:
            full = self.get_component_rich_style(f"timeline--{name}")
            style = full if background else Style(color=full.color, bold=full.bold, italic=full.italic,
                                                   underline=full.underline, reverse=full.reverse)
            self._styles[name] = style
        return style

    def notify_style_update(self) -> None:
        self._styles.clear()
        super().notify_style_update()

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        base = self.rich_style
        if self.model is None:
            text = self.message_text if y == self.size.height // 2 else ""
            return Strip([Segment(text.center(width)[:width], base)]).crop_extend(0, width, base)
        columns = self._columns()
        if y < HEADER_ROWS:
            segments = self._header(y, columns)
        else:
            row = self.top + y - HEADER_ROWS
            if row >= self.model.count:
                return Strip.blank(width, base)
            segments = self._row(row, columns)
        on_cursor = y >= HEADER_ROWS and self.top + y - HEADER_ROWS == self.cursor
        line_style = base + self._style("cursor", background=True) if on_cursor else base
        strip = Strip([Segment(text, line_style + style) for text, style in segments])
        return strip.crop_extend(0, width, line_style)

    def _header(self, y: int, columns: list[Column]) -> list[tuple[str, Style]]:
        assert self.model is not None
        names = short_names(self.model.brokers)
        selected = self.lane_key
        out: list[tuple[str, Style]] = []
        for column in columns:
            style = self._style("header")
            if column.lane == selected:
                style += self._style("lane")
            out.append((self._header_cell(y, column, names).ljust(column.width)[: column.width], style))
        return out

    def _header_cell(self, y: int, column: Column, names: dict[str, str]) -> str:
        assert self.model is not None
        lane = column.lane
        if y == 0:
            if lane == "axis":
                return "UTC"
            if lane == "rollout":
                return "flag"
            if lane == "marks":
                return "marks"
            if lane in COUNT_LANES:
                return COUNT_LANES[lane]
            name = lane if len(lane) <= column.width - 1 else names.get(lane, lane)
            return name[: column.width - 1]
        if lane == "axis":
            from forensics.tui.zoom import label

            return f"{label(self.model.width)} rows"
        if lane == "rollout":
            return "   %"
        if lane in COUNT_LANES:
            return f"≤{compact(self._maxima[lane])}".rjust(5) + " " + ("est." if lane == "new_producers" else "")
        if lane == "marks":
            return ""
        return "sg" + "heap"[: column.bar]

    def _row(self, row: int, columns: list[Column]) -> list[tuple[str, Style]]:
        out: list[tuple[str, Style]] = []
        selected = self.lane_key
        for column in columns:
            parts = self._cell(row, column)
            if column.lane == selected and row == self.cursor:
                parts = [(text, style + self._style("selected")) for text, style in parts]
            out.extend(parts)
        return out

    def _cell(self, row: int, column: Column) -> list[tuple[str, Style]]:
        assert self.model is not None
        model, lane, none = self.model, column.lane, Style()
        if lane == "axis":
            marks = model.markers.get(row, [])
            glyph, glyph_style = " ", none
            if marks:
                worst = min(marks, key=lambda m: ("crit", "warn", "ok", "info").index(m.severity))
                glyph, glyph_style = "◆", self._style(worst.severity)
            clock = model.start(row).strftime(self._axis_format())
            return [(clock, self._style("dim") if not marks else none), (glyph, glyph_style), (" ", none)]
        if lane == "rollout":
            pct = model.rollout.get(row)
            if pct is None:
                return [(" " * 5, none)]
            stepped = any(m.kind == "step" and m.label.startswith(f"{model.flag} ") for m in model.markers.get(row, []))
            style = self._style("info" if pct > 0 else "dim")
            if stepped:
                style += Style(bold=True)
            return [(f"{pct:>3.0f}%", style), (" ", none)]
        if lane in COUNT_LANES:
            values = {"new_producers": model.new_producers, "ids_allocated": model.ids_allocated,
                      "client_errors": model.client_errors}[lane]
            return self._count_cell(values.get(row), self._maxima[lane], column)
        if lane == "marks":
            text = "; ".join(m.label for m in model.markers.get(row, []))
            return [(text[: column.width].ljust(column.width), self._style("dim"))]
        return self._broker_cell(model.cells.get(lane, {}).get(row), column)

    def _count_cell(self, value: float | None, maximum: float, column: Column) -> list[tuple[str, Style]]:
        if not value:
            return [(" " * column.width, Style())]
        fraction = value / maximum
        severity = "crit" if fraction >= 0.66 else "warn" if fraction >= 0.33 else "ok"
        style = self._style(severity)
        return [
            (compact(value).rjust(5) + " ", self._style("dim")),
            (hbar(fraction, column.bar), style),
            (" ", Style()),
        ]

    def _broker_cell(self, cell: BrokerCell | None, column: Column) -> list[tuple[str, Style]]:
        if cell is None:
            return [(" " * column.width, Style())]
        glyph, state_severity = STATES.get(cell.state or "", (" ", "dim"))
        overhead = cell.gc_overhead_pct
        overhead_severity = "crit" if (overhead or 0) >= 5 else "warn" if (overhead or 0) >= 1 else "ok"
        heap = cell.heap_after_pct
        heap_severity = "crit" if (heap or 0) >= 90 else "warn" if (heap or 0) >= 75 else "ok"
        heap_bar = hbar((heap or 0) / 100, column.bar) if heap is not None else " " * column.bar
        return [
            (glyph, self._style(state_severity)),
            (level(overhead), self._style(overhead_severity)),
            (heap_bar, self._style(heap_severity)),
            (" ", Style()),
        ]
