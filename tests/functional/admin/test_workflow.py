"""<object>/@@workflow: state, history, one click to change it."""

import pytest

from conftest import Site

from . import add_person, browser, is_login_redirect, last_audit, messages_of, post_form


@pytest.fixture
def doc(app):
    """/news/draft: a private document (content added here starts private)."""
    from cupola.content.document import Document
    with Site(app) as site:
        site["news"].add("draft", Document("Draft", "", "<p>big news</p>"))
    return "/news/draft"


def state(app, path):
    with Site(app) as site:
        obj = site
        for name in path.strip("/").split("/"):
            obj = obj[name]
        return obj.workflow_state


def take(client, path, transition, comment=""):
    return post_form(client, f"{path}/@@workflow",
                     {"transition": transition, "comment": comment})


def test_page_shows_state_transitions_and_history(admin, doc):
    page = admin.get(f"{doc}/@@workflow")
    assert page.html.select_one(".badge-state").text == "Private"
    buttons = [b.text for b in page.html.select("button[name=transition]")]
    assert buttons == ["Submit for review", "Publish"]
    assert "Created" in page.html.select_one(".history").text


def test_publish_shows_it_to_anonymous_and_retract_hides_it(app, admin, doc):
    anonymous = browser(app)
    assert is_login_redirect(anonymous.get(doc))
    response = take(admin, doc, "publish", "Ready to go")
    assert response.location.endswith(doc)
    page = response.follow()
    assert "Published." in messages_of(page)
    assert state(app, doc) == "published"
    assert "big news" in anonymous.get(doc)
    entry = last_audit(app, "workflow.publish")
    assert (entry["object"], entry["before"], entry["after"], entry["comment"]) == (
        doc, "private", "published", "Ready to go")

    take(admin, doc, "retract")
    assert state(app, doc) == "private"
    assert is_login_redirect(anonymous.get(doc))
    history = admin.get(f"{doc}/@@workflow").html.select(".history li")
    assert [li.select_one("strong").text for li in history] == ["Retract", "Publish", "Created"]
    assert "Ready to go" in history[1].text
    assert "Site administrator" in history[0].text


def test_a_refused_transition_changes_nothing(app, admin, doc):
    before = app.db.lastTransaction()
    response = take(admin, doc, "reject")  # only from "pending"
    assert response.location.endswith(f"{doc}/@@workflow")
    message = " ".join(messages_of(response.follow()))
    assert "'Send back' is not possible" in message
    assert state(app, doc) == "private"
    assert app.db.lastTransaction() == before


def test_an_author_may_submit_but_not_publish(app, doc):
    add_person(app, "carl", roles=("Contributor",))
    carl = browser(app, "carl")
    page = carl.get(f"{doc}/@@workflow")
    assert [b["value"] for b in page.html.select("button[name=transition]")] == ["submit"]
    take(carl, doc, "publish")
    assert state(app, doc) == "private"
    take(carl, doc, "submit")
    assert state(app, doc) == "pending"


def test_a_reviewer_who_sends_back_lands_where_they_may_look(app, doc):
    add_person(app, "rita", roles=("Reviewer",))
    with Site(app) as site:
        site["news"]["draft"].workflow_state = "pending"
    response = take(browser(app, "rita"), doc, "reject")
    assert state(app, doc) == "private"
    assert response.location.endswith("/news")  # the draft is private again


def test_who_may_see_the_page(app, doc):
    assert is_login_redirect(browser(app).get(f"{doc}/@@workflow"))
    add_person(app, "mel", roles=("Member",))
    browser(app, "mel").get(f"{doc}/@@workflow", status=403)
    browser(app, "mel").get("/welcome/@@workflow", status=403)  # published, still 403
