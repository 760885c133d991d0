"""A read-only handle on a store folder that follows its current generation."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pyoxigraph as ox

from councilkg.errors import StoreError
from councilkg.store.folder import StoreFolder
from councilkg.store.graphs import RETIRE_GRACE_SECONDS

# --------------------------------------------------------------------------------------------
# A read-only handle that follows the current generation
# --------------------------------------------------------------------------------------------


class ReadOnlyStore:
    """A read-only handle on a store folder that switches to a newer generation when one is published.

    Thread-safe: one handle can be shared by every session of an app. ``store()`` returns the
    pyoxigraph Store for the current generation (re-checking the symlink at most every
    ``check_interval`` seconds); the handle holds a lease so the generation is not deleted
    while in use.
    """

    def __init__(self, folder: StoreFolder | Path | str, check_interval: float = 1.0) -> None:
        self.folder = folder if isinstance(folder, StoreFolder) else StoreFolder(folder)
        self.check_interval = check_interval
        self._lock = threading.Lock()
        self._store: ox.Store | None = None
        self._path: Path | None = None
        self._lease: int | None = None
        self._checked = 0.0
        # Generations this handle has moved off: their leases are kept for a grace period so a
        # query that began on the old generation finishes before a later load may delete it.
        self._retired: list[tuple[float, ox.Store, int | None]] = []

    @property
    def path(self) -> Path | None:
        return self._path

    def store(self) -> ox.Store:
        with self._lock:
            now = time.monotonic()
            if self._store is None or now - self._checked >= self.check_interval:
                self._checked = now
                current = self.folder.require_current()
                if self._path is None or current.resolve() != self._path.resolve():
                    self._open(current)
            assert self._store is not None
            return self._store

    def _open(self, path: Path) -> None:
        lease = self.folder.lease(path) if path != self.folder.root else None
        try:
            store = ox.Store.read_only(str(path))
        except OSError as exc:
            if lease is not None:
                StoreFolder.release(lease)
            raise StoreError(f"Cannot open the store at {path}: {exc}. If a load is running, wait and retry; "
                             "otherwise rebuild it with `councilkg load`.") from exc
        now = time.monotonic()
        if self._store is not None:
            self._retired.append((now, self._store, self._lease))
        self._store, self._path, self._lease = store, path, lease
        keep = []
        for retired_at, old_store, old_lease in self._retired:
            if now - retired_at < RETIRE_GRACE_SECONDS:
                keep.append((retired_at, old_store, old_lease))
            elif old_lease is not None:
                StoreFolder.release(old_lease)
        self._retired = keep

    def close(self) -> None:
        with self._lock:
            self._store = None
            self._path = None
            for _, _, lease in self._retired:
                if lease is not None:
                    StoreFolder.release(lease)
            self._retired = []
            if self._lease is not None:
                StoreFolder.release(self._lease)
                self._lease = None
