"""``--layout PATTERN``: a logback / log4j2 conversion pattern compiled into a layout spec.

The pattern is read as its framework reads it: ``%`` + an optional format modifier (``-5``,
``15.15``) + a conversion word + ``{options}``; everything else is literal. The words understood
are those of ``WORDS``; any other is refused with its name. The message (``%m``) ends the head
regex; what follows it (Kafka's ``(%c)``) becomes the spec's tail, read off the end of a record's
last line. The time comes from ``%d{…}`` (Java date patterns and the named ones: ISO8601,
ABSOLUTE, DATE, DEFAULT, COMPACT …): a pattern with an offset gives in-line times, one without a
date gives time-of-day records (dated as logback's default layout is), and no ``%d`` at all gives
records without a time.

The compiled spec carries one sample line, rendered from the pattern itself, which must read back
as rendered: a pattern that cannot parse its own output is refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from parsers.registry import LayoutFormat, check_samples
from parsers.spec import LayoutSpec, Sample, SpecError

#: The name of the format a ``--layout`` defines (``--format layout`` forces it).
NAME = "layout"
#: Added to the user layout's detection score: where it fits as well as a built-in format, it wins.
TIE_BREAK = 1e-6
LEVELS = "TRACE|DEBUG|INFO|WARN|ERROR|FATAL"

#: Conversion word → what it is (logback and log4j2 spellings).
WORDS: dict[str, str] = {
    **dict.fromkeys(("d", "date"), "date"),
    **dict.fromkeys(("p", "le", "level"), "level"),
    **dict.fromkeys(("t", "thread", "tn", "threadName"), "thread"),
    **dict.fromkeys(("c", "lo", "logger"), "logger"),
    **dict.fromkeys(("m", "msg", "message"), "message"),
    "n": "newline",
    **dict.fromkeys(("X", "mdc", "MDC"), "mdc"),
    **dict.fromkeys(("L", "line"), "line"),
    **dict.fromkeys(("C", "class"), "class"),
    **dict.fromkeys(("M", "method"), "method"),
    **dict.fromkeys(("F", "file"), "file"),
    **dict.fromkeys(("r", "relative", "pid", "processId"), "number"),
    "kvp": "kvp",
    **dict.fromkeys(("ex", "exception", "throwable", "xEx", "xException", "xThrowable", "rEx", "rException",
                     "rootException", "wEx", "wex", "nopex", "nopexception"), "throwable"),
}
#: Named date formats of log4j2 and logback (ISO8601 is ``yyyy-MM-dd HH:mm:ss,SSS`` in logback and log4j 1,
#: ``yyyy-MM-dd'T'HH:mm:ss,SSS`` in log4j2: both are accepted).
NAMED_DATES: dict[str, tuple[str, ...]] = {
    "ISO8601": ("yyyy-MM-dd HH:mm:ss,SSS", "yyyy-MM-dd'T'HH:mm:ss,SSS"),
    "DEFAULT": ("yyyy-MM-dd HH:mm:ss,SSS",),
    "ABSOLUTE": ("HH:mm:ss,SSS",),
    "DATE": ("dd MMM yyyy HH:mm:ss,SSS",),
    "COMPACT": ("yyyyMMddHHmmssSSS",),
    "ISO8601_BASIC": ("yyyyMMdd'T'HHmmss,SSS",),
    "ISO8601_OFFSET_DATE_TIME_HHMM": ("yyyy-MM-dd'T'HH:mm:ss,SSSXX",),
    "ISO8601_OFFSET_DATE_TIME_HHCMM": ("yyyy-MM-dd'T'HH:mm:ss,SSSXXX",),
}
#: Java date letters → (chrono format, regex, strftime for the sample line).
DATE_LETTERS: dict[str, tuple[str, str, str]] = {
    "yyyy": ("%Y", r"\d{4}", "%Y"), "uuuu": ("%Y", r"\d{4}", "%Y"), "yy": ("%y", r"\d{2}", "%y"),
    "MMMM": ("%B", "[A-Z][a-z]+", "%B"), "MMM": ("%b", "[A-Z][a-z]{2}", "%b"), "MM": ("%m", r"\d{2}", "%m"),
    "dd": ("%d", r"\d{2}", "%d"), "HH": ("%H", r"\d{2}", "%H"), "hh": ("%I", r"\d{2}", "%I"),
    "mm": ("%M", r"\d{2}", "%M"), "ss": ("%S", r"\d{2}", "%S"), "a": ("%p", "[AP]M", "%p"),
    "SSS": ("%3f", r"\d{3}", "%MS3"), "SSSSSS": ("%6f", r"\d{6}", "%MS6"), "SSSSSSSSS": ("%9f", r"\d{9}", "%MS9"),
    "EEE": ("%a", "[A-Z][a-z]{2}", "%a"), "EEEE": ("%A", "[A-Z][a-z]+", "%A"),
    "XXX": ("%#z", r"(?:Z|[+-]\d{2}:\d{2})", "Z"), "XX": ("%#z", r"(?:Z|[+-]\d{4})", "Z"),
    "X": ("%#z", r"(?:Z|[+-]\d{2})", "Z"), "Z": ("%#z", r"[+-]\d{4}", "+0000"),
}
_TOKEN = re.compile(
    r"%(?P<mod>-?\d*(?:\.-?\d+)?)(?P<word>[A-Za-z]+)(?P<opts>(?:\{[^}]*\})*)|%%|\$\{(?P<prop>[^}]*)\}|%(?P<bad>.?)"
)
_DATE_TOKEN = re.compile(r"'([^']*)'|(([A-Za-z])\3*)|[^A-Za-z']+")

#: Example values the sample line is rendered with.
EXAMPLE = {
    "level": "INFO", "thread": "kafka-producer-network-thread | producer-7",
    "logger": "org.apache.kafka.clients.producer.internals.TransactionManager",
    "message": "[Producer clientId=producer-7] ProducerId set to 48213 with epoch 0",
    "mdc": "-", "line": "441", "class": "org.apache.kafka.clients.producer.internals.TransactionManager",
    "method": "setProducerIdAndEpoch", "file": "TransactionManager.java", "number": "1234", "kvp": "", "property": "21972",
}
EXAMPLE_TIME = datetime(2025, 8, 28, 3, 40, 0, 101000, tzinfo=UTC)


class LayoutPatternError(ValueError):
    """A conversion pattern that cannot become a layout; the message names the part that cannot."""


@dataclass(frozen=True)
class Element:
    """One piece of a pattern: a literal text or a conversion."""

    kind: str  # literal | date | level | thread | logger | message | mdc | … | property | newline | throwable
    text: str = ""  # the literal, or the conversion as written
    left: bool = False  # "-" modifier: pad on the right
    width: int = 0
    options: tuple[str, ...] = ()


def tokenize(pattern: str) -> list[Element]:
    elements: list[Element] = []
    pos = 0
    for match in _TOKEN.finditer(pattern):
        if match.start() > pos:
            elements.append(Element("literal", pattern[pos:match.start()]))
        pos = match.end()
        if match.group(0) == "%%":
            elements.append(Element("literal", "%"))
            continue
        if match.group("prop") is not None:  # ${PID}, ${LOG_LEVEL_PATTERN:-%5p}: set when the config loads
            elements.append(Element("property", match.group(0)))
            continue
        if match.group("bad") is not None:
            raise LayoutPatternError(f"--layout: '{match.group(0)}' at position {match.start() + 1} is not a conversion")
        word = match.group("word")
        kind = WORDS.get(word)
        if kind is None:
            raise LayoutPatternError(
                f"--layout: conversion word %{word} is not supported (understood: %d, %p/%level, %t/%thread, "
                f"%c/%logger, %m/%msg, %n, %X{{key}}, %L, %C, %M, %F, %r, %kvp, %ex and literals)"
            )
        mod = match.group("mod")
        width = re.match(r"-?(\d*)", mod)
        elements.append(Element(
            kind, match.group(0), left=mod.startswith("-"), width=int(width.group(1) or 0) if width else 0,
            options=tuple(re.findall(r"\{([^}]*)\}", match.group("opts"))),
        ))
    if pos < len(pattern):
        elements.append(Element("literal", pattern[pos:]))
    return elements


def _date(element: Element) -> tuple[tuple[str, ...], str, str]:
    """(chrono formats, regex, strftime of the first) of a ``%d{…}`` conversion."""
    if len(element.options) > 1:
        raise LayoutPatternError(
            f"--layout: {element.text}: a time zone option is not supported; give the zone with --tz"
        )
    option = element.options[0] if element.options else "DEFAULT"
    javas = NAMED_DATES.get(option, (option,))
    parts = [_java_date(java, element.text) for java in javas]
    regex = "|".join(dict.fromkeys(p[1] for p in parts))
    return tuple(p[0] for p in parts), f"(?:{regex})" if len(parts) > 1 else regex, parts[0][2]


def _java_date(java: str, where: str) -> tuple[str, str, str]:
    chrono, regex, render = [], [], []
    for match in _DATE_TOKEN.finditer(java):
        quoted, letter = match.group(1), match.group(2)
        text = match.group(0)
        if quoted is not None or not letter:
            literal = quoted if quoted is not None else text
            chrono.append(literal.replace("%", "%%"))
            regex.append(_escape(literal))
            render.append(literal.replace("%", "%%"))
            continue
        known = DATE_LETTERS.get(text)
        if known is None:
            raise LayoutPatternError(f"--layout: {where}: the date letters {text!r} are not supported")
        chrono.append(known[0])
        regex.append(known[1])
        render.append(known[2])
    return "".join(chrono), "".join(regex), "".join(render)


def _escape(text: str) -> str:
    """A literal for both Python ``re`` and Rust ``regex`` (which refuses escaped spaces)."""
    return re.sub(r"([.^$*+?{}\[\]\\|()])", r"\\\1", text)


def _variable(next_literal: str, spaces: bool) -> str:
    """A value up to the next literal.

    Up to its first character when that is not a space (``]``); a value that may hold spaces (a
    thread: ``kafka-producer-network-thread | producer-1``) takes as little as it can before a
    literal of spaces (what follows, a level, is the anchor), and as much as it can before a
    literal such as `` | `` that the value itself may contain.
    """
    stop = next_literal[:1]
    if spaces and stop == " ":
        return ".*?" if not next_literal.strip() else ".*"
    if not stop:
        return ".*?"
    stop = "\\" + stop if stop in "\\]^-[" else stop
    return f"[^{stop}\\n]*" if spaces else f"[^{stop}\\s]+"


def _regex(element: Element, next_literal: str, seen: set[str]) -> str:
    """The regex of one conversion (named groups for the record's fields, each once)."""
    kind = element.kind
    name = {"level": "level", "thread": "thread", "logger": "logger"}.get(kind)
    if kind == "class" and "logger" not in seen:
        name = "logger"
    body = {
        "level": LEVELS, "thread": _variable(next_literal, True), "logger": _variable(next_literal, False),
        "class": _variable(next_literal, False), "method": _variable(next_literal, False),
        "file": _variable(next_literal, False), "mdc": _variable(next_literal, True), "line": r"(?:\d+|\?)",
        "number": r"\d+", "kvp": r'(?:[^ ="]+="[^"]*" ?)*', "throwable": "", "newline": "", "property": r"[^ ]*",
    }[kind]
    if name and name not in seen:
        seen.add(name)
        body = f"(?P<{name}>{body})"
    else:
        body = f"(?:{body})" if body else ""
    if element.width and body:
        body = f"{body} *" if element.left else f" *{body}"
    return body


def compile_layout(pattern: str, name: str = NAME) -> LayoutSpec:
    """The layout spec of a conversion pattern; raises LayoutPatternError naming what it cannot read."""
    elements = [e for e in tokenize(pattern) if e.kind not in ("newline", "throwable")]
    while elements and elements[-1].kind == "literal" and not elements[-1].text.strip():
        elements.pop()
    kinds = [e.kind for e in elements]
    if "message" not in kinds:
        raise LayoutPatternError("--layout: the pattern has no message (%m / %msg)")
    if "level" not in kinds:
        raise LayoutPatternError("--layout: the pattern has no level (%p / %level): records could not be told apart")
    if kinds.count("date") > 1:
        raise LayoutPatternError("--layout: the pattern has more than one date (%d)")
    at = kinds.index("message")
    head, tail, formats, render_date, hint = _assemble(elements[:at], elements[at + 1 :])
    clock = "none" if not formats else "date-time" if re.search("%[Yy]", formats[0]) else "time-of-day"
    zone = "in-line" if formats and "%#z" in formats[0] else "none"
    if clock == "time-of-day" and zone == "in-line":
        raise LayoutPatternError("--layout: a time of day with an offset but no date is not supported")
    spec = LayoutSpec(
        name=name, title=f"--layout {pattern}", family="client", description=f"The pattern given with --layout: {pattern}",
        head=head, hint=hint, ts_field="ts", ts_format=formats[0] if formats else "", ts_formats=formats or ("",),
        clock=clock, zone=zone, tail=tail,
        samples=(Sample((render(elements, render_date),), {"level": EXAMPLE["level"], "message": EXAMPLE["message"]}),),
    )
    try:
        check_samples(LayoutFormat(spec))
    except SpecError as exc:
        raise LayoutPatternError(f"--layout: the pattern does not read back the line it writes: {exc}") from exc
    return spec


def _assemble(before: list[Element], after: list[Element]) -> tuple[str, str | None, tuple[str, ...], str, str | None]:
    """(head regex, tail regex, time formats, strftime of the time, hint) of the parts around the message."""
    seen: set[str] = set()
    parts: list[str] = []
    formats: tuple[str, ...] = ()
    render_date, hint = "", None
    for i, element in enumerate(before):
        following = before[i + 1].text if i + 1 < len(before) and before[i + 1].kind == "literal" else ""
        if element.kind == "literal":
            parts.append(_escape(element.text))
        elif element.kind == "date":
            formats, regex, render_date = _date(element)
            parts.append(f"(?P<ts>{regex})")
            hint = re.sub(r"\(\?P<\w+>", "(?:", "^" + "".join(parts))  # up to the time: "means to be a head"
        else:
            parts.append(_regex(element, following, seen))
    head = "^" + "".join(parts) + "(?P<rest>.*)$"
    tail = None
    if after:
        tail_parts = []
        for i, element in enumerate(after):
            following = after[i + 1].text if i + 1 < len(after) and after[i + 1].kind == "literal" else ""
            if element.kind == "literal":
                tail_parts.append(_escape(element.text))
            elif element.kind == "date":
                raise LayoutPatternError("--layout: a date after the message (%m) is not supported")
            else:
                tail_parts.append(_regex(element, following, seen))
        tail = "".join(tail_parts) + "$"
        if "(?P<logger>" not in tail:
            raise LayoutPatternError("--layout: after the message (%m) only the logger (%c) and literals are supported")
    return head, tail, formats, render_date, hint


def render(elements: list[Element], date_format: str, values: dict[str, str] | None = None,
           when: datetime = EXAMPLE_TIME) -> str:
    """A line as the pattern writes it (padding and truncation applied), for the spec's sample and tests."""
    values = {**EXAMPLE, **(values or {})}
    out = []
    for element in elements:
        if element.kind == "literal":
            out.append(element.text)
            continue
        if element.kind in ("newline", "throwable"):
            continue
        if element.kind == "date":
            text = when.strftime(date_format.replace("%MS3", f"{when.microsecond // 1000:03d}")
                                 .replace("%MS6", f"{when.microsecond:06d}").replace("%MS9", f"{when.microsecond:06d}000"))
        else:
            text = values[element.kind]
            if element.kind == "logger" and element.options and element.options[0] == "1":
                text = text.rsplit(".", 1)[-1]
        mod = re.match(r"%-?\d*\.(-?)(\d+)", element.text)
        if mod:
            limit = int(mod.group(2))
            text = text[:limit] if mod.group(1) else text[-limit:]
        out.append(text.ljust(element.width) if element.left else text.rjust(element.width))
    return "".join(out)


@dataclass(frozen=True)
class UserLayout(LayoutFormat):
    """The ``--layout`` format: a layout spec that wins detection ties (the user said so)."""

    def score(self, head_lines: list[str]) -> float:
        fit = super().score(head_lines)
        return fit + TIE_BREAK if fit else 0.0


def use_layout(pattern: str) -> UserLayout:
    """Compile ``pattern`` and make it the format ``layout`` for detection and ``--format`` (replacing any earlier one)."""
    from parsers import client, registry

    fmt = UserLayout(compile_layout(pattern))
    client.FORMATS[:] = [f for f in client.FORMATS if not isinstance(f, UserLayout)] + [fmt]
    registry.all_formats.cache_clear()
    return fmt


def drop_layout() -> None:
    """Forget a ``--layout`` format (tests; a command's process ends anyway)."""
    from parsers import client, registry

    kept = [f for f in client.FORMATS if not isinstance(f, UserLayout)]
    if len(kept) < len(client.FORMATS):  # reloading every format checks every sample again: only when needed
        client.FORMATS[:] = kept
        registry.all_formats.cache_clear()
