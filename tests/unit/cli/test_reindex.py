"""cupola reindex: rebuilds the catalog of a FileStorage site."""

import transaction

from cupola.cli import main


def open_site(uri):
    from cupola.db.bootstrap import get_site
    from cupola.db.storage import open_db
    db = open_db(uri)
    conn = db.open()
    return db, conn, get_site(conn)


def make_site(tmp_path, monkeypatch):
    monkeypatch.setenv("CUPOLA_ADMIN_PASSWORD", "pw-for-tests")
    uri = f"file://{tmp_path}/Data.fs"
    assert main(["init", "--zodb-uri", uri]) == 0
    return uri


def test_reindex_rebuilds_a_wiped_catalog(tmp_path, monkeypatch, capsys):
    uri = make_site(tmp_path, monkeypatch)
    db, conn, site = open_site(uri)
    expected = sorted(b.path for b in site.catalog.search(None, unrestricted=True))
    site.catalog.clear()
    transaction.commit()
    conn.close()
    db.close()
    assert main(["reindex", "--zodb-uri", uri]) == 0
    out, err = capsys.readouterr()
    assert "Reindexed 4 objects" in out
    assert "Reindexing" in err  # the progress display
    db, conn, site = open_site(uri)
    try:
        assert sorted(b.path for b in site.catalog.search(None, unrestricted=True)) == expected
        assert [b.path for b in site.catalog.search(None, text="team")] == ["/about/team"]
    finally:
        conn.close()
        db.close()


def test_reindex_of_named_indexes_only(tmp_path, monkeypatch, capsys):
    uri = make_site(tmp_path, monkeypatch)
    assert main(["reindex", "--zodb-uri", uri, "text", "modified"]) == 0
    assert "Reindexed 4 objects" in capsys.readouterr().out


def test_unknown_index_is_a_clear_error(tmp_path, monkeypatch, capsys):
    uri = make_site(tmp_path, monkeypatch)
    assert main(["reindex", "--zodb-uri", uri, "nonesuch"]) == 1
    err = capsys.readouterr().err
    assert "No catalog index 'nonesuch'" in err and "sortable_title" in err


def test_database_without_a_site(tmp_path, capsys):
    assert main(["reindex", "--zodb-uri", f"file://{tmp_path}/Empty.fs"]) == 1
    assert "cupola init" in capsys.readouterr().err
