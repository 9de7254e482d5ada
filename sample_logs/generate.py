#!/usr/bin/env python3
"""Write the sample incident bundle: ``python sample_logs/generate.py [--out DIR] [--seed N] [--scale X]``.

Without arguments it regenerates the committed bundle (``sample_logs/incident/`` and
``sample_logs/truth.json``) byte for byte. ``--scale X`` multiplies the traffic share and the
background noise (``--scale 2000`` writes about 10 GB, streamed). Importable: ``generate.main``
and ``generate.generate``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from generator import DEFAULT_SEED, generate  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE, help="directory that receives incident/ and truth.json")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
    parser.add_argument("--scale", type=float, default=1.0, help="volume multiplier (default 1: the committed bundle)")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    truth = generate(args.out, args.seed, args.scale, progress=args.scale > 5)
    files = truth["files"]
    size = sum(f["bytes"] for f in files.values())
    print(
        f"wrote {len(files)} files, {size / 1e6:.1f} MB on disk, to {args.out / 'incident'} "
        f"in {time.monotonic() - started:.1f} s",
        file=sys.stderr,
    )
    return 0


__all__ = ["main", "generate"]

if __name__ == "__main__":
    sys.exit(main())
