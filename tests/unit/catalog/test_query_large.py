"""search() on a catalog bigger than the lookup thresholds: the bitmap paths
of security filtering, the publication window, sorting and facets against
brute force over the same data (indexed directly, without content)."""

import random

import pytest
from pyroaring import BitMap

from cupola.catalog.facets import DATE_BUCKETS, LOOKUP_COUNT, bucket_range
from cupola.catalog.indexes import GRANULE, LOOKUP_SORT

from catalog_fixtures import registry, searcher, site, tm  # noqa: F401 (fixtures)

N = 3000
NOW = 1_700_000_000
FOLDERS = [f"/f{i}" for i in range(6)]


class Doc:
    def __init__(self, rng, docid):
        self.docid = docid
        self.path = f"{rng.choice(FOLDERS)}/d{docid}"
        self.type = rng.choice(("Document",) * 4 + ("News Item", "Link"))
        self.state = rng.choice(("published", "published", "published", "private"))
        self.creator = rng.choice(("ann", "bob", "carol"))
        self.subjects = tuple(sorted(set(rng.sample("abcdefg", rng.randrange(3)))))
        self.modified = NOW - rng.randrange(500 * GRANULE)
        self.effective = rng.choice((None,) * 8 + (NOW + GRANULE, NOW - GRANULE))
        self.expires = rng.choice((None,) * 8 + (NOW - 10, NOW + 3600))
        if self.state == "published":
            self.allowed = ("Anonymous", "Manager")
        else:
            self.allowed = ("Editor", "Manager", f"user:{self.creator}")
        self.inactive = ("Editor", "Manager", f"user:{self.creator}")

    def active(self):
        return ((self.effective is None or self.effective <= NOW)
                and (self.expires is None or self.expires > NOW))

    def visible_to(self, tokens):
        if not set(tokens) & set(self.allowed):
            return False
        return self.active() or bool(set(tokens) & set(self.inactive))


@pytest.fixture
def docs(site):
    """N documents indexed straight into the site's (empty) catalog."""
    catalog = site.catalog
    rng = random.Random(4)
    made = {}
    for i in range(N):
        docid = catalog._next_docid
        catalog._next_docid = docid + 1
        doc = made[docid] = Doc(rng, docid)
        catalog._paths.index_doc(docid, doc.path)
        catalog._set_docid(doc.path, docid)
        for name, value in (("type_name", doc.type), ("state", doc.state),
                            ("creator", doc.creator), ("subject", doc.subjects),
                            ("modified", doc.modified), ("effective", doc.effective),
                            ("expires", doc.expires), ("allowed", doc.allowed),
                            ("allowed_inactive", doc.inactive)):
            catalog.index(name).index_doc(docid, value)
        catalog._meta[docid] = (None,) * len(catalog.columns)
    return made


def search(site, request=None, **query):
    return site.catalog.search(request, now=NOW, **query)


ANONYMOUS = ("Anonymous",)


class TestVisibility:
    def test_anonymous(self, site, docs):
        expected = {d for d, doc in docs.items() if doc.visible_to(ANONYMOUS)}
        assert len(expected) > LOOKUP_COUNT
        assert set(search(site).docids) == expected

    def test_a_creator_also_sees_own_private_and_inactive(self, site, docs, searcher):
        tokens = ("Anonymous", "Authenticated", "Member", "user:bob")
        expected = {d for d, doc in docs.items() if doc.visible_to(tokens)}
        assert set(search(site, searcher("bob")).docids) == expected
        assert expected != {d for d, doc in docs.items() if doc.visible_to(ANONYMOUS)}

    def test_unrestricted_sees_everything(self, site, docs):
        assert len(search(site, unrestricted=True)) == N


class TestSorting:
    @pytest.mark.parametrize("reverse", [False, True])
    def test_a_page_newest_first(self, site, docs, reverse):
        found = search(site, type="Document", sort_on="modified", reverse=reverse,
                       batch_start=40, batch_size=20)
        assert len(found) > LOOKUP_SORT
        expected = sorted((d for d, doc in docs.items() if doc.type == "Document"
                           and doc.visible_to(ANONYMOUS)),
                          key=lambda d: docs[d].modified, reverse=reverse)
        assert [b.docid for b in found[40:60]] == expected[40:60]

    def test_sorted_on_a_date_few_have(self, site, docs):
        found = search(site, sort_on="effective", reverse=True, unrestricted=True)
        dated = sorted((d for d, doc in docs.items() if doc.effective is not None),
                       key=lambda d: docs[d].effective, reverse=True)
        assert [b.docid for b in found[:len(dated) + 5]] == dated + sorted(
            d for d, doc in docs.items() if doc.effective is None)[:5]


class TestFacets:
    def test_counts_of_the_whole_result(self, site, docs):
        results = search(site)
        assert len(results) > LOOKUP_COUNT
        visible = [doc for doc in docs.values() if doc.visible_to(ANONYMOUS)]
        expected = {}
        for name in ("type", "state", "subject"):
            counts = {}
            for doc in visible:
                values = doc.subjects if name == "subject" else (getattr(doc, name),)
                for v in values:
                    counts[v] = counts.get(v, 0) + 1
            expected[name] = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        ages = []
        for key, _, _, _ in DATE_BUCKETS:
            low, high = bucket_range(key, NOW)
            ages.append((key, sum(1 for doc in visible if (
                low is None or doc.modified >= low) and doc.modified <= high)))
        expected["modified"] = ages
        assert results.facets("type", "state", "subject", "modified") == expected

    def test_a_facet_filter_narrows_like_its_count(self, site, docs):
        counts = dict(search(site).facets("subject")["subject"])
        assert len(search(site, subject="c")) == counts["c"]


def test_results_hold_a_bitmap(site, docs):
    assert isinstance(search(site).docids, BitMap)
