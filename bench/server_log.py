"""A realistic broker server.log of any size, fast: pre-rendered templates, seeded, streamed to disk.

Mix (close to the measurements in shared/perf): mostly INFO noise, ~2 % WARN, ~0.7 % ERROR, ~1.7 % of
records with a Java stack trace, and a `KafkaConfig values:` dump (logger on its last line) now and then.
"""

from __future__ import annotations

import random
import sys
from datetime import datetime, timedelta
from pathlib import Path

NOISE = [
    "[LocalLog partition=api-audit-events-{p}, dir=/var/lib/kafka/data] Rolled new log segment at offset {o} in {m} ms. (kafka.log.LocalLog)",
    "[GroupCoordinator 1]: Preparing to rebalance group billing-consumers in state PreparingRebalance with old generation {n} (__consumer_offsets-{p}) (reason: Adding new member) (kafka.coordinator.group.GroupCoordinator)",
    "[UnifiedLog partition=api-audit-events-{p}, dir=/var/lib/kafka/data] Incremented log start offset to {o} due to segment deletion (kafka.log.UnifiedLog)",
    "[ReplicaFetcher replicaId=1, leaderId=2, fetcherId=0] Truncating partition api-audit-events-{p} with TruncationState(offset={o}, completed=true) due to leader epoch and offset EpochEndOffset(errorCode=0, partition={p}, leaderEpoch=17, endOffset={o}) (kafka.server.ReplicaFetcherThread)",
    "[Log partition=api-audit-events-{p}, dir=/var/lib/kafka/data] Deleting segment files LogSegment(baseOffset={o}, size={n}, lastModifiedTime=1756353452101, largestRecordTimestamp=None) (kafka.log.LocalLog$)",
]
#: Lines the typed-event rules pick up: about 2 % of records, as in a busy incident hour.
EVENTS = [
    "[Partition api-audit-events-{p} broker=1] Shrinking ISR from 1,2,3 to 1,2. Leader: (highWatermark: {o}, endOffset: {o}). Out of sync replicas: (brokerId: 3, endOffset: {o}, lastCaughtUpTimeMs: 1756353452101). (kafka.cluster.Partition)",
    "[ProducerStateManager partition=api-audit-events-{p}] Wrote producer snapshot at offset {o} with {n} producer ids in {m} ms. (org.apache.kafka.storage.internals.log.ProducerStateManager)",
    "[Controller id=1] Acquired new producerId block ProducerIdsBlock(assignedBrokerId=3, firstProducerId={o}, size=1000) by writing to Zk with path version {n} (kafka.controller.KafkaController)",
]
WARN = [
    "[SocketServer listenerType=ZK_BROKER, nodeId=1] Unexpected error from /10.1.{p}.7 (channelId=10.1.0.5:9092-10.1.{p}.7:51150-7); closing connection (org.apache.kafka.common.network.Selector)",
]
ERROR = "[ReplicaFetcher replicaId=1, leaderId=3, fetcherId=0] Error in response for fetch request (type=FetchRequest, replicaId=1, maxWait=500, minBytes=1) (kafka.server.ReplicaFetcherThread)"
STACK = (
    "java.io.IOException: Connection to 3 was disconnected before the response was read\n"
    "\tat org.apache.kafka.clients.NetworkClientUtils.sendAndReceive(NetworkClientUtils.java:99)\n"
    "\tat kafka.server.BrokerBlockingSender.sendRequest(BrokerBlockingSender.scala:113)\n"
    "\tat kafka.server.RemoteLeaderEndPoint.fetch(RemoteLeaderEndPoint.scala:79)\n"
    "\tat kafka.server.AbstractFetcherThread.processFetchRequest(AbstractFetcherThread.scala:316)\n"
    "\tat kafka.server.AbstractFetcherThread.doWork(AbstractFetcherThread.scala:131)\n"
    "\tat org.apache.kafka.server.util.ShutdownableThread.run(ShutdownableThread.java:130)\n"
)
CONFIG = "KafkaConfig values: \n" + "".join(f"\tsome.config.key{i} = value-{i}\n" for i in range(250)) + " (kafka.server.KafkaConfig)"


def write_server_log(path: Path, target_bytes: int, seed: int = 1) -> int:
    """Write about ``target_bytes`` of server.log; returns the number of records."""
    rng = random.Random(seed)
    start = datetime(2025, 8, 28, 0, 0, 0)
    written = records = 0
    with path.open("w", encoding="utf-8", newline="\n") as out:
        while written < target_bytes:
            lines = []
            for _ in range(20_000):
                ts = start + timedelta(milliseconds=records * 7)
                stamp = ts.strftime("%Y-%m-%d %H:%M:%S,") + f"{ts.microsecond // 1000:03d}"
                roll = rng.random()
                p, o, n, m = rng.randrange(24), rng.randrange(10**9), rng.randrange(10**6), rng.randrange(4000)
                if records % 700_000 == 0:
                    lines.append(f"[{stamp}] INFO {CONFIG}")
                elif roll < 0.017:
                    lines.append(f"[{stamp}] ERROR {ERROR}\n{STACK.rstrip()}")
                elif roll < 0.037:
                    lines.append(f"[{stamp}] WARN {WARN[0].format(p=p)}")
                elif roll < 0.057:
                    lines.append(f"[{stamp}] INFO {rng.choice(EVENTS).format(p=p, o=o, n=n, m=m)}")
                else:
                    lines.append(f"[{stamp}] INFO {rng.choice(NOISE).format(p=p, o=o, n=n, m=m)}")
                records += 1
            chunk = "\n".join(lines) + "\n"
            out.write(chunk)
            written += len(chunk)
    return records


if __name__ == "__main__":
    write_server_log(Path(sys.argv[1]), int(float(sys.argv[2])))
