"""Opening storages from URIs and the first-run bootstrap."""

import os

import pytest

from cupola.db.bootstrap import ROOT_KEY, bootstrap
from cupola.db.storage import DatabaseLocked, normalize_uri, open_db
from cupola.exceptions import ConfigurationError


class TestUris:
    def test_relative_file_uri_becomes_absolute_with_blobs(self, tmp_path):
        uri = normalize_uri("file://var/Data.fs", base=str(tmp_path))
        assert uri == (f"file://{tmp_path}/var/Data.fs?"
                       f"blobstorage_dir={tmp_path}/var/blobstorage")

    def test_default_is_var_data_fs(self, tmp_path):
        assert normalize_uri(None, base=str(tmp_path)).startswith(
            f"file://{tmp_path}/var/Data.fs")

    def test_other_schemes_pass_through(self):
        assert normalize_uri("memory://") == "memory://"

    def test_zeo_gets_a_blob_cache_and_a_wait_timeout(self, tmp_path):
        assert normalize_uri("zeo://localhost:9100", base=str(tmp_path)) == (
            f"zeo://localhost:9100?blob_dir={tmp_path}/var/blobcache&wait_timeout=5")

    def test_zeo_keeps_given_options_and_makes_blob_dir_absolute(self, tmp_path):
        uri = normalize_uri("zeo://h:1?blob_dir=cache&wait_timeout=1", base=str(tmp_path))
        assert uri == f"zeo://h:1?blob_dir={tmp_path}/cache&wait_timeout=1"

    def test_postgresql_becomes_relstorage_postgres(self, tmp_path):
        uri = normalize_uri("postgresql://u:pw@db:5433/cms?shared_blob_dir=false",
                            base=str(tmp_path))
        assert uri == ("postgres://u:pw@db:5433/cms?shared_blob_dir=false"
                       f"&blob_dir={tmp_path}/var/blobcache")

    def test_described_uri_hides_the_password(self):
        from cupola.db.storage import describe_uri
        assert describe_uri("postgres://u:secret@db/cms") == "postgres://u:***@db/cms"

    def test_unknown_scheme_is_a_clear_error(self):
        with pytest.raises(ConfigurationError, match="no storage"):
            open_db("nosuch://x")


class TestFileStorage:
    def test_file_storage_with_blobs_under_var(self, tmp_path):
        db = open_db("file://var/Data.fs", base=str(tmp_path))
        try:
            bootstrap(db, admin_password="pw", echo=None)
        finally:
            db.close()
        assert (tmp_path / "var" / "Data.fs").is_file()
        assert (tmp_path / "var" / "blobstorage").is_dir()

    def test_second_process_style_open_gets_a_lock_error(self, tmp_path):
        db = open_db("file://var/Data.fs", base=str(tmp_path))
        try:
            with pytest.raises(DatabaseLocked, match=f"in use by process {os.getpid()}"):
                open_db("file://var/Data.fs", base=str(tmp_path))
        finally:
            db.close()


class TestBootstrap:
    def test_creates_site_and_admin_once(self):
        db = open_db("memory://")
        printed = []
        password = bootstrap(db, echo=printed.append)
        assert password and password in printed[0]
        assert bootstrap(db, echo=printed.append) is None
        conn = db.open()
        site = conn.root()[ROOT_KEY]
        assert site.users["admin"].check_password(password)
        assert "Manager" in site.users["admin"].roles
        assert list(site.keys())[:2] == ["about", "welcome"]
        conn.close()
        db.close()

    def test_password_from_environment(self, monkeypatch):
        monkeypatch.setenv("CUPOLA_ADMIN_PASSWORD", "from-env")
        db = open_db("memory://")
        assert bootstrap(db, echo=None) == ""
        conn = db.open()
        assert conn.root()[ROOT_KEY].users["admin"].check_password("from-env")
        conn.close()
        db.close()
