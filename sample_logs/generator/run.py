"""One generator run: build the model, advance time slice by slice, write the bundle and truth.json.

Every source adds the records of a slice (and may add some ahead of it: the scripted incident is
queued up front, a failing producer's timeout two minutes later); the bundle then writes each file
up to the slice end in timestamp order. Memory holds one slice plus what is queued ahead, which
depends on the event rate and not on the total size, so ``--scale`` can grow the bundle to tens of GB.
"""

from __future__ import annotations

import json
import shutil
import sys
import time
from pathlib import Path
from typing import Any

from . import scenario as sc
from .broker_noise import BrokerNoise, ControllerChecks
from .cascade import Cascade
from .clients import Clients
from .context import Context
from .events import write_events
from .gc import gc_jvms
from .partitions import Partitions
from .traffic import Traffic
from .truth import Truth
from .writer import Bundle

DEFAULT_SEED = 20250828


#: Records are written this long after their time: a source may still add records up to a few
#: seconds before the step it runs (a request whose lifecycle ends after the step began), more
#: often at higher scales, where steps are shorter.
FLUSH_LAG_MS = 300_000


def generate(out_dir: Path, seed: int = DEFAULT_SEED, scale: float = 1.0, progress: bool = False) -> dict[str, Any]:
    """Write ``out_dir/incident/`` and ``out_dir/truth.json``; return the truth document."""
    out_dir = Path(out_dir)
    plan = sc.Plan(seed, scale)
    staging = out_dir / ".incident-staging"
    if staging.exists():
        shutil.rmtree(staging)
    bundle = Bundle(staging)
    truth = Truth(plan)
    ctx = Context(plan, bundle, truth, Partitions(plan))
    clients = Clients(ctx)
    traffic = Traffic(ctx, clients.created, clients.assigned)
    traffic.schedule(clients.billing.vp)
    Cascade(ctx)
    write_events(ctx)
    sources = [
        traffic,
        clients,
        *(BrokerNoise(ctx, b) for b in sc.BROKER_IDS),
        ControllerChecks(ctx),
        *(jvm for b in sc.BROKER_IDS for jvm in gc_jvms(ctx, b)),
    ]
    step = max(1_000, int(60_000 * min(1.0, 50 / scale)) // 1000 * 1000)
    started = time.monotonic()
    t = sc.WINDOW_START - 120_000
    while t < sc.WINDOW_END:
        t1 = min(t + step, sc.WINDOW_END)
        for source in sources:
            source.run(t, t1)
        bundle.flush(t1 - FLUSH_LAG_MS)
        if progress and (t1 - sc.WINDOW_START) % 600_000 < step:
            written = sum(s["lines"] for s in bundle.files.values())
            print(
                f"  {time.strftime('%H:%M', time.gmtime(t1 // 1000))} simulated, {written:,} lines, "
                f"{time.monotonic() - started:.0f} s",
                file=sys.stderr,
            )
        t = t1
    files = bundle.close()
    doc = truth.build(
        {k.removeprefix("incident/"): v for k, v in files.items()}, {k: v for k, v in bundle.oom_lines.items()}
    )
    target = out_dir / "incident"
    if target.exists():
        shutil.rmtree(target)
    (staging / "incident").rename(target)
    shutil.rmtree(staging)
    (out_dir / "truth.json").write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
    return doc
