"""Rendering a view's template with the names every page may use."""

from cupola.security.session import csrf_token


def render_template(request, name, values, view=None):
    """Render skin template *name* with *values* plus the standard names.

    Every template sees ``request``, ``context``, ``view``, ``page`` (the
    page helper: urls, navigation, breadcrumbs, static assets), ``layout``
    (the main template, for ``use-macro="layout.macros['page']"``) and
    ``csrf_token``.
    """
    registry = request.registry
    skins = registry.skins
    page = values.get("page") or registry.page_factory(request, request.context, view)
    namespace = {
        "request": request,
        "context": request.context,
        "view": view,
        "page": page,
        "layout": skins.template("main_template.pt"),
        "csrf_token": lambda: csrf_token(request),
    }
    namespace.update(values)
    html = skins.template(name)(**namespace)
    if html.startswith("<html"):  # METAL drops the layout's doctype
        html = "<!DOCTYPE html>\n" + html
    return html
