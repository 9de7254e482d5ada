"""Properties of the parsing engine over every format the registry knows: whatever lines come in (real sample
lines shuffled with junk, cut, glued), nothing raises, every line lands in exactly one record or one reject,
and a sample's own record keeps its fields when junk surrounds it."""

from __future__ import annotations

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parsers.base import ParseContext
from parsers.registry import LayoutFormat, all_formats

FORMATS = [f for f in all_formats() if f.family != "events"]  # exports need their header row: tested in tests/client
SAMPLE_LINES = [line for f in all_formats() if isinstance(f, LayoutFormat) for s in f.spec.samples for line in s.lines]
JUNK = st.text(alphabet=st.characters(exclude_characters="\n\r", exclude_categories=["Cs"]), max_size=80)


@st.composite
def lines(draw: st.DrawFn) -> list[str]:
    """Sample lines of every layout, cut or glued now and then, mixed with junk."""
    out = []
    for _ in range(draw(st.integers(min_value=0, max_value=40))):
        line = draw(st.one_of(st.sampled_from(SAMPLE_LINES), JUNK))
        if draw(st.booleans()) and line:
            line = line[: draw(st.integers(min_value=0, max_value=len(line)))]
        out.append(line)
    return out


def accounted(fmt, batch: list[str], split: int) -> None:  # noqa: ANN001
    parser = fmt.parser(ParseContext(path="<hypothesis>", host="h"))
    frame = pl.DataFrame({"line_no": range(1, len(batch) + 1), "line": batch}, schema={"line_no": pl.Int64, "line": pl.String})
    parts = [parser.parse(frame.slice(0, split)), parser.parse(frame.slice(split)), parser.finish()]
    seen: list[int] = []
    for part in parts:
        for start, end in part.records.select("line_start", "line_end").iter_rows():
            seen.extend(range(start, end + 1))
        seen.extend(part.rejects["line_no"].to_list())
    assert sorted(seen) == list(range(1, len(batch) + 1)), (fmt.name, batch)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batch=lines(), cut=st.floats(min_value=0, max_value=1))
def test_every_format_accounts_for_every_line_exactly_once(batch: list[str], cut: float) -> None:
    for fmt in FORMATS:
        accounted(fmt, batch, int(len(batch) * cut))


@settings(max_examples=40, deadline=None)
@given(before=st.lists(JUNK, max_size=5), after=st.lists(JUNK.filter(lambda s: s[:1] not in " \t"), max_size=5),
       index=st.integers(min_value=0))
def test_a_sample_keeps_its_fields_among_junk(before: list[str], after: list[str], index: int) -> None:
    layouts = [(f, s) for f in FORMATS if isinstance(f, LayoutFormat) for s in f.spec.samples if s.pattern == "head"]
    fmt, sample = layouts[index % len(layouts)]
    parser = fmt.parser(ParseContext(path="<hypothesis>", host="h"))
    batch = [*before, *sample.lines, "", *after]
    frame = pl.DataFrame({"line_no": range(1, len(batch) + 1), "line": batch}, schema={"line_no": pl.Int64, "line": pl.String})
    records = pl.concat([parser.parse(frame).records, parser.finish().records])
    first = len(before) + 1
    mine = records.filter(pl.col("line_start") == first).to_dicts()
    assert len(mine) == 1, (fmt.name, batch)
    for key, wanted in sample.expect.items():
        if key in ("line_start", "line_end"):  # junk after it may continue it
            continue
        got = mine[0][key]
        got = got.isoformat() if hasattr(got, "isoformat") else got
        if key == "message":  # the message may gain the junk lines after it as continuation lines
            assert str(got).startswith(str(wanted)), (fmt.name, key, got, wanted)
        else:
            assert got == wanted, (fmt.name, key, got, wanted)
