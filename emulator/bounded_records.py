"""`BoundedRecords`: the in-memory half of both stores (stored completions and stored responses).

Records by (owner key digest, id) in the order they were saved, at most `cap` of them and about
`max_bytes` of their estimated sizes; past either bound the oldest go (the newest always stays).
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Generic, Protocol, TypeVar


class Sized(Protocol):
    """What a kept record must say about itself."""

    @property
    def key(self) -> str: ...

    @property
    def id(self) -> str: ...

    @property
    def size(self) -> int: ...


R = TypeVar("R", bound=Sized)


class BoundedRecords(Generic[R]):
    def __init__(self, cap: int, max_bytes: int) -> None:
        self.cap, self.max_bytes = max(cap, 1), max_bytes
        self.bytes = 0
        self._records: OrderedDict[tuple[str, str], R] = OrderedDict()
        self._lock = threading.Lock()  # served threads and test code save and read at once

    def put(self, record: R) -> None:
        """Keep `record` as the newest (replacing one of the same key and id), then evict past the bounds."""
        key, records = (record.key, record.id), self._records
        with self._lock:
            previous = records.pop(key, None)
            if previous is not None:
                self.bytes -= previous.size
            records[key] = record
            self.bytes += record.size
            while len(records) > 1 and (len(records) > self.cap or self.bytes > self.max_bytes):
                self.bytes -= records.popitem(last=False)[1].size

    def get(self, key: str, record_id: str) -> R | None:
        return self._records.get((key, record_id))

    def pop(self, key: str, record_id: str) -> R | None:
        with self._lock:
            record = self._records.pop((key, record_id), None)
            if record is not None:
                self.bytes -= record.size
            return record

    def of_key(self, key: str) -> list[R]:
        """`key`'s records, oldest first."""
        with self._lock:
            return [r for (k, _), r in self._records.items() if k == key]

    def clear(self) -> None:
        with self._lock:
            self._records.clear()
            self.bytes = 0

    def __len__(self) -> int:
        return len(self._records)
