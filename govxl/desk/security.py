"""The desk's locks: the admin password's hash (scrypt, standard library), rate limits."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import defaultdict, deque

# scrypt with n=2^14, r=8, p=1: ~16 MiB and a few tens of milliseconds per try.
_N, _R, _P = 1 << 14, 8, 1


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    key = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return f"scrypt${_N}${_R}${_P}${salt.hex()}${key.hex()}"


def verify_password(password: str, stored: str | None) -> bool:
    if not stored:
        return False
    try:
        kind, n, r, p, salt, key = stored.split("$")
        if kind != "scrypt":
            return False
        got = hashlib.scrypt(password.encode("utf-8"), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p),
                             dklen=len(bytes.fromhex(key)), maxmem=128 * 1024 * 1024)
    except (ValueError, MemoryError):
        return False
    return hmac.compare_digest(got, bytes.fromhex(key))


class RateLimit:
    """At most `limit` events per `window` seconds for each key (in memory, per process)."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit, self.window = limit, window
        self._events: dict[str, deque] = defaultdict(deque)
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        t = time.monotonic()
        with self._lock:
            q = self._events[key]
            while q and q[0] <= t - self.window:
                q.popleft()
            if len(q) >= self.limit:
                return False
            q.append(t)
            if len(self._events) > 100_000:  # forget idle keys
                for k in [k for k, v in self._events.items() if not v]:
                    del self._events[k]
            return True

    def reset(self, key: str) -> None:
        with self._lock:
            self._events.pop(key, None)


class Backoff:
    """Failed logins per key (the account; an address only when it is known to be the client's):
    after `free` failures, each further try waits twice as long as the last, at most `cap` seconds,
    so that a stranger's guesses slow the account down but never lock its owner out for long.
    A success clears the key."""

    def __init__(self, free: int = 5, cap: float = 30.0, forget: float = 900.0) -> None:
        self.free, self.cap, self.forget = free, cap, forget
        self._failed: dict[str, tuple[int, float]] = {}
        self._lock = threading.Lock()

    def wait(self, key: str) -> float:
        """Seconds still to wait before the next try of `key` is checked (0: go ahead)."""
        with self._lock:
            n, last = self._failed.get(key, (0, 0.0))
            t = time.monotonic()
            if n and t - last > self.forget:
                del self._failed[key]
                return 0.0
            if n < self.free:
                return 0.0
            return max(0.0, last + self.delay(n) - t)

    def delay(self, n: int) -> float:
        return min(self.cap, 2.0 ** (n - self.free))

    def failed(self, key: str) -> None:
        with self._lock:
            n, _ = self._failed.get(key, (0, 0.0))
            self._failed[key] = (n + 1, time.monotonic())
            if len(self._failed) > 100_000:
                self._failed.clear()

    def reset(self, key: str) -> None:
        with self._lock:
            self._failed.pop(key, None)
