"""Searching: criteria, sorting, batches, Results, Brains and facets."""

from datetime import datetime, timezone

import pytest
from pyroaring import BitMap

from cupola.catalog.query import DAY, QueryError, Range, Results
from cupola.content import operations as ops
from cupola.content.events import ObjectModified, notify
from cupola.workflow.engine import do_transition

from catalog_fixtures import (  # noqa: F401 (fixtures)
    catalog, manager, registry, searcher, site, tm)


def utc(*args):
    return datetime(*args, tzinfo=timezone.utc)


NOW = int(utc(2024, 3, 1, 12).timestamp())

# path: (type, title, modified, subjects, text, creator, transition)
CONTENT = {
    "/news": ("Folder", "News", utc(2024, 2, 28), (), None, "ann", "publish"),
    "/news/alpha": ("Document", "Alpha report", utc(2024, 1, 10), ("x", "y"),
                    "<p>zebra zebra lion</p>", "ann", "publish"),
    "/news/beta": ("Document", "beta notes", utc(2024, 3, 1), ("y",),
                   "<p>zebra tiger tiger tiger tiger</p>", "bob", None),
    "/news/archive": ("Folder", "Archive", utc(2022, 1, 1), (), None, "ann", "publish"),
    "/news/archive/gamma-10": ("Document", "Gamma 10", utc(2023, 6, 1), ("x",),
                               "<p>lion</p>", "ann", "submit"),
    "/news/archive/gamma-9": ("Document", "Gamma 9", utc(2023, 6, 2), (),
                              "", "bob", "submit"),
    "/about": ("Document", "About us", utc(2024, 2, 1), ("y",), "<p>us</p>",
               "bob", "publish"),
}


@pytest.fixture
def content(registry, site, tm, manager):
    """CONTENT, created with its dates and states, committed."""
    for path, (type_name, title, modified, subjects, text, creator,
               transition) in CONTENT.items():
        parent_path, _, name = path.rpartition("/")
        parent = site
        for part in parent_path.split("/")[1:]:
            parent = parent[part]
        data = {"title": title, "subjects": subjects}
        if text is not None:
            data["text"] = text
        obj = ops.create(registry, parent, type_name, data, name=name, creator=creator)
        if transition:
            do_transition(registry, obj, manager, transition)
        obj.modified = modified
        notify(ObjectModified(obj))
    tm.commit()
    return site


def search(catalog, **query):
    return catalog.search(None, unrestricted=True, **query)


def paths(results):
    return [b.path for b in results]


@pytest.mark.usefixtures("content")
class TestCriteria:
    def test_no_criteria_finds_everything(self, catalog):
        assert sorted(paths(search(catalog))) == sorted(CONTENT)

    def test_path_is_the_subtree(self, catalog):
        assert sorted(paths(search(catalog, path="/news/archive"))) == [
            "/news/archive", "/news/archive/gamma-10", "/news/archive/gamma-9"]

    def test_path_with_a_trailing_slash(self, catalog):
        assert len(search(catalog, path="/news/archive/")) == 3

    @pytest.mark.parametrize("depth, expected", [
        (0, ["/news"]),
        (1, ["/news/alpha", "/news/archive", "/news/beta"]),
        (2, ["/news/alpha", "/news/archive", "/news/archive/gamma-10",
             "/news/archive/gamma-9", "/news/beta"]),
    ])
    def test_path_and_depth(self, catalog, depth, expected):
        assert sorted(paths(search(catalog, path="/news", depth=depth))) == expected

    def test_type(self, catalog):
        assert sorted(paths(search(catalog, type="Folder"))) == ["/news", "/news/archive"]

    def test_type_by_its_index_name(self, catalog):
        assert len(search(catalog, type_name="Folder")) == 2

    def test_state(self, catalog):
        assert sorted(paths(search(catalog, state="pending"))) == [
            "/news/archive/gamma-10", "/news/archive/gamma-9"]

    def test_a_list_is_any_of(self, catalog):
        assert sorted(paths(search(catalog, state=["private", "pending"]))) == [
            "/news/archive/gamma-10", "/news/archive/gamma-9", "/news/beta"]

    def test_a_tuple_on_a_field_index_is_any_of_not_a_range(self, catalog):
        assert sorted(paths(search(catalog, creator=("ann", "cat")))) == sorted(
            p for p, row in CONTENT.items() if row[5] == "ann")

    def test_range_on_a_field_index(self, catalog):
        # sortable titles fold case: "about us" < "alpha report" < "archive" < "beta notes"
        found = sorted(paths(search(catalog, sortable_title=Range("al", "az"))))
        assert found == ["/news/alpha", "/news/archive"]

    def test_range_open_at_one_end(self, catalog):
        assert sorted(paths(search(catalog, creator=Range("b", None)))) == sorted(
            p for p, row in CONTENT.items() if row[5] == "bob")

    def test_range_on_a_keyword_index_is_refused(self, catalog):
        with pytest.raises(QueryError, match="ranges work on field and date"):
            search(catalog, subject=Range("a", "z"))

    def test_range_on_a_date_index(self, catalog):
        assert len(search(catalog, modified=Range(utc(2024, 1, 1), None))) == len(
            search(catalog, modified=(utc(2024, 1, 1), None)))

    def test_subject(self, catalog):
        assert sorted(paths(search(catalog, subject="x"))) == [
            "/news/alpha", "/news/archive/gamma-10"]

    def test_subjects_any_of(self, catalog):
        assert len(search(catalog, subject=["x", "y"])) == 4

    def test_creator(self, catalog):
        assert sorted(paths(search(catalog, creator="bob"))) == [
            "/about", "/news/archive/gamma-9", "/news/beta"]

    def test_modified_range(self, catalog):
        found = search(catalog, modified=(utc(2024, 1, 1), utc(2024, 2, 1)))
        assert sorted(paths(found)) == ["/about", "/news/alpha"]

    def test_modified_range_open_at_the_start(self, catalog):
        found = search(catalog, modified=(None, utc(2023, 1, 1)))
        assert paths(found) == ["/news/archive"]

    def test_modified_range_open_at_the_end(self, catalog):
        found = search(catalog, modified=(utc(2024, 2, 28), None))
        assert sorted(paths(found)) == ["/news", "/news/beta"]

    def test_a_naive_datetime_is_utc(self, catalog):
        found = search(catalog, modified=(datetime(2024, 3, 1), None))
        assert paths(found) == ["/news/beta"]

    def test_text(self, catalog):
        assert sorted(paths(search(catalog, text="lion"))) == [
            "/news/alpha", "/news/archive/gamma-10"]

    def test_text_finds_the_title(self, catalog):
        assert paths(search(catalog, text="report")) == ["/news/alpha"]

    def test_criteria_combine(self, catalog):
        found = search(catalog, path="/news", subject="y", text="zebra", state="private")
        assert paths(found) == ["/news/beta"]

    def test_none_is_no_criterion(self, catalog):
        assert len(search(catalog, type=None, subject=None)) == len(CONTENT)

    def test_nothing_matches(self, catalog):
        found = search(catalog, type="Folder", subject="y")
        assert (len(found), bool(found), list(found)) == (0, False, [])


@pytest.mark.usefixtures("content")
class TestErrors:
    def test_unknown_index(self, catalog):
        with pytest.raises(QueryError, match="no index 'colour'"):
            search(catalog, colour="red")

    @pytest.mark.parametrize("name", ["allowed", "allowed_inactive"])
    def test_security_indexes_are_not_criteria(self, catalog, name):
        with pytest.raises(QueryError):
            search(catalog, **{name: "Anonymous"})

    def test_a_date_range_is_a_pair(self, catalog):
        with pytest.raises(QueryError, match="pair"):
            search(catalog, modified=(1, 2, 3))

    def test_a_date_range_of_something_else(self, catalog):
        with pytest.raises(QueryError, match="not a date"):
            search(catalog, modified=("yesterday", None))

    def test_a_value_of_the_wrong_type(self, catalog):
        with pytest.raises(QueryError):
            search(catalog, type=5)

    def test_a_single_date_is_not_a_range(self, catalog):
        with pytest.raises(QueryError):
            search(catalog, modified=utc(2024, 1, 10))

    def test_unknown_sort(self, catalog):
        with pytest.raises(QueryError, match="Cannot sort"):
            list(search(catalog, sort_on="colour"))

    def test_sorting_on_a_keyword_index(self, catalog):
        with pytest.raises(QueryError, match="Cannot sort"):
            search(catalog, sort_on="subject", batch_size=2)

    def test_malformed_text_query_raises_parse_error(self, catalog):
        from zope.index.text.parsetree import ParseError
        with pytest.raises(ParseError):
            search(catalog, text="zebra AND")


@pytest.mark.usefixtures("content")
class TestSorting:
    def test_sort_on_title_folds_case_and_orders_numbers(self, catalog):
        found = search(catalog, sort_on="title")
        assert [b.title for b in found] == [
            "About us", "Alpha report", "Archive", "beta notes", "Gamma 9",
            "Gamma 10", "News"]

    def test_sort_on_title_reverse(self, catalog):
        found = search(catalog, sort_on="title", reverse=True)
        assert [b.title for b in found][:3] == ["News", "Gamma 10", "Gamma 9"]

    def test_sort_on_modified(self, catalog):
        found = search(catalog, sort_on="modified", type="Document")
        assert paths(found) == ["/news/archive/gamma-10", "/news/archive/gamma-9",
                                "/news/alpha", "/about", "/news/beta"]

    def test_sort_on_modified_reverse(self, catalog):
        found = search(catalog, sort_on="modified", reverse=True)
        assert paths(found)[:2] == ["/news/beta", "/news"]

    def test_text_sorts_on_relevance(self, catalog):
        found = search(catalog, text="zebra")
        assert paths(found) == ["/news/alpha", "/news/beta"]
        assert found[0].score > found[1].score > 0

    def test_relevance_reverse(self, catalog):
        found = search(catalog, text="zebra", reverse=True)
        assert paths(found) == ["/news/beta", "/news/alpha"]

    def test_text_sorted_on_another_index(self, catalog):
        found = search(catalog, text="zebra", sort_on="title", reverse=True)
        assert paths(found) == ["/news/beta", "/news/alpha"]

    def test_no_score_without_text(self, catalog):
        assert search(catalog)[0].score is None

    def test_relevance_reverse_first_result_is_the_least_relevant(self, catalog):
        found = search(catalog, text="zebra", reverse=True)
        assert found[0].path == "/news/beta"


@pytest.fixture
def by_title(content, catalog):
    """Everything sorted on title (7 results)."""
    return search(catalog, sort_on="title")


TITLES = ["About us", "Alpha report", "Archive", "beta notes", "Gamma 9",
          "Gamma 10", "News"]


class TestResults:
    def test_len(self, by_title):
        assert len(by_title) == 7

    def test_index(self, by_title):
        assert (by_title[0].title, by_title[6].title) == ("About us", "News")

    def test_negative_index(self, by_title):
        assert by_title[-1].title == "News"

    def test_index_past_the_end(self, by_title):
        with pytest.raises(IndexError):
            by_title[7]

    def test_slice(self, by_title):
        assert [b.title for b in by_title[2:4]] == ["Archive", "beta notes"]

    def test_slice_with_a_step(self, by_title):
        assert [b.title for b in by_title[0:7:3]] == ["About us", "beta notes", "News"]

    def test_slice_past_the_end(self, by_title):
        assert [b.title for b in by_title[5:50]] == ["Gamma 10", "News"]

    def test_a_small_slice_then_all(self, by_title):
        assert [b.title for b in by_title[:2]] == TITLES[:2]
        assert [b.title for b in by_title] == TITLES

    def test_batch(self, by_title):
        assert [b.title for b in by_title.batch(4, 2)] == ["Gamma 9", "Gamma 10"]

    def test_batch_start_and_size_sort_only_what_is_asked(self, catalog, content):
        found = search(catalog, sort_on="title", batch_start=2, batch_size=2)
        assert len(found._order) == 4 and len(found) == 7
        assert [b.title for b in found[2:4]] == ["Archive", "beta notes"]

    def test_batch_start_and_size_then_a_later_page(self, catalog, content):
        found = search(catalog, sort_on="title", batch_start=0, batch_size=2)
        assert [b.title for b in found[4:6]] == ["Gamma 9", "Gamma 10"]

    def test_slice_with_a_negative_step(self, by_title):
        assert [b.title for b in by_title[::-1]] == TITLES[::-1]


@pytest.mark.usefixtures("content")
class TestNarrowed:
    def test_a_date_range_as_search_gives_it(self, catalog):
        when = (utc(2024, 1, 1), utc(2024, 2, 1))
        assert sorted(paths(search(catalog).narrowed(modified=when))) == sorted(
            paths(search(catalog, modified=when)))

    def test_it_keeps_the_text_order(self, catalog):
        found = search(catalog, text="zebra").narrowed(subject="y")
        assert paths(found) == ["/news/alpha", "/news/beta"]
        assert found[0].score > found[1].score

    def test_the_original_is_unchanged(self, catalog):
        base = search(catalog)
        base.narrowed(type="Folder")
        assert len(base) == len(CONTENT)

    def test_an_unknown_index(self, catalog):
        with pytest.raises(QueryError):
            search(catalog).narrowed(colour="red")


class TestBrains:
    @pytest.fixture
    def brain(self, content, catalog):
        return search(catalog, path="/news/alpha", depth=0)[0]

    def test_columns_are_attributes(self, brain):
        assert (brain.title, brain.type_name, brain.state, brain.subjects,
                brain.creator, brain.is_container) == (
            "Alpha report", "Document", "published", ("x", "y"), "ann", False)

    def test_dates_are_seconds(self, brain):
        assert brain.modified == int(utc(2024, 1, 10).timestamp())

    def test_path_and_name(self, brain):
        assert (brain.path, brain.__name__) == ("/news/alpha", "alpha")

    def test_get_object(self, brain, content):
        assert brain.getObject() is content["news"]["alpha"]

    def test_get_object_of_a_deleted_object(self, brain, content):
        ops.delete(content["news"]["alpha"])
        assert brain.getObject() is None

    def test_an_unknown_attribute(self, brain):
        with pytest.raises(AttributeError):
            brain.colour

    def test_url_path_is_quoted(self, content, catalog):
        ops.rename(content["about"], "about us")
        found = search(catalog, path="/about us", depth=0)
        assert found[0].url_path == "/about%20us"

    def test_a_container(self, content, catalog):
        assert search(catalog, path="/news", depth=0)[0].is_container is True


@pytest.mark.usefixtures("content")
class TestFacets:
    def test_value_facets_count_the_whole_result(self, catalog):
        facets = search(catalog).facets("type", "state", "subject")
        assert facets == {
            "type": [("Document", 5), ("Folder", 2)],
            "state": [("published", 4), ("pending", 2), ("private", 1)],
            "subject": [("y", 3), ("x", 2)]}

    def test_value_facets_of_a_small_result(self, catalog):
        facets = search(catalog, path="/news/alpha", depth=0).facets("type", "subject")
        assert facets == {"type": [("Document", 1)], "subject": [("x", 1), ("y", 1)]}

    def test_facet_limit(self, catalog):
        assert search(catalog).facets("state", limit=1) == {"state": [("published", 4)]}

    def test_modified_buckets(self, catalog):
        facets = catalog.search(None, unrestricted=True, now=NOW).facets("modified")
        # beta: hours; news: a day and a half; about: a month; alpha: 51
        # days; the gammas: 9 months; archive: two years
        assert facets == {"modified": [("day", 1), ("week", 1), ("month", 1),
                                       ("year", 3), ("older", 1)]}

    def test_default_facets(self, catalog):
        facets = catalog.search(None, unrestricted=True, now=NOW).facets()
        assert list(facets) == ["type", "state", "subject", "modified"]


class TestDateFacetSizes:
    """Results of more than LOOKUP_COUNT (1000) count date buckets by day
    bitmaps of the index; smaller ones by looking each date up. Both must
    agree."""

    def results(self, registry, size, ages):
        from cupola.catalog.catalog import Catalog
        catalog = Catalog()
        catalog.sync(registry)
        for docid in range(1, 6001):
            catalog._paths.index_doc(docid, f"/d{docid}")
            catalog.index("modified").index_doc(docid, NOW - ages[docid % 5])
        return Results(catalog, BitMap(range(1, size + 1)), now=NOW)

    def test_past_dates_agree(self, registry):
        ages = (10, 2 * DAY, 40 * DAY, 400 * DAY, 800 * DAY)

        def share(size):
            found = self.results(registry, size, ages).facets("modified")
            return {k: v * 5 // size for k, v in found["modified"]}
        assert share(6000) == share(50) == {
            "day": 1, "week": 1, "month": 0, "year": 1, "older": 2}

    def test_future_dates_are_in_no_bucket_at_any_size(self, registry):
        ages = (-DAY, 10, 2 * DAY, 40 * DAY, 400 * DAY)
        small = self.results(registry, 50, ages).facets("modified")
        big = self.results(registry, 6000, ages).facets("modified")
        assert sum(n for _, n in small["modified"]) == 50 * 4 // 5
        assert sum(n for _, n in big["modified"]) == 6000 * 4 // 5
