"""The catalog's side of full text: batches, docids, old text indexes."""

from cupola.catalog import reindex, sync_site
from cupola.catalog.textindex import TextIndex
from cupola.content import operations as ops

from catalog_fixtures import catalog, registry, site, tm  # noqa: F401 (fixtures)


def add(registry, container, title, text="", type_name="Document"):
    return ops.create(registry, container, type_name, {"title": title, "text": text},
                      creator="ann")


def found(catalog, text):
    return sorted(b.path for b in catalog.search(None, unrestricted=True, text=text))


class TestBatching:
    def test_one_commit_indexes_the_text_of_every_object(self, registry, site, catalog, tm):
        for i in range(30):
            add(registry, site, f"Page {i}", f"<p>shared word{i}</p>")
        tm.commit()
        assert len(found(catalog, "shared")) == 30
        assert found(catalog, "word7") == ["/page-7"]

    def test_text_is_indexed_when_the_batch_ends(self, registry, site, catalog):
        doc = add(registry, site, "Alpha")
        with catalog.batching():
            docid = catalog.index_object(registry, doc, "/alpha")
            assert not catalog.index("text").value_of(docid)
        assert catalog.index("text").value_of(docid)

    def test_unindexing_inside_a_batch_wins_over_an_earlier_index(self, registry, site, catalog):
        doc = add(registry, site, "Alpha")
        with catalog.batching():
            docid = catalog.index_object(registry, doc, "/alpha")
            catalog.unindex_docid(docid)
        assert not catalog.index("text").value_of(docid)

    def test_a_failing_block_indexes_nothing_and_leaves_no_batch(self, registry, site, catalog):
        from cupola.catalog.catalog import _batches
        doc = add(registry, site, "Alpha")
        try:
            with catalog.batching():
                docid = catalog.index_object(registry, doc, "/alpha")
                raise RuntimeError("stop")
        except RuntimeError:
            pass
        assert id(catalog) not in _batches
        assert not catalog.index("text").value_of(docid)


class TestDocids:
    def test_docids_are_sequential(self, registry, site, catalog, tm):
        for i in range(5):
            add(registry, site, f"Page {i}")
        tm.commit()
        docids = [catalog.docid_for(f"/page-{i}") for i in range(5)]
        assert docids == list(range(docids[0], docids[0] + 5))

    def test_reindex_renumbers_from_the_counter(self, registry, site, catalog, tm):
        for i in range(3):
            add(registry, site, f"Page {i}", "body words")
        tm.commit()
        reindex(site, registry)
        tm.commit()
        assert found(catalog, "body") == ["/page-0", "/page-1", "/page-2"]
        assert all(0 < catalog.docid_for(f"/page-{i}") < 2**31 for i in range(3))


class TestOldTextIndex:
    def test_sync_replaces_a_zope_text_index_and_reindexes_it(self, registry, site, catalog, tm):
        from cupola.catalog.indexes import TextIndex as OldTextIndex
        add(registry, site, "Harbour", "<p>new bridge over the harbour</p>")
        tm.commit()
        catalog._indexes["text"] = OldTextIndex()
        tm.commit()
        assert sync_site(site, registry) == ["text"]
        tm.commit()
        assert isinstance(catalog.index("text"), TextIndex)
        assert found(catalog, '"new bridge"') == ["/harbour"]


class TestDocidsByPathHash:
    def test_paths_sharing_a_hash_keep_their_own_docids(self, registry, site, catalog, tm,
                                                        monkeypatch):
        monkeypatch.setattr("cupola.catalog.catalog.path_key", lambda path: 7)
        for i in range(3):
            add(registry, site, f"Page {i}", f"text{i}")
        tm.commit()
        docids = [catalog.docid_for(f"/page-{i}") for i in range(3)]
        assert len(set(docids)) == 3 and len(catalog._clashes) == 2
        assert [catalog.path_for(d) for d in docids] == ["/page-0", "/page-1", "/page-2"]
        ops.delete(site["page-1"])
        tm.commit()
        assert catalog.docid_for("/page-1") is None and len(catalog._clashes) == 1
        assert found(catalog, "text2") == ["/page-2"]

    def test_an_unknown_path_has_no_docid(self, registry, site, catalog, tm):
        add(registry, site, "Page")
        tm.commit()
        assert catalog.docid_for("/elsewhere") is None

    def test_sync_rekeys_a_catalog_of_docids_by_path(self, registry, site, catalog, tm):
        from BTrees.OIBTree import OIBTree
        for i in range(3):
            add(registry, site, f"Page {i}", "body")
        tm.commit()
        by_path = OIBTree({p: catalog.docid_for(p) for p in catalog.paths()})
        catalog._docids, catalog._clashes = by_path, None  # as earlier versions stored it
        assert catalog.docid_for("/page-1") == by_path["/page-1"]
        catalog.sync(registry)
        tm.commit()
        assert catalog._clashes is not None and len(catalog._docids) == 3
        assert {p: catalog.docid_for(p) for p in by_path} == dict(by_path.items())

    def test_sync_rebuilds_a_text_index_of_an_earlier_postings_format(
            self, registry, site, catalog, tm):
        add(registry, site, "Harbour", "<p>new bridge over the harbour</p>")
        tm.commit()
        old = catalog.index("text")
        old._format = 1
        tm.commit()
        assert sync_site(site, registry) == ["text"]
        tm.commit()
        assert catalog.index("text") is not old and catalog.index("text")._format == 2
        assert found(catalog, "bridge") == ["/harbour"]


class TestIndexesOfEarlierVersions:
    def test_sync_makes_date_indexes_of_field_indexes_and_refills_them(
            self, registry, site, catalog, tm):
        from datetime import datetime, timedelta, timezone

        from cupola.catalog.indexes import GRANULE, DateIndex, FieldIndex
        page = add(registry, site, "Harbour")
        page.created = datetime(2020, 5, 1, tzinfo=timezone.utc)
        tm.commit()
        for name in ("created", "modified"):
            old = catalog._indexes[name] = FieldIndex()
            old._coarse = old._blocks = None
            catalog._kinds[name] = "field"
        tm.commit()
        assert sorted(sync_site(site, registry)) == ["created", "modified"]
        tm.commit()
        index = catalog.index("created")
        assert isinstance(index, DateIndex) and catalog._kinds["created"] == "date"
        day = int(page.created.timestamp()) // GRANULE
        assert list(index._coarse.keys()) == [day]
        since = page.created - timedelta(days=1)
        assert [b.path for b in catalog.search(created=(since, None), unrestricted=True)] == ["/harbour"]

    def test_sync_rebuilds_a_field_index_that_kept_day_bitmaps(
            self, registry, site, catalog, tm):
        from BTrees.OOBTree import OOBTree

        from cupola.catalog.indexes import FieldIndex
        add(registry, site, "Harbour")
        tm.commit()
        old = catalog._indexes["creator"] = FieldIndex()
        old._coarse, old._blocks = OOBTree({0: 1}), OOBTree()  # as numbers got them
        tm.commit()
        assert sync_site(site, registry) == ["creator"]
        assert catalog.index("creator") is not old
        assert catalog.index("creator")._coarse is None
