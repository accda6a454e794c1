"""Bounded LRU cache of sentence translations: clinical notes repeat boilerplate sentences."""
from collections import OrderedDict
from typing import Any, Dict, Hashable, Optional


class TranslationCache:
    def __init__(self, max_size: int = 2048):
        self.max_size = max(0, int(max_size))
        self._data: "OrderedDict[Hashable, Any]" = OrderedDict()
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable) -> Optional[Any]:
        if key in self._data:
            self._data.move_to_end(key)
            self.hits += 1
            return self._data[key]
        self.misses += 1
        return None

    def put(self, key: Hashable, value: Any) -> None:
        if self.max_size == 0:
            return
        self._data[key] = value
        self._data.move_to_end(key)
        while len(self._data) > self.max_size:
            self._data.popitem(last=False)

    def clear(self) -> None:
        self._data.clear()
        self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._data)

    def settings(self) -> Dict[str, int]:
        return {"max_size": self.max_size}
