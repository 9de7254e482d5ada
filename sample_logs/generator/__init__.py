"""Generator of the sample incident bundle (see sample_logs/README.md).

``generate(out_dir, seed, scale)`` writes ``incident/`` and ``truth.json``;
``write_server_log(path, target_bytes, seed)`` writes one large broker server.log for benchmarks.
"""

from __future__ import annotations

from .bench import write_server_log
from .run import DEFAULT_SEED, generate

__all__ = ["DEFAULT_SEED", "generate", "write_server_log"]
