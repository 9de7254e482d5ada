"""Which files to ingest, in what order, and what each one is: host, kind, time zone.

Directories are walked recursively; rotated names (``server.log.2025-08-28-03``,
``kafkaServer-gc.log.3``, ``.gz``) are part of the stream they rotate from and
are ordered oldest first. Hosts come from ``--host GLOB=NAME`` or else the
nearest directory whose name is not a generic one (``logs``, ``kafka`` …).
"""

from __future__ import annotations

import errno
import fnmatch
import os
import stat
import re
from dataclasses import dataclass
from pathlib import Path

from forensics import diagnostics
from forensics.errors import InputError, UsageError
from parsers.timestamps import UnknownTimezone, resolve_zone

#: Directory names that say nothing about the host.
GENERIC_DIRS = frozenset({"", ".", "..", "log", "logs", "kafka", "data", "var", "tmp", "incident", "gc", "current", "archive"})
_DATE_SUFFIX = re.compile(r"\.(\d{4}-\d{2}-\d{2}(?:-\d{2})?)(?:\.gz)?$")
_NUM_SUFFIX = re.compile(r"\.(\d+)(?:\.gz)?$")
#: Our own database files are never input.
_SKIP_SUFFIXES = (".duckdb", ".duckdb.wal")


@dataclass(frozen=True)
class Rule:
    """``PATTERN=VALUE`` from the command line; the pattern is a glob on host names or paths."""

    pattern: str
    value: str

    def matches(self, host: str | None, path: str) -> bool:
        pat = self.pattern
        return bool(
            (host is not None and fnmatch.fnmatch(host, pat))
            or fnmatch.fnmatch(path, pat)
            or fnmatch.fnmatch(path, f"*/{pat}")
            or fnmatch.fnmatch(path, f"*/{pat}/*")
        )


def parse_rules(values: tuple[str, ...], flag: str) -> list[Rule]:
    rules = []
    for value in values:
        pattern, sep, target = value.partition("=")
        if not sep or not pattern or not target:
            raise UsageError(f"{flag} {value!r}: expected PATTERN=VALUE", hint=f"for example {flag} 'kafka-1/*=broker-1'")
        rules.append(Rule(pattern, target))
    return rules


@dataclass(frozen=True)
class TzPolicy:
    """Which zone zone-less times of a file are in. ``default`` None means UTC, assumed."""

    default: str | None
    rules: tuple[Rule, ...] = ()

    @classmethod
    def from_flags(cls, values: tuple[str, ...]) -> TzPolicy:
        default = None
        rules = []
        for value in values:
            if "=" in value:
                rules.extend(parse_rules((value,), "--tz"))
            else:
                default = value
        policy = cls(default, tuple(rules))
        for zone in [default, *[r.value for r in rules]]:
            if zone is not None:
                try:
                    resolve_zone(zone)
                except UnknownTimezone as exc:
                    raise UsageError(f"--tz: {exc}") from exc
        return policy

    def zone_for(self, host: str | None, path: str) -> tuple[str, bool]:
        """(zone, given by the user?)"""
        for rule in self.rules:
            if rule.matches(host, path):
                return rule.value, True
        return (self.default, True) if self.default else ("UTC", False)


@dataclass(frozen=True)
class InputFile:
    path: Path  # as given or found under a given directory
    host: str
    host_origin: str
    log_kind: str

    @property
    def shown(self) -> str:
        return str(self.path)


def log_kind(name: str) -> str:
    """``server.log.2025-08-28-03.gz`` → ``server``; ``kafkaServer-gc.log.3`` → ``gc``; ``kafkaServer.out`` → ``stdout``."""
    base = name
    for pattern in (_DATE_SUFFIX, _NUM_SUFFIX):
        base = pattern.sub("", base)
    base = base.removesuffix(".gz")
    if "gc" in base.lower() and (base.endswith(".log") or base.endswith(".txt") or ".log" in base):
        return "gc"
    if base.endswith(".out"):
        return "stdout"
    for suffix in (".log", ".jsonl", ".json", ".csv", ".txt"):
        if base.endswith(suffix):
            return base[: -len(suffix)] or base
    return base


def rotation_key(path: Path) -> tuple[str, int, str, str]:
    """Sort key that puts rotated files of one stream oldest first, the live file last."""
    name = path.name
    stream = log_kind(name)
    date = _DATE_SUFFIX.search(name)
    number = _NUM_SUFFIX.search(name)
    if date:
        return (str(path.parent), 0, stream, date.group(1))
    if number:  # kafkaServer-gc.log.0 … .9: higher numbers are older in log4j, JDK numbering is cyclic
        return (str(path.parent), 0, stream, f"#{int(number.group(1)):06d}")
    return (str(path.parent), 1, stream, "")


def host_from_dirs(path: Path) -> str | None:
    for parent in path.resolve().parents:
        if parent.name.lower() not in GENERIC_DIRS:
            return parent.name
    return None


def _walk(root: Path) -> list[Path]:
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if not name.startswith(".") and not name.endswith(_SKIP_SUFFIXES):
                found.append(Path(dirpath) / name)
    return found


def _readable_file(path: Path) -> bool:
    """A regular file (through its symlinks); anything else is skipped with a message naming it: a FIFO would
    block the ingest forever, a device never ends, a symlink loop or a dangling link has nothing to read."""
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        why = "a symlink loop" if exc.errno == errno.ELOOP else exc.strerror or str(exc)
        diagnostics.error(f"{path}: {why} (skipped)")
        return False
    if not stat.S_ISREG(mode):
        kind = ("a FIFO" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode)
                else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "not a regular file")
        diagnostics.error(f"{path}: {kind}, not a log file (skipped)")
        return False
    return True


def discover(paths: tuple[str, ...], host_rules: list[Rule]) -> list[InputFile]:
    """Every file under the given paths, with host and kind, in ingest order."""
    files: list[Path] = []
    missing = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            files.extend(_walk(path))
        elif path.exists() or path.is_symlink():  # (a link that loops or dangles is named below)
            files.append(path)
        else:
            missing.append(given)
    files = [p for p in files if _readable_file(p)]
    if missing and not files:
        raise InputError(f"no such file or directory: {', '.join(missing)}")
    for given in missing:
        diagnostics.error(f"{given}: no such file or directory (skipped)")
    seen: set[Path] = set()
    unique = [p for p in files if not (p.resolve() in seen or seen.add(p.resolve()))]  # type: ignore[func-returns-value]
    result = []
    for path in sorted(unique, key=rotation_key):
        rule = next((r for r in host_rules if r.matches(None, str(path))), None)
        host, origin = (rule.value, "flag") if rule else (host_from_dirs(path) or "unknown", "directory")
        result.append(InputFile(path, host, origin, log_kind(path.name)))
    # GC logs last: uptime-only GC logs are anchored on the host's other logs.
    return sorted(result, key=lambda f: f.log_kind == "gc")
