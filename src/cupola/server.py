"""Waitress, as ``cupola serve`` runs it: keep-alive after 304 and 204.

Waitress 3.0 closes the connection after every response that carries no
Content-Length, and it never sends one with a 304 or 204 (RFC 9110 forbids a
body there). A browser revalidating a page's assets, or a CDN revalidating
a page, then pays a new TCP connection per 304. Such a response's length is
known (none), so HTTP/1.1 lets the connection stay open (RFC 9112, 6.3);
``KeepAliveTask`` does just that and changes nothing else.

Use it as ``cupola serve`` does, from PasteDeploy
(``use = egg:cupola#waitress`` under ``[server:main]``, same options as
``egg:waitress#main``), or as the command ``python -m cupola.server``,
which takes ``waitress-serve``'s arguments.
"""

import sys

import waitress
from waitress.channel import HTTPChannel
from waitress.runner import run as waitress_run
from waitress.server import BaseWSGIServer, create_server
from waitress.task import WSGITask


class KeepAliveTask(WSGITask):
    """A waitress task that keeps HTTP/1.1 connections open after a 304/204."""

    _keep_open = False

    def build_response_header(self):
        self._keep_open = (
            self.version == "1.1"
            and not self.has_body
            and not self.close_on_finish
            and self.request.headers.get("CONNECTION", "").lower() != "close")
        try:
            return super().build_response_header()
        finally:
            self._keep_open = False

    def set_close_on_finish(self):
        # Waitress asks for a close only because no Content-Length was sent,
        # which a bodiless response never needs.
        if not self._keep_open:
            super().set_close_on_finish()


class KeepAliveChannel(HTTPChannel):
    task_class = KeepAliveTask


def make_server(app, **kw):
    """``waitress.create_server`` whose listeners hand out keep-alive channels."""
    socket_map = kw.pop("map", None)
    if socket_map is None:
        socket_map = {}
    server = create_server(app, map=socket_map, **kw)
    for listener in list(socket_map.values()):
        if isinstance(listener, BaseWSGIServer):
            listener.channel_class = KeepAliveChannel
    return server


def serve(app, **kw):
    """Serve *app* like ``waitress.serve`` with ``KeepAliveTask``."""
    kw.setdefault("ident", "Cupola")
    waitress.serve(app, _server=make_server, **kw)


def serve_paste(app, global_conf, **kw):
    """PasteDeploy server runner (``egg:cupola#waitress``)."""
    serve(app, **kw)
    return 0


def main(argv=None):
    """``python -m cupola.server [waitress-serve options] module:app``."""
    return waitress_run(argv or sys.argv, _serve=serve)


if __name__ == "__main__":
    sys.exit(main())
