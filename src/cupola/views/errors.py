"""Error pages in the site's look: 400, 401, 403, 404, 405, 413, 500, 503."""

import traceback

from cupola.exceptions import HTTPError, NotFound


class ErrorView:
    """Renders any exception; a traceback only with ``debug = true``."""

    def __init__(self, context, request):
        self.context, self.request = context, request

    def __call__(self):
        exc = self.context
        http = exc if isinstance(exc, HTTPError) else HTTPError()
        debug = getattr(self.request.registry, "application", None)
        show_tb = bool(debug and debug.debug)
        detail = None
        if isinstance(exc, HTTPError) and exc.detail and http.status < 500 \
                and not isinstance(exc, NotFound):  # 404s never echo the path
            detail = exc.detail
        return {
            "status": http.status,
            "title": http.title,
            "explanation": http.explanation,
            "detail": detail,
            "traceback": "".join(traceback.format_exception(exc)) if show_tb else None,
            "not_found": isinstance(exc, NotFound),
        }


def render_error(context, request):
    view = ErrorView(context, request)
    values = view()
    from webob import Response
    from cupola.rendering import render_template
    body = render_template(request, "error.pt", values, view)
    response = Response(body=body.encode("utf-8"), status=values["status"],
                        content_type="text/html", charset="utf-8")
    if isinstance(context, HTTPError):
        response.headers.update(context.headers)
    response.cache_control = "no-store"
    return response


def includeme(config):
    config.add_exception_view(render_error, context=Exception)
