"""A small process-wide cache of finished runs, shared by every browser session.

Streamlit's own `st.cache_data` replays the elements a cached function touched, which
breaks a progress bar drawn outside it; this cache only stores return values, keyed on
hashable arguments (frozen `Settings` and `Policy`), least recently used first out.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

_LOCK = threading.Lock()
_STORE: OrderedDict[Hashable, Any] = OrderedDict()
MAX_ENTRIES = 64  # a comparison is a table of a few hundred numbers; runs for reports more


def get(key: Hashable) -> tuple[bool, Any]:
    """(True, value) when `key` was computed before, else (False, None)."""
    with _LOCK:
        if key in _STORE:
            _STORE.move_to_end(key)
            return True, _STORE[key]
    return False, None


def cached(key: Hashable, compute: Callable[[], Any]) -> Any:
    """The stored value for `key`, computing and storing it on the first call. Two
    sessions asking for the same key at once may both compute it; the result is the same
    (same seed), so the second write is harmless."""
    found, value = get(key)
    if found:
        return value
    value = compute()
    with _LOCK:
        _STORE[key] = value
        _STORE.move_to_end(key)
        while len(_STORE) > MAX_ENTRIES:
            _STORE.popitem(last=False)
    return value


def clear() -> None:
    with _LOCK:
        _STORE.clear()
