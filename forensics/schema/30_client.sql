-- Client applications and the changes made around them. Names and columns are a contract (README.md).
--   client_events  typed events of client logs, by the rules of parsers/event_rules/client.toml
--   rollouts       feature-flag changes from CSV / JSON Lines exports (parsers/exports)
--   deploys        deploys from CSV / JSON Lines exports
--   producers      view: one row per Kafka producer instance, rebuilt from client_events

CREATE TABLE IF NOT EXISTS client_events (
    source_id        INTEGER NOT NULL,
    host             VARCHAR,
    line_start       BIGINT NOT NULL,
    line_end         BIGINT NOT NULL,
    ts               TIMESTAMPTZ,
    kind             VARCHAR NOT NULL,  -- see README: producer_created, producer_id_set, producer_closing, produce_error, …
    level            VARCHAR,           -- of the record
    logger           VARCHAR,
    thread           VARCHAR,
    client_kind      VARCHAR,           -- producer | consumer | admin
    client_id        VARCHAR,
    transactional_id VARCHAR,
    group_id         VARCHAR,
    producer_id      BIGINT,
    epoch            BIGINT,
    node_id          INTEGER,           -- broker node id (-1, -2 … bootstrap servers)
    topic            VARCHAR,
    "partition"      INTEGER,
    error            VARCHAR,           -- NOT_LEADER_OR_FOLLOWER, LEADER_NOT_AVAILABLE, NotLeaderOrFollowerException …
    count            BIGINT,            -- attempts left, records expired, keys in a config dump
    timeout_ms       BIGINT,
    duration_ms      DOUBLE,
    acks             VARCHAR,
    idempotence      BOOLEAN,
    version          VARCHAR,           -- kafka-clients version ('~3.7': what a config dump's size says)
    commit_id        VARCHAR,
    start_time_ms    BIGINT,
    cluster_id       VARCHAR,
    pid              BIGINT,            -- of the JVM, from its start line
    java_version     VARCHAR,
    detail           VARCHAR
);

CREATE TABLE IF NOT EXISTS rollouts (
    source_id           INTEGER NOT NULL,
    host                VARCHAR,
    line_start          BIGINT NOT NULL,
    line_end            BIGINT NOT NULL,
    ts                  TIMESTAMPTZ,
    feature             VARCHAR NOT NULL,  -- flag key or name
    percentage          DOUBLE,            -- rollout share after the change (NULL: the change sets none)
    previous_percentage DOUBLE,            -- before it, where the export says
    actor               VARCHAR,
    note                VARCHAR,
    extra               JSON               -- every column the export has that is not one of the above
);

CREATE TABLE IF NOT EXISTS deploys (
    source_id  INTEGER NOT NULL,
    host       VARCHAR,
    line_start BIGINT NOT NULL,
    line_end   BIGINT NOT NULL,
    ts         TIMESTAMPTZ,             -- start of the deploy
    ts_end     TIMESTAMPTZ,             -- its end, where the export says
    service    VARCHAR NOT NULL,
    version    VARCHAR,
    status     VARCHAR,
    actor      VARCHAR,
    note       VARCHAR,
    extra      JSON
);

-- One row per producer instance. A producer's events are its client.id's events on its host and JVM
-- (a JVM is numbered by the `jvm_start` lines before it), cut into instances where one begins:
-- a config dump, an `Instantiated …` line that does not follow its config dump, or any line after
-- `App info … unregistered`. Events of a producer created before the logs begin form an instance 0
-- with created_at NULL. AppInfo lines carry no client.id: the version is the first
-- `Kafka version:` line after the creation, on the same thread of the same file.
CREATE OR REPLACE VIEW producers AS
WITH jvms AS (
    SELECT host, ts, pid, java_version,
           row_number() OVER (PARTITION BY host ORDER BY ts, source_id, line_start) AS jvm_no
    FROM client_events
    WHERE kind = 'jvm_start' AND ts IS NOT NULL
),
own AS (
    SELECT e.*, coalesce(j.jvm_no, 0) AS jvm_no
    FROM (SELECT * FROM client_events WHERE client_kind = 'producer' AND client_id IS NOT NULL) e
    ASOF LEFT JOIN jvms j ON e.host = j.host AND e.ts >= j.ts
),
marked AS (
    SELECT *,
           kind = 'producer_config'
           OR (kind = 'producer_created' AND coalesce(lag(kind) OVER w, '') <> 'producer_config')
           OR coalesce(lag(kind) OVER w = 'app_info_unregistered', false) AS starts
    FROM own
    WINDOW w AS (PARTITION BY host, jvm_no, client_id ORDER BY ts NULLS FIRST, source_id, line_start)
),
numbered AS (
    SELECT *,
           sum(starts::INTEGER) OVER (PARTITION BY host, jvm_no, client_id
                                      ORDER BY ts NULLS FIRST, source_id, line_start
                                      ROWS UNBOUNDED PRECEDING) AS instance
    FROM marked
),
instances AS (
    SELECT host, jvm_no, client_id, instance,
           min(ts) FILTER (WHERE kind IN ('producer_config', 'producer_created') AND instance > 0) AS created_at,
           arg_min(source_id, line_start) FILTER (WHERE kind IN ('producer_config', 'producer_created')) AS created_source,
           min(line_start) FILTER (WHERE kind IN ('producer_config', 'producer_created')) AS created_line,
           arg_min(thread, line_start) FILTER (WHERE kind IN ('producer_config', 'producer_created')) AS created_thread,
           any_value(transactional_id) FILTER (WHERE transactional_id IS NOT NULL) AS transactional_id,
           arg_max(producer_id, (ts, line_start)) FILTER (WHERE kind = 'producer_id_set' AND producer_id >= 0) AS producer_id,
           arg_max(epoch, (ts, line_start)) FILTER (WHERE kind = 'producer_id_set' AND producer_id >= 0) AS epoch,
           count(*) FILTER (WHERE kind = 'producer_id_set' AND producer_id >= 0) AS producer_id_sets,
           min(ts) FILTER (WHERE kind = 'producer_closing') AS closed_at,
           min(timeout_ms) FILTER (WHERE kind = 'producer_closing') AS close_timeout_ms,
           bool_or(kind = 'producer_force_close') AS force_closed,
           min(ts) FILTER (WHERE kind = 'app_info_unregistered') AS unregistered_at,
           any_value(cluster_id) FILTER (WHERE cluster_id IS NOT NULL) AS cluster_id,
           any_value(acks) FILTER (WHERE acks IS NOT NULL) AS acks,
           bool_or(idempotence) AS idempotent,
           any_value(version) FILTER (WHERE kind = 'producer_config') AS config_version,
           count(*) FILTER (WHERE level IN ('WARN', 'ERROR')) AS warnings,
           min(ts) AS first_seen,
           max(ts) AS last_seen,
           arg_min(source_id, (ts, line_start)) AS source_id,
           min(line_start) AS line_start
    FROM numbered
    GROUP BY ALL
),
versions AS (
    SELECT source_id, coalesce(thread, '') AS thread, line_start, version
    FROM client_events WHERE kind = 'client_version'
),
versioned AS (
    SELECT i.*, v.version AS appinfo_version
    FROM instances i
    ASOF LEFT JOIN versions v
      ON i.created_source = v.source_id AND coalesce(i.created_thread, '') = v.thread AND i.created_line < v.line_start
)
SELECT p.host, p.client_id, p.transactional_id, p.instance, p.created_at, p.producer_id, p.epoch,
       p.closed_at,
       (epoch_us(p.closed_at) - epoch_us(p.created_at)) / 1000.0 AS lifetime_ms,
       p.close_timeout_ms, p.force_closed, p.unregistered_at,
       coalesce(p.appinfo_version, p.config_version) AS client_version,
       CASE WHEN p.jvm_no > 0 THEN concat_ws(', ', 'pid ' || j.pid, 'Java ' || j.java_version) END AS jvm,
       p.cluster_id, p.acks, p.idempotent, p.producer_id_sets, p.warnings, p.first_seen, p.last_seen,
       p.source_id, p.line_start
FROM versioned p
LEFT JOIN jvms j ON j.host = p.host AND j.jvm_no = p.jvm_no
ORDER BY p.host, p.created_at NULLS FIRST, p.first_seen, p.client_id;
