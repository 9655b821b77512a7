"""``cupola zeo``: its address and storage options (the server itself runs in tests/deploy)."""

import pytest

from cupola.cli import main
from cupola.cli.zeo import parse_address
from cupola.exceptions import ConfigurationError


@pytest.mark.parametrize("text, expected", [
    ("127.0.0.1:8100", ("127.0.0.1", 8100)),
    (":8100", ("127.0.0.1", 8100)),
    ("zeo.internal:9000", ("zeo.internal", 9000)),
    ("/run/cupola/zeo.sock", "/run/cupola/zeo.sock"),
])
def test_addresses(text, expected):
    assert parse_address(text) == expected


@pytest.mark.parametrize("text", ["8100", "host:", "host:port"])
def test_a_bad_address_is_a_clear_error(text):
    with pytest.raises(ConfigurationError, match="--address must be HOST:PORT"):
        parse_address(text)


def test_only_a_file_storage_is_served(capsys):
    assert main(["zeo", "--zodb-uri", "memory://"]) == 1
    err = capsys.readouterr().err
    assert "cupola zeo serves a FileStorage (file://...), not 'memory://'" in err


def test_a_data_fs_in_use_is_refused(tmp_path, capsys):
    from cupola.db.storage import open_db
    db = open_db(f"file://{tmp_path}/Data.fs")
    try:
        assert main(["zeo", "--address", "127.0.0.1:0",
                     "--zodb-uri", f"file://{tmp_path}/Data.fs"]) == 1
    finally:
        db.close()
    assert "is in use by process" in capsys.readouterr().err
