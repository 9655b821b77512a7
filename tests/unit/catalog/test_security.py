"""Searches answer only what the searcher may see."""

from datetime import datetime, timedelta, timezone

import pytest

from cupola.catalog.security import object_tokens, request_tokens
from cupola.content import operations as ops
from cupola.content.events import ObjectModified, notify
from cupola.content.file import File
from cupola.security.localroles import set_block_inheritance, set_local_roles
from cupola.security.roles import CONTRIBUTOR, EDITOR, REVIEWER
from cupola.workflow.engine import do_transition

from catalog_fixtures import (  # noqa: F401 (fixtures)
    catalog, manager, registry, searcher, site, tm)


def found(catalog, request=None, **query):
    return sorted(b.path for b in catalog.search(request, **query))


def add(registry, container, type_name="Document", title="Page", creator="ann"):
    return ops.create(registry, container, type_name, {"title": title},
                      creator=creator)


def set_window(obj, effective=None, expires=None):
    obj.effective, obj.expires = effective, expires
    notify(ObjectModified(obj))


def days(n):
    return datetime.now(timezone.utc) + timedelta(days=n)


@pytest.fixture
def doc(registry, site, tm):
    doc = add(registry, site, title="Doc")
    tm.commit()
    return doc


class TestTokens:
    def test_anonymous_without_a_request(self):
        assert request_tokens(None) == ["Anonymous"]

    def test_anonymous_request(self, searcher):
        assert request_tokens(searcher()) == ["Anonymous"]

    def test_signed_in_user(self, searcher):
        assert request_tokens(searcher("bob", REVIEWER)) == [
            "Anonymous", "Authenticated", "Member", "Reviewer", "user:bob"]

    def test_a_private_object_names_its_authors_and_its_owner(self, registry, doc):
        assert object_tokens(registry, doc) == (
            "Contributor", "Editor", "Manager", "Owner", "Site Administrator",
            "user:ann")


class TestWorkflow:
    def test_anonymous_never_gets_a_private_object(self, catalog, doc):
        assert found(catalog) == []
        assert found(catalog, text="doc") == []
        assert found(catalog, state="private") == []

    def test_an_anonymous_request_is_anonymous(self, catalog, searcher, doc):
        assert found(catalog, searcher()) == []

    def test_published_is_found(self, registry, catalog, tm, manager, doc):
        do_transition(registry, doc, manager, "publish")
        tm.commit()
        assert found(catalog) == ["/doc"]

    def test_published_is_found_in_the_same_transaction(
            self, registry, catalog, manager, doc):
        do_transition(registry, doc, manager, "publish")
        assert found(catalog) == ["/doc"]

    def test_retracted_is_gone_again(self, registry, catalog, tm, manager, doc):
        do_transition(registry, doc, manager, "publish")
        tm.commit()
        do_transition(registry, doc, manager, "retract")
        tm.commit()
        assert found(catalog) == []

    def test_pending_is_seen_by_reviewers_only(
            self, registry, catalog, tm, manager, searcher, doc):
        do_transition(registry, doc, manager, "submit")
        tm.commit()
        assert found(catalog) == []
        assert found(catalog, searcher("rita", REVIEWER)) == ["/doc"]
        assert found(catalog, searcher("bob")) == []

    def test_the_owner_sees_a_private_object(self, catalog, searcher, doc):
        assert found(catalog, searcher("ann")) == ["/doc"]

    def test_another_member_does_not(self, catalog, searcher, doc):
        assert found(catalog, searcher("bob")) == []

    def test_a_manager_sees_everything(self, catalog, manager, doc):
        assert found(catalog, manager) == ["/doc"]

    def test_unrestricted_ignores_security(self, catalog, doc):
        assert found(catalog, unrestricted=True) == ["/doc"]


class TestPublicationWindow:
    @pytest.fixture
    def published(self, registry, catalog, tm, manager, doc):
        do_transition(registry, doc, manager, "publish")
        tm.commit()
        return doc

    def test_effective_in_the_future_hides_from_anonymous(self, catalog, tm, published):
        set_window(published, effective=days(2))
        tm.commit()
        assert found(catalog) == []

    def test_expired_hides_from_anonymous(self, catalog, tm, published):
        set_window(published, expires=days(-2))
        tm.commit()
        assert found(catalog) == []

    def test_inside_the_window_is_found(self, catalog, tm, published):
        set_window(published, effective=days(-2), expires=days(2))
        tm.commit()
        assert found(catalog) == ["/doc"]

    def test_back_inside_the_window_is_found_again(self, catalog, tm, published):
        set_window(published, expires=days(-2))
        tm.commit()
        set_window(published)
        tm.commit()
        assert found(catalog) == ["/doc"]

    def test_edit_reindexes_the_window(self, registry, catalog, tm, published):
        published.expires = days(-2)
        ops.edit(registry, published, {"title": "Old news"})
        tm.commit()
        assert found(catalog) == []

    def test_a_search_at_another_time(self, catalog, tm, published):
        set_window(published, effective=days(2))
        tm.commit()
        later = days(3).timestamp()
        assert [b.path for b in catalog.search(None, now=later)] == ["/doc"]

    def test_a_local_editor_sees_expired_content(
            self, catalog, tm, searcher, published):
        set_window(published, expires=days(-2))
        set_local_roles(published, "ed", [EDITOR])
        tm.commit()
        assert found(catalog, searcher("ed")) == ["/doc"]

    def test_a_global_reviewer_sees_content_not_yet_effective(
            self, catalog, tm, searcher, published):
        set_window(published, effective=days(2))
        tm.commit()
        assert found(catalog, searcher("rita", REVIEWER)) == ["/doc"]

    def test_a_member_does_not_see_expired_content(self, catalog, tm, searcher, published):
        set_window(published, expires=days(-2))
        tm.commit()
        assert found(catalog, searcher("bob")) == []

    def test_a_transition_of_the_folder_changes_who_sees_an_expired_file(
            self, registry, site, catalog, tm, manager, searcher):
        # A File's state grants VIEW but not AccessInactive: that comes
        # from the folder's state (private: Contributors too; published: not).
        folder = add(registry, site, "Folder", "Files")
        folder.add("notes", File("Notes", data=b"hello", filename="notes.txt"))
        set_window(folder["notes"], expires=days(-2))
        tm.commit()
        contributor = searcher("cora", CONTRIBUTOR)
        assert found(catalog, contributor, path="/files/notes") == ["/files/notes"]
        do_transition(registry, folder, manager, "publish")
        tm.commit()
        assert found(catalog, searcher("cora", CONTRIBUTOR), path="/files/notes") == []


class TestLocalRoles:
    @pytest.fixture
    def tree(self, registry, site, tm):
        folder = add(registry, site, "Folder", "Team")
        sub = add(registry, folder, "Folder", "Sub")
        add(registry, folder, title="Plan")
        add(registry, sub, title="Notes")
        tm.commit()
        return folder

    ALL = ["/team", "/team/plan", "/team/sub", "/team/sub/notes"]

    def test_nothing_private_is_visible_to_bob_at_first(self, catalog, searcher, tree):
        assert found(catalog, searcher("bob")) == []

    def test_a_local_role_on_a_folder_shows_its_private_descendants(
            self, catalog, tm, searcher, tree):
        set_local_roles(tree, "bob", [EDITOR])
        tm.commit()
        assert found(catalog, searcher("bob")) == self.ALL

    def test_at_once_in_the_same_transaction(self, catalog, searcher, tree):
        set_local_roles(tree, "bob", [EDITOR])
        assert found(catalog, searcher("bob")) == self.ALL

    def test_the_tokens_name_the_user(self, registry, tm, tree):
        set_local_roles(tree, "bob", [EDITOR])
        tm.commit()
        assert "user:bob" in object_tokens(registry, tree["sub"]["notes"])

    def test_removing_the_role_hides_them_again(self, registry, catalog, tm, searcher, tree):
        set_local_roles(tree, "bob", [EDITOR])
        tm.commit()
        set_local_roles(tree, "bob", [])
        tm.commit()
        assert "user:bob" not in object_tokens(registry, tree["sub"]["notes"])
        assert found(catalog, searcher("bob")) == []

    def test_blocking_inheritance_hides_what_is_below(self, catalog, tm, searcher, tree):
        set_local_roles(tree, "bob", [EDITOR])
        tm.commit()
        set_block_inheritance(tree["sub"], True)
        tm.commit()
        assert found(catalog, searcher("bob")) == ["/team", "/team/plan"]

    def test_unblocking_shows_it_again(self, catalog, tm, searcher, tree):
        set_local_roles(tree, "bob", [EDITOR])
        set_block_inheritance(tree["sub"], True)
        tm.commit()
        set_block_inheritance(tree["sub"], False)
        tm.commit()
        assert found(catalog, searcher("bob")) == self.ALL

    def test_a_role_given_below_a_block_still_counts(self, catalog, tm, searcher, tree):
        set_block_inheritance(tree["sub"], True)
        set_local_roles(tree["sub"], "bob", [EDITOR])
        tm.commit()
        assert found(catalog, searcher("bob")) == ["/team/sub", "/team/sub/notes"]

    def test_a_local_role_counts_where_it_grants_view(
            self, registry, catalog, tm, manager, searcher, tree):
        # Reviewers view pending content, not private content.
        do_transition(registry, tree["plan"], manager, "submit")
        set_local_roles(tree, "bob", [REVIEWER])
        tm.commit()
        assert "user:bob" in object_tokens(registry, tree["plan"])
        assert "user:bob" not in object_tokens(registry, tree["sub"])
        assert found(catalog, searcher("bob")) == ["/team/plan"]

    def test_moving_into_a_shared_folder_shows_the_object(
            self, registry, site, catalog, tm, searcher, tree):
        set_local_roles(tree, "bob", [EDITOR])
        other = add(registry, site, title="Elsewhere")
        tm.commit()
        ops.move(registry, other, tree)
        tm.commit()
        assert "/team/elsewhere" in found(catalog, searcher("bob"))

    def test_moving_out_of_a_shared_folder_hides_it(
            self, registry, site, catalog, tm, searcher, tree):
        set_local_roles(tree, "bob", [EDITOR])
        tm.commit()
        ops.move(registry, tree["plan"], site)
        tm.commit()
        assert "/plan" not in found(catalog, searcher("bob"))
