"""A per-worker cache of map shells, checked against the database's data stamp on every request.

Rendering the Folium shell and counting the units of every commercial core
cost far more than serving a page; both depend only on the cores, the
communes and the units' statuses and places, and on the language and tile
settings. Each worker keeps what it built under the stamp it read from the
database (popup/maps/versions.py) before reading the data: every committed
change renews the stamp, so the next request on any worker of any server
misses and builds again. Nothing here is state another server needs: a cold
worker just builds.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from popup.extensions import db
from popup.maps import versions

_MISSING = object()


class StampedCache:
    def __init__(self, size: int = 64) -> None:
        self.size = size
        self._entries: OrderedDict[tuple, Any] = OrderedDict()
        self._lock = threading.Lock()
        self.builds = 0  # how many times a value was built (tests, benchmarks)

    def get_or_build(self, key: tuple[Hashable, ...], build: Callable[[], Any]) -> Any:
        session = db.session
        if versions.changed_in_this_transaction(session):
            return build()  # this transaction sees changes that no stamp names yet
        stamp = versions.current_stamp(session)  # before the data: never older than what is built
        full_key = (stamp, *key)
        with self._lock:
            value = self._entries.get(full_key, _MISSING)
            if value is not _MISSING:
                self._entries.move_to_end(full_key)
                return value
        value = build()
        if value is None:
            return None  # nothing to show (an unknown commune): not worth a place
        with self._lock:
            self.builds += 1
            for old in [k for k in self._entries if k[0] != stamp]:
                del self._entries[old]  # another stamp: never asked for again
            self._entries[full_key] = value
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


shells = StampedCache()
