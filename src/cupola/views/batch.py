"""Batching: a window of a long sequence and the links to the others."""

from dataclasses import dataclass

DEFAULT_SIZE = 20
MAX_SIZE = 200


@dataclass
class Batch:
    items: list
    start: int
    size: int
    total: int

    @property
    def end(self):
        return min(self.start + self.size, self.total)

    @property
    def has_previous(self):
        return self.start > 0

    @property
    def has_next(self):
        return self.end < self.total

    @property
    def previous_start(self):
        return max(0, self.start - self.size)

    @property
    def next_start(self):
        return self.end

    @property
    def pages(self):
        """[(number, start, is_current)] around the current page."""
        count = max(1, -(-self.total // self.size))
        current = self.start // self.size
        window = sorted({0, count - 1, *range(max(0, current - 2),
                                              min(count, current + 3))})
        return [(n + 1, n * self.size, n == current) for n in window]


def read_int(request, name, default, lo=0, hi=None):
    """An integer query parameter, clamped; bad values give the default."""
    try:
        value = int(request.GET.get(name, default))
    except (TypeError, ValueError):
        return default
    value = max(lo, value)
    return min(hi, value) if hi is not None else value


def batch_container(container, request, size=DEFAULT_SIZE):
    """A Batch of *container*'s children in order, from ``?b_start=``."""
    total = len(container)
    size = read_int(request, "b_size", size, 1, MAX_SIZE)
    start = read_int(request, "b_start", 0, 0, max(0, total - 1))
    return Batch(container.slice(start, start + size), start, size, total)
