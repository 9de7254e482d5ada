"""Mask secrets in log lines before they are stored: vectorised, and cheap on lines that hold none.

``mask_secrets(lines)`` takes a polars String Series (one log line a row, as the reader yields them) and
returns the same Series — same length, order and name — with each secret *value* replaced by
:data:`MARKER` (``[masked]``), plus the number of lines in which something was masked. The key and the
separator are kept, so a masked line still reads: ``ssl.key.password = [masked]``. A line with no secret
comes back byte-identical, and masking is idempotent (a masked line masks to itself, counted 0).

What is masked
--------------
1. **Secret keys.** A *key* is a run of ``A-Z a-z 0-9 . _ -``; it is a secret key when it holds one of the
   trigger words ``password``, ``passwd``, ``passphrase``, ``pwd``, ``secret``, ``token``, ``credential``,
   ``api.key``, ``private.key``, ``access.key``, ``keystore.key``, ``jaas.config``, ``user.info``, where a
   two-part trigger may be written with ``.``, ``_``, ``-`` or nothing between its parts (``api_key``,
   ``apiKey``), a trailing plural ``s`` and digits are allowed (``credentials``, ``password2``), and
   - each word is matched in its usual spellings only: ``password``, ``Password`` (also inside
     camelCase: ``dbPassword``) or ``PASSWORD`` — not ``PassWord`` (this keeps the pre-filter a plain
     literal search, see below);
   - the trigger must end its word: it is followed by the end of the key, a ``. _ -`` separator, a digit, or
     a new camelCase word (``accessTokenValue``); so ``tokenizer``, ``secretary``, ``TOKENIZER`` are not keys;
   - the key is a *setting*, not a secret, when its last word (the part after the last ``. _ -``, or in
     camelCase the last capitalised word) is one of :data:`SETTING_SUFFIXES`, e.g.
     ``delegation.token.expiry.time.ms``, ``password.encoder.iterations`` (a number of rounds, not a
     secret), ``password.encoder.cipher.algorithm``, ``sasl.oauthbearer.token.endpoint.url``,
     ``sasl.oauthbearer.client.credentials.client.id``, ``tokenCount``.

   A secret key's value is masked in these forms:

   - a config dump as Kafka prints it (``KafkaConfig values:``, ``ProducerConfig values:`` …): a line that
     is only indentation, ``key = value``: everything after ``= `` up to the end of the line, e.g.
     ``\\tsasl.jaas.config = org.apache…PlainLoginModule required username="alice" password="x";``;
   - ``"key": "value"`` / ``'key': 'value'`` (JSON, Python reprs, also JSON escaped inside a JSON string:
     ``\\"key\\":\\"value\\"``): the string's content, so JSON stays valid; a JSON number becomes the string
     ``"[masked]"``; ``true``/``false``/``null``/objects are left alone;
   - ``key=value``, ``key = value``, ``key: value`` / ``key:value`` in any text (``key= value``, with a blank
     after the ``=`` only, is an empty value followed by text). A ``:`` must follow the key directly, so
     Spring Boot's ``logger.Name : message`` column is no key, and before an unquoted word at most one word
     may precede the trigger in the key's last segment (``dbPassword: x``, ``X-Auth-Token: x``), so Kafka's
     controller event names are no keys (``createDelegationToken: event failed …``). The value is a quoted one
     (``password="…"`` / ``password='…'``, as in a JAAS string, also ``password=\\"…\\"``; a quote not closed
     on the line, as in a cut line, runs to its end), a bracketed value ``[…]`` whole, or else one unquoted
     word, which ends at whitespace or one of ``, ; & " ' ) ] }`` — so ``Config(password=abc, user=x)``,
     ``?access_token=abc&x=1`` and ``token: abc`` mask just ``abc``. An unquoted value starting with
     ``{``, ``(`` or ``\\`` is not masked (a struct: its own keys are looked at).
     Prose shaped like ``key: value`` after a trigger word is masked too (``Invalid token: expired`` →
     ``Invalid token: [masked]``): the rule errs on the side of masking.
   Kafka's protocol calls a request type ``apiKey`` (``RequestHeader(apiKey=PRODUCE, …)``, ``"requestApiKey":0``
   in the request log): spelt ``apiKey``/``ApiKey``, the key masks quoted values and unquoted ones that are
   neither a number nor an upper-case name (``apiKey: 3f9c…``); ``api.key``, ``api_key``, ``API_KEY`` mask any.
2. **Already masked and empty values stay as they are and are not counted:** ``null`` (any case), an empty
   value, a bracketed placeholder ``[hidden]`` (Kafka's own mask), ``[masked]``, ``[redacted]``,
   ``[protected]``, ``[filtered]``, and a value starting with ``***`` (Connect/Debezium's ``********``).
3. **Anywhere in a line:**
   - an HTTP ``Authorization`` (or ``Proxy-Authorization``) header — name spelled ``Authorization``,
     ``authorization`` or ``AUTHORIZATION``, then ``:`` or ``=`` (quotes and a ``[`` allowed around) — with
     the scheme ``Bearer``, ``Basic``, ``Token`` or ``Negotiate``: the credential after the scheme
     (``Authorization: Bearer [masked]``);
   - the password of a URL's user info: ``https://user:pass@host`` → ``https://user:[masked]@host``;
   - a JSON Web Token (``eyJ….eyJ….…``) wherever it stands, e.g. after a bare ``Bearer``.

Not masked: keys without a trigger word (``max.poll.records = 500``, ``authorizer.class.name``), trigger
words that are not keys (``Invalid username or password``, ``DelegationTokenManager``), setting keys (above),
other HTTP headers (``Cookie``), and secrets with no key at all (a bare password in prose).

Cost
----
A row is looked at only if it contains one of a few literals (:data:`_CANDIDATE`: the trigger words in the
spellings above, ``Authorization``, ``://`` and ``eyJ``), found by one literal (SIMD) search over the
batch; only those rows go through the replacing regexes (Rust regex syntax, ``str.replace_all``), so a
batch without secrets costs that one search. Every rule needs one of the literals to match, which is
what makes the pre-filter safe. On a 2-core machine: about 0.17 s for 1,000,000 broker lines (218 MB)
without a secret; each candidate row then costs a few microseconds more.
"""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

__all__ = ["MARKER", "SETTING_SUFFIXES", "mask_secrets"]

#: What a secret value is replaced with.
MARKER = "[masked]"

#: Last words of a key that make it a setting whatever trigger word it holds: durations, sizes, counts,
#: kinds, switches, places and names (``delegation.token.expiry.time.ms``, ``password.encoder.iterations``).
SETTING_SUFFIXES = (
    "ms", "us", "ns", "sec", "secs", "seconds", "mins", "minutes", "hours", "days",
    "ttl", "timeout", "interval", "lifetime", "expiry",
    "bytes", "size", "count", "length", "iterations", "retries", "max", "min",
    "algorithm", "type", "class", "classes", "mechanism", "provider", "format", "version", "mode", "scope",
    "enable", "enabled", "required", "source", "header",
    "url", "urls", "uri", "endpoint", "file", "path", "location", "dir", "name", "id",
)

#: Values that are already masked or hold nothing (compared case-insensitively, whole value).
_PLACEHOLDERS = ("[hidden]", MARKER, "[redacted]", "[protected]", "[filtered]")
_KEPT_VALUES = ("null", *_PLACEHOLDERS)
#: A value starting with this is a mask already (Kafka Connect, Debezium, Spring print ``********``).
_KEPT_PREFIXES = ("***",)

#: Trigger words: one tuple of parts each (``api.key`` is ``("api", "key")``). A word is matched as
#: ``word``, ``Word`` or ``WORD``; a two-part one as ``api.key``/``api_key``/``api-key``/``apikey``, the same
#: capitalised (``ApiKey``) or in upper case (``API_KEY``), ``apiKey`` and ``APIKey`` (but see
#: ``_PROTOCOL_TRIGGER`` for ``apiKey`` and ``ApiKey``).
_TRIGGERS: tuple[tuple[str, ...], ...] = (
    ("password",), ("passwd",), ("passphrase",), ("pwd",), ("secret",), ("token",), ("credential",),
    ("api", "key"), ("private", "key"), ("access", "key"), ("keystore", "key"), ("jaas", "config"),
    ("user", "info"),
)
#: The literal the pre-filter looks for in a two-part trigger (every spelling of the trigger holds one
#: spelling of it); ``info`` alone would pick every INFO line, so ``user.info`` is looked for whole.
_ANCHOR_PART = {"key": 1, "config": 0}
_PART_SEP = "[._-]?"
#: Kafka's protocol names its request types ``apiKey`` (``RequestHeader(apiKey=PRODUCE, apiVersion=9, …)``,
#: ``"requestApiKey":0`` in the request log): in that spelling the trigger masks quoted values, and unquoted
#: ones that are neither a number nor an upper-case name (``apiKey: 3f9c…`` is masked, ``apiKey=FETCH`` not).
_PROTOCOL_TRIGGER = ("api", "key")
#: Characters of a key.
_KEY_CHARS = "A-Za-z0-9_.-"


def _spellings(word: str) -> tuple[str, str, str]:
    return word, word.capitalize(), word.upper()


def _trigger_spellings(parts: tuple[str, ...]) -> tuple[list[str], list[str]]:
    """Regexes for the spellings of a trigger: those ending in a lower-case letter, those in upper case."""
    if len(parts) == 1:
        low, cap, up = _spellings(parts[0])
        return [low, cap], [up]
    a, b = parts
    lower = [f"{a}{_PART_SEP}{b}", f"{a.capitalize()}{_PART_SEP}{b.capitalize()}", a + b.capitalize(),
             a.upper() + b.capitalize()]
    if parts == _PROTOCOL_TRIGGER:  # apiKey, ApiKey: see _PROTOCOL_KEY
        lower = [f"{a}{_PART_SEP}{b}", f"{a.capitalize()}[._-]{b.capitalize()}", a.upper() + b.capitalize()]
    return lower, [f"{a.upper()}{_PART_SEP}{b.upper()}"]


def _alt(items: Iterable[str]) -> str:
    return "(?:" + "|".join(items) + ")"


def _esc(ch: str) -> str:
    """``ch`` as a regex atom, also inside a character class."""
    return "\\" + ch if not ch.isalnum() else ch


def _none_of(
    words: Iterable[str], allowed: str, *, first: str | None = None, ci: bool = True,
    prefixes: Iterable[str] = (), escapes: str | None = None,
) -> str:
    """A regex for one or more characters of the class ``[allowed]`` that do not spell one of ``words``.

    Rust's regex crate has no look-around, so "any value but ``null``" is spelt out from a trie of the
    excluded words: at each node, either a child's character and what may follow it, or any other character
    and then anything; the value may end at a node that is not a whole word. The match must be followed by
    something outside ``allowed`` (the caller's closing quote or delimiter), else a shorter match could stop
    inside a word. ``first`` is the class for the first character (default ``allowed``); a value starting
    with one of ``prefixes`` never matches; ``escapes`` is an extra unit (like ``\\\\.``, a JSON escape)
    allowed anywhere (it never spells a word).
    """
    trie: dict = {}
    for word, is_prefix in [(w, False) for w in words] + [(p, True) for p in prefixes]:
        node = trie
        for ch in word.lower() if ci else word:
            node = node.setdefault(ch, {})
        node["$prefix" if is_prefix else "$word"] = True
    any_unit = f"[{allowed}]" if escapes is None else f"(?:[{allowed}]|{escapes})"

    def cls(ch: str) -> str:
        return f"[{ch}{ch.upper()}]" if ci and ch.isalpha() else _esc(ch)

    def build(node: dict, depth: int) -> str:
        here = first if depth == 0 and first is not None else allowed
        taken = [k for k in node if not k.startswith("$")]
        alts = [cls(ch) + build(node[ch], depth + 1) for ch in taken if "$prefix" not in node[ch]]
        if taken:
            excluded = "".join(_esc(c) + (c.upper() if ci and c.isalpha() else "") for c in taken)
            other = f"[[{here}]--[{excluded}]]"
        else:
            other = f"[{here}]"
        if escapes is not None:
            other = f"(?:{other}|{escapes})"
        alts.append(other + any_unit + "*")
        optional = depth > 0 and "$word" not in node
        return "(?:" + "|".join(alts) + ")" + ("?" if optional else "")

    return build(trie, 0)


def _key(*, protocol: bool = False, colon: bool = False) -> str:
    """A secret key: any key characters, a trigger word, and a tail whose last word is not a setting.

    ``protocol``: the key spelt with Kafka's ``apiKey`` / ``ApiKey`` instead (see ``_PROTOCOL_TRIGGER``).
    ``colon``: a key for ``key: word``, where at most one word may come before the trigger in the key's
    last segment (``dbPassword``, ``accessToken``, ``X-Auth-Token``, not ``createDelegationToken``, the
    event name in Kafka's ``[QuorumController id=1] createDelegationToken: event failed …``).
    """
    last_segment = _none_of(SETTING_SUFFIXES, "A-Za-z0-9")  # after the last . _ -, any case
    last_camel = _none_of([s.capitalize() for s in SETTING_SUFFIXES], "a-z0-9", first="A-Z", ci=False)
    camel_words = "(?:[A-Z][a-z0-9]*)*"
    sep_tail = f"[._-](?:[{_KEY_CHARS}]*[._-])?{last_segment}"
    lower_forms, upper_forms = [], []
    if protocol:
        a, b = _PROTOCOL_TRIGGER
        lower_forms = [f"[{a[0]}{a[0].upper()}]{a[1:]}{b.capitalize()}"]
    else:
        for parts in _TRIGGERS:
            low, up = _trigger_spellings(parts)
            lower_forms += low
            upper_forms += up
    # a lower-case or capitalised trigger may go on in camelCase; an upper-case one only after a separator
    tails = _alt(("", camel_words + last_camel, camel_words + "[0-9]*" + sep_tail))
    forms = [_alt(lower_forms) + "s?[0-9]*" + tails]
    if upper_forms:
        forms.append(_alt(upper_forms) + "S?[0-9]*" + _alt(("", sep_tail)))
    if not colon:
        return f"[{_KEY_CHARS}]*?" + _alt(forms)
    # \b pins the start: without it the match could start inside a word ("Delegation" in the example)
    return rf"\b(?:[{_KEY_CHARS}]*[._-])?(?:[a-z0-9]+|[A-Z][a-z0-9]*|[A-Z0-9]+)?" + _alt(forms)


_KEY = _key()
_KEY_BEFORE_COLON = _key(colon=True)
_PROTOCOL_KEY = _key(protocol=True)
_ANY_KEY = _alt((_KEY, _PROTOCOL_KEY))
_KEPT = {"words": _KEPT_VALUES, "prefixes": _KEPT_PREFIXES}
#: Ends an unquoted value.
_UNQUOTED_END = r"\s,;&\"')\]}"
_DQ = _none_of(**_KEPT, allowed=r'^"\\', escapes=r"\\.")  # content of "…" (JSON escapes inside)
_SQ = _none_of(**_KEPT, allowed=r"^'")  # content of '…'
_ESC_DQ = _none_of(**_KEPT, allowed=r'^"\\', escapes=r'\\[^"]')  # content of \"…\" (JSON inside a JSON string)
_BRACKETED = r"\[" + _none_of([p[1:-1] for p in _PLACEHOLDERS], allowed=r"^\]") + r"\]"
# an unquoted word; not starting with a bracket, brace, parenthesis or backslash (a list or a struct)
_UNQUOTED = _none_of(["null"], prefixes=_KEPT_PREFIXES, allowed=f"^{_UNQUOTED_END}",
                     first=rf"^{_UNQUOTED_END}\[{{(\\")

#: An unquoted word after ``apiKey``: not a number, not an upper-case name (``PRODUCE``, ``API_VERSIONS``).
_PROTOCOL_UNQUOTED = _alt((
    _none_of(["null"], prefixes=_KEPT_PREFIXES, allowed=f"^{_UNQUOTED_END}",
             first=rf"[^{_UNQUOTED_END}\[{{(\\A-Z0-9_]"),  # starts with a lower-case letter, a dot …
    rf"[A-Z0-9_]+[[^{_UNQUOTED_END}]--[A-Z0-9_]][^{_UNQUOTED_END}]*",  # … or holds one later
    r"_[A-Z0-9_]*|[0-9]+[A-Z_][A-Z0-9_]*",  # upper case, digits and _ only, but neither a name nor a number
))

#: A dump line's value: the rest of the line. It may not start with a blank, or the ``[ \t]*`` before it
#: could give one back and make `` [hidden]`` a value that is not ``[hidden]``.
_REST_OF_LINE = _none_of(**_KEPT, allowed="^\n", first="^\n \t")

#: The password in a URL's user info: up to the last @ before the host (it may hold an @ or a :).
_URL_PASSWORD = _none_of(**_KEPT, allowed=r"^\s/?#", first=r"^\s/?#@")

_AUTH_NAME = "(?:[Pp]roxy-)?" + _alt(_spellings("authorization"))
_AUTH_END = r"\s\"'\\,;\])}"
_AUTH_VALUE = _none_of(["null"], prefixes=_KEPT_PREFIXES, allowed=f"^{_AUTH_END}", first=f"^{_AUTH_END}\\[")

#: A quoted value: \"…\" (JSON in a JSON string), "…", '…', or a quote that is not closed on the line (a
#: cut line): then the rest of the line. The opening and closing quotes are kept.
_QUOTED_VALUE = (
    rf"(?P<a1>\\\")(?:{_ESC_DQ})(?P<a2>\\\")|(?P<b1>\")(?:{_DQ})(?P<b2>\")|(?P<c1>')(?:{_SQ})(?P<c2>')"
    rf"|(?P<d1>\")(?:{_DQ})$|(?P<f1>')(?:{_SQ})$"
)
_QUOTED_REPLACEMENT = f"${{k}}${{a1}}${{b1}}${{c1}}${{d1}}${{f1}}{MARKER}${{a2}}${{b2}}${{c2}}"

#: (pattern, replacement) in the order they run; each replacement keeps all but the secret.
_RULES: tuple[tuple[str, str], ...] = (
    # a config dump line: "\tkey = value" — the value is the rest of the line
    (rf"^(?P<k>[ \t]+{_ANY_KEY}[ \t]*=[ \t]*)(?:{_REST_OF_LINE})$", f"${{k}}{MARKER}"),
    # Authorization: Bearer <credentials>
    (
        rf"(?P<k>{_AUTH_NAME}\\?[\"']?[ \t]*[:=][ \t]*\\?[\"']?\[?[ \t]*(?i:bearer|basic|token|negotiate)[ \t]+)"
        rf"(?:{_AUTH_VALUE})(?P<e>[{_AUTH_END}]|$)",
        f"${{k}}{MARKER}${{e}}",
    ),
    # scheme://user:password@host
    (
        r"(?P<k>[A-Za-z][A-Za-z0-9+.-]*://[^\s/:@]*:)"
        rf"(?:{_URL_PASSWORD})(?P<e>@)",
        f"${{k}}{MARKER}${{e}}",
    ),
    # "key": "value", 'key': 'value', \"key\":\"value\"
    (rf"(?P<k>(?:\\?[\"'])?{_ANY_KEY}\\?[\"'][ \t]*[:=][ \t]*)(?:{_QUOTED_VALUE})", _QUOTED_REPLACEMENT),
    # "key": 1234 (a JSON number) -> "key": "[masked]"
    (
        rf"(?P<k>(?P<q>\\?\"){_KEY}\\?\"[ \t]*:[ \t]*)-?[0-9][0-9.eE+-]*(?P<e>[ \t]*[,}}\]]|[ \t]*$)",
        f"${{k}}${{q}}{MARKER}${{q}}${{e}}",
    ),
    # key="value", key='value', key: "value", key=[value]
    (
        rf"(?P<k>{_ANY_KEY}(?::[ \t]*|[ \t]+=[ \t]*|=))(?:{_QUOTED_VALUE}|{_BRACKETED})",
        _QUOTED_REPLACEMENT,
    ),
    # key=value, key = value, key: value (one word)
    (
        rf"(?P<k>{_KEY}(?:[ \t]+=[ \t]*|=)|{_KEY_BEFORE_COLON}:[ \t]*)(?:{_UNQUOTED})(?P<e>[{_UNQUOTED_END}]|$)",
        f"${{k}}{MARKER}${{e}}",
    ),
    # apiKey=3f9c…, but not Kafka's apiKey=PRODUCE or apiKey=0
    (
        rf"(?P<k>{_PROTOCOL_KEY}(?::[ \t]*|[ \t]+=[ \t]*|=))(?:{_PROTOCOL_UNQUOTED})(?P<e>[{_UNQUOTED_END}]|$)",
        f"${{k}}{MARKER}${{e}}",
    ),
    # a JSON Web Token anywhere (header and payload are base64url JSON objects: "eyJ")
    (r"eyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*", MARKER),
)


def _candidate_pattern() -> str:
    """Literals one of which every rule needs: a row without any is never changed by ``_RULES``."""
    literals = {"[Aa]uthorization", "AUTHORIZATION", "://", "eyJ"}
    for parts in _TRIGGERS:
        if len(parts) == 1:
            literals.update(_spellings(parts[0]))
        elif parts[-1] in _ANCHOR_PART:
            literals.update(_spellings(parts[_ANCHOR_PART[parts[-1]]]))
        else:
            lower, upper = _trigger_spellings(parts)
            literals.update(lower + upper)
    return "|".join(sorted(literals))


#: Rows matching this go through ``_RULES`` (kept within a few dozen literals, so the regex crate
#: searches for them with SIMD instead of a slower automaton).
_CANDIDATE = _candidate_pattern()


def _mask_all(lines: pl.Series) -> pl.Series:
    """``_RULES`` applied to every row (``mask_secrets`` applies them to the candidate rows only)."""
    for pattern, replacement in _RULES:
        lines = lines.str.replace_all(pattern, replacement)
    return lines


def mask_secrets(lines: pl.Series) -> tuple[pl.Series, int]:
    """The lines with secret values replaced by MARKER, and how many lines had something masked.

    ``lines`` is a String Series, one log line a row (nulls allowed, kept as null). The result has the same
    length, order and name; lines without a secret are returned byte-identical, and when no line has one,
    ``lines`` itself is returned. Keys and separators are kept: ``ssl.key.password = changeit`` becomes
    ``ssl.key.password = [masked]``, ``{"password":"p@ss"}`` becomes ``{"password":"[masked]"}``. Kafka's
    own ``[hidden]``, ``null`` and empty values are left alone and not counted. See the module docstring
    for exactly what is masked.
    """
    candidate = lines.str.contains(_CANDIDATE).fill_null(False)
    if not candidate.any():
        return lines, 0
    rows = candidate.arg_true()
    before = lines.gather(rows)
    after = _mask_all(before)
    changed = after != before
    count = int(changed.sum())
    if count == 0:
        return lines, 0
    masked = lines.clone()  # scatter writes in place: the caller's Series stays as it was
    masked.scatter(rows.filter(changed), after.filter(changed))
    return masked, count
