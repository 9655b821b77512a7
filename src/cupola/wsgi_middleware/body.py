"""Response bodies a filter passes through and hears the end of.

The server closes a WSGI body once it has sent it (or given up: PEP 3333),
so ``close()`` is where a filter learns that a response is over.
"""


class ClosingBody:
    """Passes a WSGI response body through; calls ``done(self)`` once, after
    the body's own ``close()``."""

    def __init__(self, body, done):
        self._body, self._done = body, done

    def __iter__(self):
        return iter(self._body)

    def close(self):
        try:
            close = getattr(self._body, "close", None)
            if close is not None:
                close()
        finally:
            done, self._done = self._done, None
            if done is not None:
                done(self)


class CountedBody(ClosingBody):
    """A ClosingBody that counts the bytes it passes in ``size``."""

    size = 0

    def __iter__(self):
        for chunk in self._body:
            self.size += len(chunk)
            yield chunk
