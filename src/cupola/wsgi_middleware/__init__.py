"""WSGI filters for the PasteDeploy pipeline, outermost first:

- ``proxy`` (proxy.py): trusted ``X-Forwarded-*``/``Forwarded`` headers;
- ``accesslog`` (accesslog.py): Apache combined log lines;
- ``metrics`` (metrics.py): Prometheus counters, read at ``/@@metrics``;
- ``gzip`` (gzip.py): compression of text responses.

``body.py`` holds the response body wrappers that tell a filter when the
server has closed the body (the access log and metrics hear the end there).

Each module has a ``make_*_filter`` factory named in pyproject.toml's
``paste.filter_app_factory`` entry points (``use = egg:cupola#proxy``).
"""
