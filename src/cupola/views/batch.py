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


SCAN_LIMIT = 5000  # children checked one by one before the count is estimated


def batch_container(container, request, size=DEFAULT_SIZE, visible=None):
    """A Batch of the children of *container* that *visible* accepts.

    Without *visible*, every child counts and the window is an O(log n)
    slice of the folder's order. With it, children are checked in order
    (the catalog makes this an index query); the total is exact up to
    ``SCAN_LIMIT`` checked children and an estimate beyond.
    """
    size = read_int(request, "b_size", size, 1, MAX_SIZE)
    if visible is None:
        total = len(container)
        start = read_int(request, "b_start", 0, 0, max(0, total - 1))
        return Batch(container.slice(start, start + size), start, size, total)
    start = read_int(request, "b_start", 0, 0)
    items, seen, checked = [], 0, 0
    length = len(container)
    for name in container.keys():
        checked += 1
        obj = container[name]
        if visible(obj):
            if start <= seen < start + size:
                items.append(obj)
            seen += 1
        if checked >= SCAN_LIMIT and len(items) == size or \
                checked >= SCAN_LIMIT * 4:
            seen += int((length - checked) * seen / checked)  # estimate
            break
    if start >= seen > 0 and not items:
        return batch_container(container, _Restart(request), size, visible)
    return Batch(items, start, size, seen)


class _Restart:
    """A request whose batch starts at the beginning (start was past the end)."""

    def __init__(self, request):
        self.GET = {k: v for k, v in request.GET.items() if k != "b_start"}


def batch_children(container, request, size=DEFAULT_SIZE, max_size=MAX_SIZE):
    """A Batch of catalog records of the children of *container* that the
    user may view, in the folder's order; no child object is loaded.
    ``?b_size=`` may ask for up to *max_size* a page.

    Visibility comes from one catalog query; the order from the folder's
    order index: an O(log n) slice when every child is visible, else the
    visible children placed by position.
    """
    from cupola.catalog import find_catalog, path_of
    from cupola.catalog.query import Brain
    catalog = find_catalog(container)
    _, path = path_of(container)
    if catalog is None or path is None:
        return None
    size = read_int(request, "b_size", size, 1, max_size)
    visible = catalog.search(request, path=path, depth=1).docids
    total = len(visible)
    start = read_int(request, "b_start", 0, 0)
    if start >= total:  # past the end (the folder shrank): the first page
        start = 0
    prefix = "" if path == "/" else path
    docid_for = catalog.docid_for
    if total == len(container):
        names = container.slice_names(start, start + size)
        docids = [docid_for(f"{prefix}/{name}") for name in names]
    elif total * 16 < len(container):
        # few visible children: place each by its position in the order
        placed = sorted(visible, key=lambda d: container.position(
            catalog.path_for(d).rsplit("/", 1)[1]))
        docids = placed[start:start + size]
    else:
        docids, seen = [], 0
        for name in container.keys():
            docid = docid_for(f"{prefix}/{name}")
            if docid in visible:
                if seen >= start:
                    docids.append(docid)
                    if len(docids) == size:
                        break
                seen += 1
    items = [Brain(catalog, d) for d in docids if d is not None]
    return Batch(items, start, size, total)
