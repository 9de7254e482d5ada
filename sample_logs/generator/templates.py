"""Long fixed texts: config dumps (``AbstractConfig.logAll``), stack traces, the broker classpath.

Config dumps are ``<Name> values: `` + one ``\\t<key> = <value>`` line per config, sorted by
key, as one log call whose logger ends up on the last line (catalogue §1.4).
"""

from __future__ import annotations

from . import scenario as sc

_BROKER_DEFAULTS = """\
advertised.listeners|PLAINTEXT://{host}:9092
alter.config.policy.class.name|null
alter.log.dirs.replication.quota.window.num|11
alter.log.dirs.replication.quota.window.size.seconds|1
authorizer.class.name|
auto.create.topics.enable|false
auto.include.jmx.reporter|true
auto.leader.rebalance.enable|true
background.threads|10
broker.heartbeat.interval.ms|2000
broker.id|{broker_id}
broker.id.generation.enable|true
broker.rack|null
broker.session.timeout.ms|9000
client.quota.callback.class|null
compression.type|producer
connection.failed.authentication.delay.ms|100
connections.max.idle.ms|600000
connections.max.reauth.ms|0
control.plane.listener.name|null
controlled.shutdown.enable|true
controlled.shutdown.max.retries|3
controlled.shutdown.retry.backoff.ms|5000
controller.listener.names|null
controller.quorum.append.linger.ms|25
controller.quorum.election.backoff.max.ms|1000
controller.quorum.election.timeout.ms|1000
controller.quorum.fetch.timeout.ms|2000
controller.quorum.request.timeout.ms|2000
controller.quorum.retry.backoff.ms|20
controller.quorum.voters|[]
controller.quota.window.num|11
controller.quota.window.size.seconds|1
controller.socket.timeout.ms|30000
create.topic.policy.class.name|null
default.replication.factor|3
delegation.token.expiry.check.interval.ms|3600000
delegation.token.expiry.time.ms|86400000
delegation.token.master.key|null
delegation.token.max.lifetime.ms|604800000
delegation.token.secret.key|null
delete.records.purgatory.purge.interval.requests|1
delete.topic.enable|true
early.start.listeners|null
fetch.max.bytes|57671680
fetch.purgatory.purge.interval.requests|1000
group.consumer.assignors|[org.apache.kafka.coordinator.group.assignor.UniformAssignor, \
org.apache.kafka.coordinator.group.assignor.RangeAssignor]
group.consumer.heartbeat.interval.ms|5000
group.consumer.max.heartbeat.interval.ms|15000
group.consumer.max.session.timeout.ms|60000
group.consumer.max.size|2147483647
group.consumer.min.heartbeat.interval.ms|5000
group.consumer.min.session.timeout.ms|45000
group.consumer.session.timeout.ms|45000
group.coordinator.new.enable|false
group.coordinator.rebalance.protocols|[classic]
group.coordinator.threads|1
group.initial.rebalance.delay.ms|3000
group.max.session.timeout.ms|1800000
group.max.size|2147483647
group.min.session.timeout.ms|6000
initial.broker.registration.timeout.ms|60000
inter.broker.listener.name|null
inter.broker.protocol.version|{ibp}
kafka.metrics.polling.interval.secs|10
kafka.metrics.reporters|[]
leader.imbalance.check.interval.seconds|300
leader.imbalance.per.broker.percentage|10
listener.security.protocol.map|PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL
listeners|PLAINTEXT://0.0.0.0:9092
log.cleaner.backoff.ms|15000
log.cleaner.dedupe.buffer.size|134217728
log.cleaner.delete.retention.ms|86400000
log.cleaner.enable|true
log.cleaner.io.buffer.load.factor|0.9
log.cleaner.io.buffer.size|524288
log.cleaner.io.max.bytes.per.second|1.7976931348623157E308
log.cleaner.max.compaction.lag.ms|9223372036854775807
log.cleaner.min.cleanable.ratio|0.5
log.cleaner.min.compaction.lag.ms|0
log.cleaner.threads|1
log.cleanup.policy|[delete]
log.dir|/tmp/kafka-logs
log.dirs|{log_dir}
log.flush.interval.messages|9223372036854775807
log.flush.interval.ms|null
log.flush.offset.checkpoint.interval.ms|60000
log.flush.scheduler.interval.ms|9223372036854775807
log.flush.start.offset.checkpoint.interval.ms|60000
log.index.interval.bytes|4096
log.index.size.max.bytes|10485760
log.local.retention.bytes|-2
log.local.retention.ms|-2
log.message.downconversion.enable|true
log.message.format.version|3.0-IV1
log.message.timestamp.after.max.ms|9223372036854775807
log.message.timestamp.before.max.ms|9223372036854775807
log.message.timestamp.difference.max.ms|9223372036854775807
log.message.timestamp.type|CreateTime
log.preallocate|false
log.retention.bytes|-1
log.retention.check.interval.ms|300000
log.retention.hours|168
log.retention.minutes|null
log.retention.ms|null
log.roll.hours|168
log.roll.jitter.hours|0
log.roll.jitter.ms|null
log.roll.ms|null
log.segment.bytes|1073741824
log.segment.delete.delay.ms|60000
max.connection.creation.rate|2147483647
max.connections|2147483647
max.connections.per.ip|2147483647
max.connections.per.ip.overrides|
max.incremental.fetch.session.cache.slots|1000
message.max.bytes|1048588
metadata.log.dir|null
metadata.log.max.record.bytes.between.snapshots|20971520
metadata.log.max.snapshot.interval.ms|3600000
metadata.log.segment.bytes|1073741824
metadata.log.segment.min.bytes|8388608
metadata.log.segment.ms|604800000
metadata.max.idle.interval.ms|500
metadata.max.retention.bytes|104857600
metadata.max.retention.ms|604800000
metric.reporters|[]
metrics.num.samples|2
metrics.recording.level|INFO
metrics.sample.window.ms|30000
min.insync.replicas|2
node.id|{broker_id}
num.io.threads|16
num.network.threads|8
num.partitions|12
num.recovery.threads.per.data.dir|2
num.replica.alter.log.dirs.threads|null
num.replica.fetchers|2
offset.metadata.max.bytes|4096
offsets.commit.required.acks|-1
offsets.commit.timeout.ms|5000
offsets.load.buffer.size|5242880
offsets.retention.check.interval.ms|600000
offsets.retention.minutes|10080
offsets.topic.compression.codec|0
offsets.topic.num.partitions|50
offsets.topic.replication.factor|3
offsets.topic.segment.bytes|104857600
password.encoder.cipher.algorithm|AES/CBC/PKCS5Padding
password.encoder.iterations|4096
password.encoder.key.length|128
password.encoder.keyfactory.algorithm|null
password.encoder.old.secret|null
password.encoder.secret|null
principal.builder.class|class org.apache.kafka.common.security.authenticator.DefaultKafkaPrincipalBuilder
process.roles|[]
producer.id.expiration.check.interval.ms|600000
producer.id.expiration.ms|86400000
producer.purgatory.purge.interval.requests|1000
queued.max.request.bytes|-1
queued.max.requests|500
quota.window.num|11
quota.window.size.seconds|1
remote.log.index.file.cache.total.size.bytes|1073741824
remote.log.manager.task.interval.ms|30000
remote.log.manager.task.retry.backoff.max.ms|30000
remote.log.manager.task.retry.backoff.ms|500
remote.log.manager.task.retry.jitter|0.2
remote.log.manager.thread.pool.size|10
remote.log.metadata.custom.metadata.max.bytes|128
remote.log.metadata.manager.class.name|org.apache.kafka.server.log.remote.metadata.storage.TopicBasedRemoteLogMetadataManager
remote.log.metadata.manager.class.path|null
remote.log.metadata.manager.impl.prefix|rlmm.config.
remote.log.metadata.manager.listener.name|null
remote.log.reader.max.pending.tasks|100
remote.log.reader.threads|10
remote.log.storage.manager.class.name|null
remote.log.storage.manager.class.path|null
remote.log.storage.manager.impl.prefix|rsm.config.
remote.log.storage.system.enable|false
replica.fetch.backoff.ms|1000
replica.fetch.max.bytes|1048576
replica.fetch.min.bytes|1
replica.fetch.response.max.bytes|10485760
replica.fetch.wait.max.ms|500
replica.high.watermark.checkpoint.interval.ms|5000
replica.lag.time.max.ms|30000
replica.selector.class|null
replica.socket.receive.buffer.bytes|65536
replica.socket.timeout.ms|30000
replication.quota.window.num|11
replication.quota.window.size.seconds|1
request.timeout.ms|30000
reserved.broker.max.id|1000
sasl.client.callback.handler.class|null
sasl.enabled.mechanisms|[GSSAPI]
sasl.jaas.config|null
sasl.kerberos.kinit.cmd|/usr/bin/kinit
sasl.kerberos.min.time.before.relogin|60000
sasl.kerberos.principal.to.local.rules|[DEFAULT]
sasl.kerberos.service.name|null
sasl.kerberos.ticket.renew.jitter|0.05
sasl.kerberos.ticket.renew.window.factor|0.8
sasl.login.callback.handler.class|null
sasl.login.class|null
sasl.login.connect.timeout.ms|null
sasl.login.read.timeout.ms|null
sasl.login.refresh.buffer.seconds|300
sasl.login.refresh.min.period.seconds|60
sasl.login.refresh.window.factor|0.8
sasl.login.refresh.window.jitter|0.05
sasl.login.retry.backoff.max.ms|10000
sasl.login.retry.backoff.ms|100
sasl.mechanism.controller.protocol|GSSAPI
sasl.mechanism.inter.broker.protocol|GSSAPI
sasl.oauthbearer.clock.skew.seconds|30
sasl.oauthbearer.expected.audience|null
sasl.oauthbearer.expected.issuer|null
sasl.oauthbearer.jwks.endpoint.refresh.ms|3600000
sasl.oauthbearer.jwks.endpoint.retry.backoff.max.ms|10000
sasl.oauthbearer.jwks.endpoint.retry.backoff.ms|100
sasl.oauthbearer.jwks.endpoint.url|null
sasl.oauthbearer.scope.claim.name|scope
sasl.oauthbearer.sub.claim.name|sub
sasl.oauthbearer.token.endpoint.url|null
sasl.server.callback.handler.class|null
sasl.server.max.receive.size|524288
security.inter.broker.protocol|PLAINTEXT
security.providers|null
server.max.startup.time.ms|9223372036854775807
socket.connection.setup.timeout.max.ms|30000
socket.connection.setup.timeout.ms|10000
socket.listen.backlog.size|50
socket.receive.buffer.bytes|102400
socket.request.max.bytes|104857600
socket.send.buffer.bytes|102400
ssl.cipher.suites|[]
ssl.client.auth|none
ssl.enabled.protocols|[TLSv1.2, TLSv1.3]
ssl.endpoint.identification.algorithm|https
ssl.engine.factory.class|null
ssl.key.password|null
ssl.keymanager.algorithm|SunX509
ssl.keystore.certificate.chain|null
ssl.keystore.key|null
ssl.keystore.location|null
ssl.keystore.password|null
ssl.keystore.type|JKS
ssl.principal.mapping.rules|DEFAULT
ssl.protocol|TLSv1.3
ssl.provider|null
ssl.secure.random.implementation|null
ssl.trustmanager.algorithm|PKIX
ssl.truststore.certificates|null
ssl.truststore.location|null
ssl.truststore.password|null
ssl.truststore.type|JKS
telemetry.max.bytes|1048576
transaction.abort.timed.out.transaction.cleanup.interval.ms|10000
transaction.max.timeout.ms|900000
transaction.partition.verification.enable|true
transaction.remove.expired.transaction.cleanup.interval.ms|3600000
transaction.state.log.load.buffer.size|5242880
transaction.state.log.min.isr|2
transaction.state.log.num.partitions|50
transaction.state.log.replication.factor|3
transaction.state.log.segment.bytes|104857600
transactional.id.expiration.ms|604800000
unclean.leader.election.enable|false
unstable.api.versions.enable|false
unstable.metadata.versions.enable|false
zookeeper.clientCnxnSocket|null
zookeeper.connect|{zk}
zookeeper.connection.timeout.ms|null
zookeeper.max.in.flight.requests|10
zookeeper.metadata.migration.enable|false
zookeeper.session.timeout.ms|18000
zookeeper.set.acl|false
zookeeper.ssl.cipher.suites|null
zookeeper.ssl.client.enable|false
zookeeper.ssl.crl.enable|false
zookeeper.ssl.enabled.protocols|null
zookeeper.ssl.endpoint.identification.algorithm|HTTPS
zookeeper.ssl.keystore.location|null
zookeeper.ssl.keystore.password|null
zookeeper.ssl.keystore.type|null
zookeeper.ssl.ocsp.enable|false
zookeeper.ssl.protocol|TLSv1.2
zookeeper.ssl.truststore.location|null
zookeeper.ssl.truststore.password|null
zookeeper.ssl.truststore.type|null"""

_PRODUCER_DEFAULTS = """\
acks|-1
auto.include.jmx.reporter|true
batch.size|16384
bootstrap.servers|[kafka-1:9092, kafka-2:9092, kafka-3:9092]
buffer.memory|33554432
client.dns.lookup|use_all_dns_ips
client.id|{client_id}
compression.type|none
connections.max.idle.ms|540000
delivery.timeout.ms|120000
enable.idempotence|true
enable.metrics.push|true
interceptor.classes|[]
key.serializer|class org.apache.kafka.common.serialization.StringSerializer
linger.ms|0
max.block.ms|60000
max.in.flight.requests.per.connection|5
max.request.size|1048576
metadata.max.age.ms|300000
metadata.max.idle.ms|300000
metric.reporters|[]
metrics.num.samples|2
metrics.recording.level|INFO
metrics.sample.window.ms|30000
partitioner.adaptive.partitioning.enable|true
partitioner.availability.timeout.ms|0
partitioner.class|null
partitioner.ignore.keys|false
receive.buffer.bytes|32768
reconnect.backoff.max.ms|1000
reconnect.backoff.ms|50
request.timeout.ms|30000
retries|2147483647
retry.backoff.max.ms|1000
retry.backoff.ms|100
sasl.client.callback.handler.class|null
sasl.jaas.config|null
sasl.kerberos.kinit.cmd|/usr/bin/kinit
sasl.kerberos.min.time.before.relogin|60000
sasl.kerberos.service.name|null
sasl.kerberos.ticket.renew.jitter|0.05
sasl.kerberos.ticket.renew.window.factor|0.8
sasl.login.callback.handler.class|null
sasl.login.class|null
sasl.login.connect.timeout.ms|null
sasl.login.read.timeout.ms|null
sasl.login.refresh.buffer.seconds|300
sasl.login.refresh.min.period.seconds|60
sasl.login.refresh.window.factor|0.8
sasl.login.refresh.window.jitter|0.05
sasl.login.retry.backoff.max.ms|10000
sasl.login.retry.backoff.ms|100
sasl.mechanism|GSSAPI
sasl.oauthbearer.clock.skew.seconds|30
sasl.oauthbearer.expected.audience|null
sasl.oauthbearer.expected.issuer|null
sasl.oauthbearer.jwks.endpoint.refresh.ms|3600000
sasl.oauthbearer.jwks.endpoint.retry.backoff.max.ms|10000
sasl.oauthbearer.jwks.endpoint.retry.backoff.ms|100
sasl.oauthbearer.jwks.endpoint.url|null
sasl.oauthbearer.scope.claim.name|scope
sasl.oauthbearer.sub.claim.name|sub
sasl.oauthbearer.token.endpoint.url|null
security.protocol|PLAINTEXT
security.providers|null
send.buffer.bytes|131072
socket.connection.setup.timeout.max.ms|30000
socket.connection.setup.timeout.ms|10000
ssl.cipher.suites|null
ssl.enabled.protocols|[TLSv1.2, TLSv1.3]
ssl.endpoint.identification.algorithm|https
ssl.engine.factory.class|null
ssl.key.password|null
ssl.keymanager.algorithm|SunX509
ssl.keystore.certificate.chain|null
ssl.keystore.key|null
ssl.keystore.location|null
ssl.keystore.password|null
ssl.keystore.type|JKS
ssl.protocol|TLSv1.3
ssl.provider|null
ssl.secure.random.implementation|null
ssl.trustmanager.algorithm|PKIX
ssl.truststore.certificates|null
ssl.truststore.location|null
ssl.truststore.password|null
ssl.truststore.type|JKS
transaction.timeout.ms|60000
transactional.id|null
value.serializer|class org.apache.kafka.common.serialization.StringSerializer"""


def _dump(name: str, table: str, values: dict[str, str]) -> str:
    pairs = dict(line.split("|", 1) for line in table.splitlines())
    pairs.update(values)
    body = "".join(f"\t{k} = {v.format(**_FIELDS) if '{' in v else v}\n" for k, v in sorted(pairs.items()))
    return f"{name} values: \n{body}"


_FIELDS = {"ibp": sc.INTER_BROKER_PROTOCOL, "log_dir": sc.LOG_DIR, "zk": sc.ZK_CONNECT}


def kafka_config(broker_id: int) -> str:
    """Message of ``KafkaConfig values:`` for a broker (ends with a newline; logger goes after it)."""
    return _dump(
        "KafkaConfig",
        _BROKER_DEFAULTS,
        {
            "broker.id": str(broker_id),
            "node.id": str(broker_id),
            "advertised.listeners": f"PLAINTEXT://kafka-{broker_id}:9092",
        },
    )


def producer_config(client_id: str, overrides: dict[str, str]) -> str:
    """Message of ``ProducerConfig values:`` for kafka-clients 3.7 (90 keys)."""
    return _dump("ProducerConfig", _PRODUCER_DEFAULTS, {"client.id": client_id, **overrides})


PRODUCER_CONFIG_KEYS = len(_PRODUCER_DEFAULTS.splitlines())

OOM = "java.lang.OutOfMemoryError: Java heap space\n"

OOM_PRODUCE = (
    OOM
    + """\
\tat java.base/java.util.HashMap.resize(HashMap.java:702)
\tat java.base/java.util.HashMap.putVal(HashMap.java:661)
\tat java.base/java.util.HashMap.put(HashMap.java:610)
\tat org.apache.kafka.storage.internals.log.ProducerStateManager.update(ProducerStateManager.java:534)
\tat kafka.log.UnifiedLog.$anonfun$append$2(UnifiedLog.scala:889)
\tat kafka.log.UnifiedLog.append(UnifiedLog.scala:1932)
\tat kafka.log.UnifiedLog.appendAsLeader(UnifiedLog.scala:734)
\tat kafka.cluster.Partition.$anonfun$appendRecordsToLeader$1(Partition.scala:1379)
\tat kafka.cluster.Partition.appendRecordsToLeader(Partition.scala:1367)
\tat kafka.server.ReplicaManager.$anonfun$appendToLocalLog$6(ReplicaManager.scala:1374)
\tat scala.collection.StrictOptimizedMapOps.map(StrictOptimizedMapOps.scala:28)
\tat scala.collection.StrictOptimizedMapOps.map$(StrictOptimizedMapOps.scala:27)
\tat scala.collection.mutable.HashMap.map(HashMap.scala:35)
\tat kafka.server.ReplicaManager.appendToLocalLog(ReplicaManager.scala:1362)
\tat kafka.server.ReplicaManager.appendRecords(ReplicaManager.scala:798)
\tat kafka.server.KafkaApis.handleProduceRequest(KafkaApis.scala:710)
\tat kafka.server.KafkaApis.handle(KafkaApis.scala:190)
\tat kafka.server.KafkaRequestHandler.run(KafkaRequestHandler.scala:154)
\tat java.base/java.lang.Thread.run(Thread.java:840)
"""
)

OOM_FETCH = (
    OOM
    + """\
\tat java.base/java.nio.HeapByteBuffer.<init>(HeapByteBuffer.java:64)
\tat java.base/java.nio.ByteBuffer.allocate(ByteBuffer.java:363)
\tat org.apache.kafka.common.memory.MemoryPool$1.tryAllocate(MemoryPool.java:30)
\tat org.apache.kafka.common.network.NetworkReceive.readFrom(NetworkReceive.java:102)
\tat org.apache.kafka.common.network.KafkaChannel.receive(KafkaChannel.java:452)
\tat org.apache.kafka.common.network.KafkaChannel.read(KafkaChannel.java:402)
\tat org.apache.kafka.common.network.Selector.attemptRead(Selector.java:674)
\tat org.apache.kafka.common.network.Selector.pollSelectionKeys(Selector.java:576)
\tat org.apache.kafka.common.network.Selector.poll(Selector.java:481)
\tat org.apache.kafka.clients.NetworkClient.poll(NetworkClient.java:585)
\tat org.apache.kafka.clients.NetworkClientUtils.sendAndReceive(NetworkClientUtils.java:106)
\tat kafka.server.BrokerBlockingSender.sendRequest(BrokerBlockingSender.scala:113)
\tat kafka.server.RemoteLeaderEndPoint.fetch(RemoteLeaderEndPoint.scala:79)
\tat kafka.server.AbstractFetcherThread.processFetchRequest(AbstractFetcherThread.scala:316)
\tat kafka.server.AbstractFetcherThread.$anonfun$maybeFetch$3(AbstractFetcherThread.scala:130)
\tat kafka.server.AbstractFetcherThread.maybeFetch(AbstractFetcherThread.scala:129)
\tat kafka.server.AbstractFetcherThread.doWork(AbstractFetcherThread.scala:112)
\tat org.apache.kafka.server.util.ShutdownableThread.run(ShutdownableThread.java:130)
"""
)

FETCH_DISCONNECTED = """\
java.io.IOException: Connection to {leader} was disconnected before the response was read
\tat org.apache.kafka.clients.NetworkClientUtils.sendAndReceive(NetworkClientUtils.java:99)
\tat kafka.server.BrokerBlockingSender.sendRequest(BrokerBlockingSender.scala:113)
\tat kafka.server.RemoteLeaderEndPoint.fetch(RemoteLeaderEndPoint.scala:79)
\tat kafka.server.AbstractFetcherThread.processFetchRequest(AbstractFetcherThread.scala:316)
\tat kafka.server.AbstractFetcherThread.$anonfun$maybeFetch$3(AbstractFetcherThread.scala:130)
\tat kafka.server.AbstractFetcherThread.$anonfun$maybeFetch$3$adapted(AbstractFetcherThread.scala:129)
\tat scala.Option.foreach(Option.scala:437)
\tat kafka.server.AbstractFetcherThread.maybeFetch(AbstractFetcherThread.scala:129)
\tat kafka.server.AbstractFetcherThread.doWork(AbstractFetcherThread.scala:112)
\tat org.apache.kafka.server.util.ShutdownableThread.run(ShutdownableThread.java:130)
"""

FETCH_CONNECT_TIMEOUT = FETCH_DISCONNECTED.replace(
    "java.io.IOException: Connection to {leader} was disconnected before the response was read\n"
    "\tat org.apache.kafka.clients.NetworkClientUtils.sendAndReceive(NetworkClientUtils.java:99)\n",
    "java.net.SocketTimeoutException: Failed to connect within 30000 ms\n"
    "\tat kafka.server.BrokerBlockingSender.sendRequest(BrokerBlockingSender.scala:111)\n",
).replace("\tat kafka.server.BrokerBlockingSender.sendRequest(BrokerBlockingSender.scala:113)\n", "", 1)

INVALID_RECEIVE = """\
org.apache.kafka.common.network.InvalidReceiveException: Invalid receive (size = 1195725856 larger than 104857600)
\tat org.apache.kafka.common.network.NetworkReceive.readFrom(NetworkReceive.java:94)
\tat org.apache.kafka.common.network.KafkaChannel.receive(KafkaChannel.java:452)
\tat org.apache.kafka.common.network.KafkaChannel.read(KafkaChannel.java:402)
\tat org.apache.kafka.common.network.Selector.attemptRead(Selector.java:674)
\tat org.apache.kafka.common.network.Selector.pollSelectionKeys(Selector.java:576)
\tat org.apache.kafka.common.network.Selector.poll(Selector.java:481)
\tat kafka.network.Processor.poll(SocketServer.scala:1144)
\tat kafka.network.Processor.run(SocketServer.scala:1047)
\tat java.base/java.lang.Thread.run(Thread.java:840)
"""

COMPACTED_NO_KEY = """\
org.apache.kafka.common.InvalidRecordException: One or more records have been rejected due to 1 record errors \
in total, \
and only showing the first error message: Compacted topic cannot accept message without key in topic partition {tp}.
"""

ZK_SESSION_TIMEOUT = """\
org.apache.zookeeper.ClientCnxn$SessionTimeoutException: Client session timed out, have not heard from server \
in {ms}ms \
for session id 0x{sid}
\tat org.apache.zookeeper.ClientCnxn$SendThread.run(ClientCnxn.java:1257)
"""

ZK_SESSION_EXPIRED = """\
org.apache.zookeeper.ClientCnxn$SessionExpiredException: Unable to reconnect to ZooKeeper service, session 0x{sid} \
has expired
\tat org.apache.zookeeper.ClientCnxn$SendThread.onConnected(ClientCnxn.java:1443)
\tat org.apache.zookeeper.ClientCnxnSocket.readConnectResult(ClientCnxnSocket.java:154)
\tat org.apache.zookeeper.ClientCnxnSocketNIO.doIO(ClientCnxnSocketNIO.java:86)
\tat org.apache.zookeeper.ClientCnxnSocketNIO.doTransport(ClientCnxnSocketNIO.java:350)
\tat org.apache.zookeeper.ClientCnxn$SendThread.run(ClientCnxn.java:1289)
"""

CONTROLLER_MOVED = """\
org.apache.kafka.common.errors.ControllerMovedException: Controller moved to another broker. Aborting controller \
startup procedure
"""

CLASSPATH = ":".join(
    f"/opt/kafka/bin/../libs/{jar}"
    for jar in (
        "activation-1.1.1.jar",
        "aopalliance-repackaged-2.6.1.jar",
        "argparse4j-0.7.0.jar",
        "audience-annotations-0.12.0.jar",
        "caffeine-2.9.3.jar",
        "checker-qual-3.19.0.jar",
        "commons-beanutils-1.9.4.jar",
        "commons-cli-1.4.jar",
        "commons-collections-3.2.2.jar",
        "commons-digester-2.1.jar",
        "commons-io-2.11.0.jar",
        "commons-lang3-3.8.1.jar",
        "commons-logging-1.2.jar",
        "commons-validator-1.7.jar",
        "connect-api-3.7.1.jar",
        "connect-basic-auth-extension-3.7.1.jar",
        "connect-json-3.7.1.jar",
        "connect-mirror-3.7.1.jar",
        "connect-mirror-client-3.7.1.jar",
        "connect-runtime-3.7.1.jar",
        "connect-transforms-3.7.1.jar",
        "error_prone_annotations-2.10.0.jar",
        "hk2-api-2.6.1.jar",
        "hk2-locator-2.6.1.jar",
        "hk2-utils-2.6.1.jar",
        "jackson-annotations-2.16.2.jar",
        "jackson-core-2.16.2.jar",
        "jackson-databind-2.16.2.jar",
        "jackson-dataformat-csv-2.16.2.jar",
        "jackson-datatype-jdk8-2.16.2.jar",
        "jackson-jaxrs-base-2.16.2.jar",
        "jackson-jaxrs-json-provider-2.16.2.jar",
        "jackson-module-afterburner-2.16.2.jar",
        "jackson-module-jaxb-annotations-2.16.2.jar",
        "jackson-module-scala_2.13-2.16.2.jar",
        "jakarta.activation-api-1.2.2.jar",
        "jakarta.annotation-api-1.3.5.jar",
        "jakarta.inject-2.6.1.jar",
        "jakarta.validation-api-2.0.2.jar",
        "jakarta.ws.rs-api-2.1.6.jar",
        "jakarta.xml.bind-api-2.3.3.jar",
        "javassist-3.29.2-GA.jar",
        "javax.activation-api-1.2.0.jar",
        "javax.annotation-api-1.3.2.jar",
        "javax.servlet-api-3.1.0.jar",
        "javax.ws.rs-api-2.1.1.jar",
        "jaxb-api-2.3.1.jar",
        "jersey-client-2.39.1.jar",
        "jersey-common-2.39.1.jar",
        "jersey-container-servlet-2.39.1.jar",
        "jersey-container-servlet-core-2.39.1.jar",
        "jersey-hk2-2.39.1.jar",
        "jersey-server-2.39.1.jar",
        "jetty-client-9.4.54.v20240208.jar",
        "jetty-continuation-9.4.54.v20240208.jar",
        "jetty-http-9.4.54.v20240208.jar",
        "jetty-io-9.4.54.v20240208.jar",
        "jetty-security-9.4.54.v20240208.jar",
        "jetty-server-9.4.54.v20240208.jar",
        "jetty-servlet-9.4.54.v20240208.jar",
        "jetty-servlets-9.4.54.v20240208.jar",
        "jetty-util-9.4.54.v20240208.jar",
        "jetty-util-ajax-9.4.54.v20240208.jar",
        "jline-3.25.1.jar",
        "jopt-simple-5.0.4.jar",
        "jose4j-0.9.4.jar",
        "jsr305-3.0.2.jar",
        "kafka-clients-3.7.1.jar",
        "kafka-group-coordinator-3.7.1.jar",
        "kafka-log4j-appender-3.7.1.jar",
        "kafka-metadata-3.7.1.jar",
        "kafka-raft-3.7.1.jar",
        "kafka-server-3.7.1.jar",
        "kafka-server-common-3.7.1.jar",
        "kafka-shell-3.7.1.jar",
        "kafka-storage-3.7.1.jar",
        "kafka-storage-api-3.7.1.jar",
        "kafka-streams-3.7.1.jar",
        "kafka-streams-examples-3.7.1.jar",
        "kafka-streams-scala_2.13-3.7.1.jar",
        "kafka-streams-test-utils-3.7.1.jar",
        "kafka-tools-3.7.1.jar",
        "kafka-tools-api-3.7.1.jar",
        "kafka_2.13-3.7.1.jar",
        "lz4-java-1.8.0.jar",
        "maven-artifact-3.8.8.jar",
        "metrics-core-2.2.0.jar",
        "metrics-core-4.1.12.1.jar",
        "netty-buffer-4.1.110.Final.jar",
        "netty-codec-4.1.110.Final.jar",
        "netty-common-4.1.110.Final.jar",
        "netty-handler-4.1.110.Final.jar",
        "netty-resolver-4.1.110.Final.jar",
        "netty-transport-4.1.110.Final.jar",
        "netty-transport-classes-epoll-4.1.110.Final.jar",
        "netty-transport-native-epoll-4.1.110.Final.jar",
        "netty-transport-native-unix-common-4.1.110.Final.jar",
        "opentelemetry-proto-1.0.0-alpha.jar",
        "osgi-resource-locator-1.0.3.jar",
        "paranamer-2.8.jar",
        "pcollections-4.0.1.jar",
        "plexus-utils-3.5.1.jar",
        "protobuf-java-3.23.4.jar",
        "reflections-0.10.2.jar",
        "reload4j-1.2.25.jar",
        "rocksdbjni-7.9.2.jar",
        "scala-collection-compat_2.13-2.10.0.jar",
        "scala-java8-compat_2.13-1.0.2.jar",
        "scala-library-2.13.12.jar",
        "scala-logging_2.13-3.9.4.jar",
        "scala-reflect-2.13.12.jar",
        "slf4j-api-1.7.36.jar",
        "slf4j-reload4j-1.7.36.jar",
        "snappy-java-1.1.10.5.jar",
        "swagger-annotations-2.2.8.jar",
        "trogdor-3.7.1.jar",
        "zookeeper-3.8.4.jar",
        "zookeeper-jute-3.8.4.jar",
        "zstd-jni-1.5.6-3.jar",
    )
)

CLIENT_TIMEOUT_EXPIRED = """\
org.apache.kafka.common.errors.TimeoutException: Expiring {n} record(s) for {tp}:120000 ms has passed since \
batch creation
"""

CLIENT_NOT_ENOUGH_REPLICAS = """\
org.apache.kafka.common.errors.NotEnoughReplicasException: Messages are rejected since there are fewer in-sync \
replicas \
than required.
"""
