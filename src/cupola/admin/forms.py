"""What every admin view shares: rendering, reading forms, refusing, redirecting.

An admin view validates everything before it changes anything; when a
form has errors it renders the form again (status 200, entered values
kept, errors next to the fields) and dooms the transaction, so that
nothing it may have touched is committed.
"""

from urllib.parse import quote

from webob import Response

from cupola.admin import messages
from cupola.exceptions import Forbidden
from cupola.rendering import custom_layer_site, render_template
from cupola.security.auth import authenticated_user
from cupola.security.policy import global_roles
from cupola.security.roles import MANAGER
from cupola.traversal import resource_path

MACROS = "admin_macros.pt"


class AdminView:
    """Base of the admin views: ``(context, request)`` and the helpers below."""

    template = None

    def __init__(self, context, request):
        self.context, self.request = context, request

    @property
    def site(self):
        return self.request.site

    @property
    def user(self):
        return authenticated_user(self.request)

    @property
    def form(self):
        return self.request.form

    def render(self, values, template=None, status=200):
        return render(self.request, self, template or self.template, values,
                      status)

    def url(self, view=None, obj=None, **query):
        """URL of *obj* (default: the site) or one of its views."""
        return url_of(self.request, self.site if obj is None else obj, view,
                      **query)

    def redirect(self, url, message=None, kind="success"):
        return messages.redirect(self.request, url, message, kind)

    def text(self, name, max_length=200):
        return field_text(self.request, name, max_length)

    def is_manager(self):
        """Whether the user is a Manager (through a group counts too)."""
        return MANAGER in global_roles(self.request)


def render(request, view, template, values, status=200):
    """A page from a skin template, never cached, messages cookie cleared."""
    values.setdefault("admin", request.registry.skins.template(
        MACROS, custom_layer_site(request)))
    body = render_template(request, template, values, view)
    response = Response(body=body.encode("utf-8"), status=status,
                        content_type="text/html", charset="utf-8")
    response.cache_control = "no-store"
    return messages.clear(request, response)


def url_of(request, obj, view=None, **query):
    """Absolute URL of *obj*, optionally a ``@@view`` and a query string."""
    return request.registry.page_factory(request, obj).url(obj, view, **query)


def field_text(request, name, max_length=200):
    """A stripped text field of the POSTed form, at most *max_length* long."""
    value = request.form.get(name) or ""
    return value.strip()[:max_length]


def field_list(request, name):
    """Every value of a repeated field (checkboxes), stripped, no blanks."""
    return [v.strip() for v in request.form.getall(name) if v.strip()]


def doom(request):
    """Make sure nothing from this request is committed (a form with errors)."""
    request.conn.transaction_manager.get().doom()


def login_redirect(request):
    """The 303 to the sign-in form that comes back here afterwards."""
    target = quote(request.target, safe="")
    return Response(status=303,
                    location=f"{request.application_url}/@@login?came_from={target}")


def require(condition, detail=None):
    """Raise Forbidden (403 in the site's look) unless *condition*."""
    if not condition:
        raise Forbidden(detail)


def path_of(obj):
    """The object's path in the site, ``/`` for the site itself."""
    return resource_path(obj) if obj.__parent__ is not None else "/"
