"""forensics.secrets: secret values masked in place, everything else byte-identical."""

from __future__ import annotations

import json

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forensics.secrets import MARKER, _mask_all, mask_secrets


def masked(*lines: str) -> tuple[list[str], int]:
    out, count = mask_secrets(pl.Series("line", list(lines)))
    return out.to_list(), count


def mask_one(line: str) -> str:
    return masked(line)[0][0]


# ── a Kafka config dump ───────────────────────────────────────────────────────────────────────────────

DUMP = [
    "[2025-08-28 01:58:02,114] INFO KafkaConfig values: ",
    "\tadvertised.listeners = SASL_SSL://kafka-1.kafka:9093",
    "\tauthorizer.class.name = ",
    "\tdelegation.token.expiry.check.interval.ms = 3600000",
    "\tdelegation.token.expiry.time.ms = 86400000",
    "\tdelegation.token.master.key = null",
    "\tdelegation.token.max.lifetime.ms = 604800000",
    "\tdelegation.token.secret.key = null",
    "\tlisteners = SASL_SSL://0.0.0.0:9093",
    "\tpassword.encoder.cipher.algorithm = AES/CBC/PKCS5Padding",
    "\tpassword.encoder.iterations = 4096",
    "\tpassword.encoder.key.length = 128",
    "\tpassword.encoder.secret = null",
    '\tsasl.jaas.config = org.apache.kafka.common.security.plain.PlainLoginModule required username="alice" password="s3cr3t";',
    "\tsasl.oauthbearer.token.endpoint.url = null",
    "\tssl.key.password = changeit",
    "\tssl.keystore.location = /etc/kafka/secrets/kafka.keystore.jks",
    "\tssl.keystore.password = [hidden]",
    "\tssl.truststore.password = null",
    "\tzookeeper.ssl.keystore.password = ",
    " (kafka.server.KafkaConfig)",
]


def test_a_kafka_config_dump_masks_the_secret_values_only() -> None:
    out, count = masked(*DUMP)
    expected = list(DUMP)
    expected[13] = "\tsasl.jaas.config = [masked]"
    expected[15] = "\tssl.key.password = [masked]"
    assert out == expected
    assert count == 2


@pytest.mark.parametrize("line", [
    "\tssl.keystore.password = [hidden]",  # Kafka's own mask
    "\tssl.truststore.password = null",
    "\tssl.key.password = ",
    "\tdelegation.token.expiry.time.ms = 86400000",
    "\tpassword.encoder.iterations = 4096",
    "\tpassword.encoder.cipher.algorithm = AES/CBC/PKCS5Padding",
    "\tsasl.oauthbearer.token.endpoint.url = https://idp.example.com/oauth2/token",
    "\tsasl.oauthbearer.client.credentials.client.id = forensics",
    "\tbasic.auth.credentials.source = USER_INFO",
    "\tmax.poll.records = 500",
    "[2023-03-22 11:05:48,900] INFO [fulfillment-connector|task-0]    database.password = ******** (io.debezium.connector.common.BaseSourceTask:132)",
    "[2025-08-28 02:00:01,000] INFO Updated config {ssl.key.password=[hidden], sasl.jaas.config=[hidden]} (kafka.server.DynamicBrokerConfig)",
])
def test_kept_values_and_settings_are_untouched_and_not_counted(line: str) -> None:
    assert masked(line) == ([line], 0)


@pytest.mark.parametrize(("line", "expected"), [
    ("\tssl.key.password = changeit", "\tssl.key.password = [masked]"),
    ("\tdelegation.token.secret.key = 5upers3cret", "\tdelegation.token.secret.key = [masked]"),
    ("\tsasl.oauthbearer.client.credentials.client.secret = abc123", "\tsasl.oauthbearer.client.credentials.client.secret = [masked]"),
    ("\tbasic.auth.user.info = registry:pa55", "\tbasic.auth.user.info = [masked]"),
    ("\tssl.truststore.password = two words", "\tssl.truststore.password = [masked]"),
])
def test_dump_lines_lose_the_whole_value(line: str, expected: str) -> None:
    assert masked(line) == ([expected], 1)


# ── JSON, key=value, key: value ──────────────────────────────────────────────────────────────────────

def test_a_json_password_is_masked_and_the_json_stays_valid() -> None:
    line = '{"password":"p@ss","user":"x"}'
    out = mask_one(line)
    assert out == '{"password":"[masked]","user":"x"}'
    assert json.loads(out) == {"password": MARKER, "user": "x"}


@pytest.mark.parametrize(("line", "expected"), [
    ('{"password": null, "token": "abc", "n": 1}', '{"password": null, "token": "[masked]", "n": 1}'),
    ('{"secretCode": 12345, "tokenCount": 3, "enabled": true}', '{"secretCode": "[masked]", "tokenCount": 3, "enabled": true}'),
    ('{"apiKey": "AIzaSyD-9tSrke72", "requestApiKey": 0}', '{"apiKey": "[masked]", "requestApiKey": 0}'),
    ('{"clientSecret": "a\\"b", "password": ""}', '{"clientSecret": "[masked]", "password": ""}'),
    ('{"msg":"{\\"password\\":\\"abc\\",\\"u\\":1}"}', '{"msg":"{\\"password\\":\\"[masked]\\",\\"u\\":1}"}'),
    ('{"sasl.jaas.config": "org.apache.kafka.common.security.scram.ScramLoginModule required username=\\"bob\\" password=\\"x\\";"}',
     '{"sasl.jaas.config": "[masked]"}'),
])
def test_json_values(line: str, expected: str) -> None:
    assert mask_one(line) == expected
    assert json.loads(mask_one(line)) is not None


@pytest.mark.parametrize(("line", "expected"), [
    ("{'password': 'x', 'user': 'y'}", "{'password': '[masked]', 'user': 'y'}"),
    ("Config(user=x, password=abc, retries=3)", "Config(user=x, password=[masked], retries=3)"),
    ("Foo{password='abc', x=1}", "Foo{password='[masked]', x=1}"),
    ("jdbc:postgresql://db:5432/app?user=app&password=pa55&ssl=true", "jdbc:postgresql://db:5432/app?user=app&password=[masked]&ssl=true"),
    ("KAFKA_SSL_KEY_PASSWORD=changeit KAFKA_DELEGATION_TOKEN_EXPIRY_TIME_MS=100", "KAFKA_SSL_KEY_PASSWORD=[masked] KAFKA_DELEGATION_TOKEN_EXPIRY_TIME_MS=100"),
    ("accessToken=abc tokenExpiryMs=100 dbPassword: x", "accessToken=[masked] tokenExpiryMs=100 dbPassword: [masked]"),
    ("X-Api-Key: k-123", "X-Api-Key: [masked]"),
    ("X-Auth-Token: abc", "X-Auth-Token: [masked]"),
    ("token: a password: b", "token: [masked] password: [masked]"),
    ("apiKey: 3f9c0d", "apiKey: [masked]"),
    ("api.key=PRODUCE", "api.key=[masked]"),
    ("login with password = hunter2 failed", "login with password = [masked] failed"),
    ("credentials=[alice, bob]", "credentials=[masked]"),
    ('export SECRET="a b c"', 'export SECRET="[masked]"'),
    ('sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="alice" password="s3cr3t";',
     'sasl.jaas.config=[masked] required username="alice" password="[masked]";'),
    ("ScramLoginModule required username='alice' password='s3cr3t';", "ScramLoginModule required username='alice' password='[masked]';"),
    ('a cut line: sasl.jaas.config="org.apache.kafka.common.security.plain.PlainLoginModule required password=\'s3', 'a cut line: sasl.jaas.config="[masked]'),
    ('{"user":"x","password":"p@ss', '{"user":"x","password":"[masked]'),
])
def test_key_value_forms(line: str, expected: str) -> None:
    assert masked(line) == ([expected], 1)


# ── Authorization headers, URLs, JWTs ─────────────────────────────────────────────────────────────────

@pytest.mark.parametrize(("line", "expected"), [
    ("2025-08-28 01:58:03.120 DEBUG o.a.k.c.s.o.i.s.HttpAccessTokenRetriever - POST /token Authorization: Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJrYWZrYSJ9.c2lnbmF0dXJl",
     "2025-08-28 01:58:03.120 DEBUG o.a.k.c.s.o.i.s.HttpAccessTokenRetriever - POST /token Authorization: Bearer [masked]"),
    ("headers={Authorization=Basic dXNlcjpwYXNz, Accept=*/*}", "headers={Authorization=Basic [masked], Accept=*/*}"),
    ('[Authorization:"Bearer abc.def-ghi", Accept:"application/json"]', '[Authorization:"Bearer [masked]", Accept:"application/json"]'),
    ('{"authorization": "Bearer opaque-token-123"}', '{"authorization": "Bearer [masked]"}'),
    ("sent token eyJhbGciOiJub25lIn0.eyJzdWIiOiJib2IifQ. to the broker", "sent token [masked] to the broker"),
])
def test_authorization_headers_and_jwts(line: str, expected: str) -> None:
    assert masked(line) == ([expected], 1)


@pytest.mark.parametrize(("line", "expected"), [
    ("connecting to https://alice:hunter2@registry.example.com:8081/subjects",
     "connecting to https://alice:[masked]@registry.example.com:8081/subjects"),
    ("schema.registry.url=http://sr:p@ss:w0rd@sr.internal:8081", "schema.registry.url=http://sr:[masked]@sr.internal:8081"),
])
def test_a_urls_user_password_is_masked(line: str, expected: str) -> None:
    assert masked(line) == ([expected], 1)


# ── what is not a secret ──────────────────────────────────────────────────────────────────────────────

@pytest.mark.parametrize("line", [
    "[2025-08-28 01:58:02,114] INFO [LocalLog partition=orders-3, dir=/var/lib/kafka/data] Rolled new log segment at offset 10 in 3 ms. (kafka.log.LocalLog)",
    "tokenizer = standard",
    "TOKENIZER_MODE=fast",
    "secretary: Ann",
    "Authorization failed for user bob",
    "http://broker-1:8080/metrics?a=b@c",
    "listeners = PLAINTEXT://0.0.0.0:9092,SASL_SSL://:9093",
    "[2025-08-28 01:58:02,114] INFO [SocketServer listenerType=BROKER, nodeId=1] Failed authentication with /10.1.0.7 (channelId=10.1.0.5:9093-10.1.0.7:51150-7) (Authentication failed: Invalid username or password) (org.apache.kafka.common.network.Selector)",
    "[2025-05-14 23:11:14,666] INFO [MetadataLoader id=10] InitializeNewPublishers: initializing DelegationTokenPublisher controller id=10 (org.apache.kafka.image.loader.MetadataLoader)",
    "2024-01-01 INFO 1 --- [main] o.a.k.c.s.o.i.s.HttpAccessTokenRetriever : Retrieving token",
    "password= user=bob",
    "Authorization: Bearer [masked]",
    # Kafka's protocol "apiKey" is a request type, and the controller's event names are not keys
    "[2025-08-28 04:06:31,602] ERROR [KafkaApi-1] Unexpected error handling request RequestHeader(apiKey=PRODUCE, apiVersion=9, clientId=producer-30551, correlationId=5, headerVersion=2) (kafka.server.KafkaApis)",
    "[2025-08-28 04:06:31,602] DEBUG [NetworkClient clientId=admin-1] Sending API_VERSIONS request with header RequestHeader(apiKey=API_VERSIONS, apiVersion=3, clientId=admin-1, correlationId=0, headerVersion=2) and timeout 30000 to node -1 (org.apache.kafka.clients.NetworkClient)",
    '[2025-08-28 04:06:31,602] DEBUG Completed request:{"isForwarded":false,"requestHeader":{"requestApiKey":3,"requestApiVersion":12,"correlationId":1,"clientId":"adminclient-1","requestApiKeyName":"METADATA"},"request":{"topics":[]}} (kafka.request.logger)',
    "[2025-05-14 23:09:18,571] INFO [QuorumController id=10] expireDelegationTokens: event unable to start processing because of RejectedExecutionException (treated as TimeoutException). (org.apache.kafka.controller.QuorumController)",
    "[2025-05-14 23:09:18,571] INFO [QuorumController id=10] createDelegationToken: event failed with InvalidRequestException in 29 microseconds. (org.apache.kafka.controller.QuorumController)",
])
def test_lines_without_a_secret_come_back_identical(line: str) -> None:
    assert masked(line) == ([line], 0)


# ── the Series ────────────────────────────────────────────────────────────────────────────────────────

def test_the_series_keeps_its_length_order_name_and_nulls() -> None:
    lines = pl.Series("msg", ["a", "ssl.key.password=x", None, "b", '{"token":"t"}', ""])
    out, count = mask_secrets(lines)
    assert out.name == "msg"
    assert out.dtype == pl.String
    assert out.to_list() == ["a", "ssl.key.password=[masked]", None, "b", '{"token":"[masked]"}', ""]
    assert count == 2
    assert lines.to_list()[1] == "ssl.key.password=x"  # the input is not changed in place


def test_a_frame_without_secrets_is_returned_as_it_is() -> None:
    lines = pl.Series("line", [DUMP[0], DUMP[4], DUMP[17], "plain text"])
    out, count = mask_secrets(lines)
    assert count == 0
    assert out.to_list() == lines.to_list()
    assert mask_secrets(pl.Series("line", [], dtype=pl.String))[0].len() == 0


def test_the_count_is_lines_not_secrets() -> None:
    assert masked("password=a token=b", "secret: c", "nothing")[1] == 2


def test_masking_twice_changes_nothing_more() -> None:
    once, count = masked(*DUMP, '{"password":"p@ss"}', "Authorization: Bearer abc", "https://u:p@h", '{"pwd": 42}')
    assert count == 6
    assert masked(*once) == (once, 0)


# ── properties ────────────────────────────────────────────────────────────────────────────────────────

#: The pre-filter's literals, lower-cased: a line holding none of them (in any case) is never changed.
TRIGGER_WORDS = ("password", "passwd", "passphrase", "pwd", "secret", "token", "credential", "key", "jaas",
                 "userinfo", "user.info", "user_info", "user-info", "authorization", "://", "eyj")


def without_trigger_words(text: str) -> bool:
    folded = text.lower()
    return not any(word in folded for word in TRIGGER_WORDS)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text().filter(without_trigger_words)), max_size=30))
def test_text_without_trigger_words_is_returned_unchanged(lines: list[str | None]) -> None:
    series = pl.Series("line", lines, dtype=pl.String)
    out, count = mask_secrets(series)
    assert count == 0
    assert out.to_list() == lines


#: Pieces that make up lines with, and without, secrets.
PIECES = st.sampled_from([
    "password", "PassWord", "Password", "PASSWORD", "passwd", "pwd", "secret", "Secret", "token", "Token", "TOKEN",
    "tokenizer", "credentials", "api", "Api", "API", "key", "Key", "KEY", "jaas", "config", "Config", "user",
    "User", "USER", "info", "Info", "INFO", "Authorization", "AUTHORIZATION", "authorization", "Bearer", "basic",
    "eyJhbGciOi", "eyJzdWIi", "://", "https", "@", ":", "=", " = ", ": ", "\t", " ", ",", ";", "&", ".", "_", "-",
    '"', "'", "\\", "\\\"", "[", "]", "{", "}", "(", ")", "null", "NULL", "[hidden]", MARKER, "***", "ms",
    "bytes", "iterations", "Ms", "Id", "s3cr3t", "x", "42", "p@ss", "é",
])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(PIECES, max_size=14).map("".join), min_size=1, max_size=20))
def test_the_prefilter_never_skips_a_line_the_rules_would_change(lines: list[str]) -> None:
    series = pl.Series("line", lines)
    out, count = mask_secrets(series)
    every_row = _mask_all(series)
    assert out.to_list() == every_row.to_list()
    assert count == sum(a != b for a, b in zip(lines, every_row.to_list(), strict=True))
    assert out.len() == len(lines)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(PIECES, max_size=14).map("".join), min_size=1, max_size=20))
def test_masking_is_idempotent(lines: list[str]) -> None:
    once, _ = mask_secrets(pl.Series("line", lines))
    twice, count = mask_secrets(once)
    assert count == 0
    assert twice.to_list() == once.to_list()
