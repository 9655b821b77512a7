"""Rendering a view's template with the names every page may use."""

from cupola.security.session import csrf_token


def render_template(request, name, values, view=None):
    """Render skin template *name* with *values* plus the standard names.

    Every template sees ``request``, ``context``, ``view``, ``page`` (the
    page helper: urls, navigation, breadcrumbs, static assets), ``layout``
    (the main template, for ``use-macro="layout.macros['page']"``) and
    ``csrf_token``. The site's through-the-web ``custom`` layer comes first
    unless the view turned it off (``cupola.skins.files_only`` in the
    environ: the screens that edit that layer render from files only).
    """
    registry = request.registry
    skins = registry.skins
    site = custom_layer_site(request)
    page = values.get("page") or registry.page_factory(request, request.context, view)
    namespace = {
        "request": request,
        "context": request.context,
        "view": view,
        "page": page,
        "layout": skins.template("main_template.pt", site),
        "csrf_token": lambda: csrf_token(request),
    }
    namespace.update(values)
    html = skins.template(name, site)(**namespace)
    if html.startswith("<html"):  # METAL drops the layout's doctype
        html = "<!DOCTYPE html>\n" + html
    return html


def custom_layer_site(request):
    """The site whose custom templates apply to *request*, or None."""
    if request.environ.get("cupola.skins.files_only"):
        return None
    return getattr(request, "site", None)
