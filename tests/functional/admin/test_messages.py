"""Status messages: carried by a signed cookie from a redirect to the next page."""

from webob import Request as WebObRequest

from conftest import build_app

from . import messages_of


def probe_app():
    """An app with @@say (adds a message and redirects) and @@say-html."""
    from cupola.admin.messages import add_message, redirect
    from cupola.interfaces import ISite

    def say(context, request):
        add_message(request, "First.", "info")
        return redirect(request, request.application_url + request.GET.get("to", "/@@users"),
                        request.GET.get("text", "Saved."),
                        request.GET.get("kind", "success"))

    def say_here(context, request):
        add_message(request, "Shown on this very page.")
        return {}

    def includeme(config):
        config.add_view(say, "say", context=ISite, permission="cupola.Public")
        config.add_view(say_here, "say-here", context=ISite,
                        permission="cupola.Public", template="logged_out.pt")
    return build_app(includeme)


def client():
    from webtest import TestApp
    from conftest import sign_in
    app = TestApp(probe_app())
    sign_in(app)
    return app


def test_messages_show_once_on_the_next_page():
    app = client()
    response = app.get("/@@say")
    assert response.status_int == 303
    assert "cupola_messages" in response.headers["Set-Cookie"]
    page = response.follow()
    assert messages_of(page) == ["First.", "Saved."]
    kinds = [p["class"] for p in page.html.select(".status-messages p")]
    assert kinds == [["notice", "status-info"], ["notice", "status-success"]]
    assert "cupola_messages" not in app.cookies  # an admin page clears it
    assert messages_of(app.get("/@@users")) == []


def test_messages_show_only_on_the_page_they_were_meant_for():
    app = client()
    page = app.get("/@@say", {"to": "/welcome"}).follow()
    assert messages_of(page) == ["First.", "Saved."]
    assert "cupola_messages" not in app.cookies  # shown once, then deleted
    assert messages_of(app.get("/welcome")) == []  # a reload does not repeat it
    assert messages_of(app.get("/about")) == []
    assert messages_of(app.get("/@@users")) == []


def test_errors_look_like_errors_and_text_is_escaped():
    app = client()
    page = app.get("/@@say", {"text": "<b>bad</b>", "kind": "error"}).follow()
    error = page.html.select(".status-messages p")[1]
    assert error["class"] == ["error-message", "status-error"]
    assert error.text == "<b>bad</b>"
    assert "<b>bad</b>" not in page.text


def test_a_forged_or_foreign_cookie_is_ignored():
    app = client()
    app.set_cookie("cupola_messages", "W1siaGkiLCJzdWNjZXNzIl1d.forged.sig")
    assert messages_of(app.get("/@@users")) == []
    other = client()
    other.get("/@@say")  # a cookie signed with another site's secret
    app.set_cookie("cupola_messages", other.cookies["cupola_messages"])
    assert messages_of(app.get("/@@users")) == []


def test_a_message_added_while_rendering_shows_on_the_same_page():
    app = client()
    page = app.get("/@@say-here")
    assert messages_of(page) == ["Shown on this very page."]


def test_pages_built_by_the_publisher_ask_it_to_delete_the_cookie():
    """A page returned as a dict lists the cookie in cupola.delete_cookies."""
    from cupola.admin.messages import DELETE, pop_messages, redirect
    from cupola.db.bootstrap import get_site
    from cupola.request import Request
    app = probe_app()
    request = Request(WebObRequest.blank("/").environ)
    request.registry = app.registry
    with app.db.transaction() as conn:
        request.site = get_site(conn)
        cookie = redirect(request, "/", "Hi").headers["Set-Cookie"]
    request = Request(WebObRequest.blank(
        "/", headers={"Cookie": cookie.split(";")[0]}).environ)
    with app.db.transaction() as conn:
        request.site = get_site(conn)
        assert [m.text for m in pop_messages(request)] == ["Hi"]
    assert request.environ[DELETE] == ["cupola_messages"]


def test_a_page_showing_messages_is_never_revalidated_to_a_304():
    """The browser must not keep the copy with the message and get a 304
    for it on the next visit (the message would show again)."""
    app = client()
    page = app.get("/@@say", {"to": "/welcome"}).follow()
    assert messages_of(page) == ["First.", "Saved."]
    assert "ETag" not in page.headers and "no-store" in page.headers["Cache-Control"]
    again = app.get("/welcome")
    assert "ETag" in again.headers and messages_of(again) == []
