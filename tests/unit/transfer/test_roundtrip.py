"""Export a subtree as JSON plus files, import it into a fresh site: nothing lost."""

from conftest import Site, build_app
from transfer_content import differences, make_sample
from cupola.transfer import export_tree, load_export, read_export


def test_round_trip_into_a_fresh_site_loses_nothing(tmp_path):
    source, target = build_app(), build_app()
    try:
        with Site(source) as site:
            make_sample(source.registry, site)
        with Site(source) as site:
            count = export_tree(source.registry, site["sub"], tmp_path / "out")
        assert count == 8
        export = read_export(target.registry, tmp_path / "out")
        with Site(target) as site:
            added = load_export(target.registry, site, export)
            assert [o.__name__ for o in added] == ["sub"]
        with Site(source) as a, Site(target) as b:
            assert differences(source.registry, a["sub"], b["sub"]) == []
            found = {x.path for x in b.catalog.search(None, unrestricted=True, path="/sub")}
            assert found == {"/sub", "/sub/minutes", "/sub/draft", "/sub/logo.png",
                             "/sub/report", "/sub/inner", "/sub/inner/example",
                             "/sub/inner/deep"}
            assert [x.path for x in b.catalog.search(None, text="minutes")] == ["/sub/minutes"]
            assert [x.path for x in b.catalog.search(None, text="secret")] == []
            assert [x.path for x in b.catalog.search(None, unrestricted=True,
                                                     text="secret")] == ["/sub/draft"]
            for query in ({"text": "minutes"}, {"text": "plan"}, {"subject": "reports"},
                          {"type": "Image"}, {"path": "/sub/inner"}, {"state": "published"}):
                for unrestricted in (False, True):
                    assert ({x.path for x in a.catalog.search(None, unrestricted=unrestricted, **query)}
                            == {x.path for x in b.catalog.search(None, unrestricted=unrestricted,
                                                                 **query)}), query
    finally:
        source.db.close()
        target.db.close()


def test_a_whole_site_export_goes_into_a_folder_or_over_a_site(tmp_path):
    from cupola.security.localroles import local_roles, set_local_roles
    from cupola.transfer import TransferError
    import pytest
    source, target = build_app(), build_app()
    try:
        with Site(source) as site:
            make_sample(source.registry, site)
            site.title = "The source"
            set_local_roles(site, "dora", ["Editor"])
        with Site(source) as site:
            assert export_tree(source.registry, site, tmp_path / "all") == 13
        export = read_export(target.registry, tmp_path / "all")
        with Site(target) as site:
            added = load_export(target.registry, site["news"], export)
            assert [o.__name__ for o in added] == ["about", "welcome", "news", "sub"]
            assert site.title != "The source"  # not the site root: content only
        with pytest.raises(TransferError, match="/about already exists"):
            with Site(target) as site:
                load_export(target.registry, site, export)
        with Site(target) as site:
            load_export(target.registry, site, export, replace=True)
        with Site(source) as a, Site(target) as b:
            assert b.title == "The source" and local_roles(b)["dora"] == ("Editor",)
            assert list(b.keys()) == list(a.keys())
            assert differences(source.registry, a["sub"], b["sub"]) == []
    finally:
        source.db.close()
        target.db.close()
