"""Serve a FileStorage to several app processes as a ZEO server.

The app processes then open ``zeo://HOST:PORT`` (each with its own object
cache and blob cache). The FileStorage is checked as ``cupola serve``
checks it: a lock error when another process has it open, and a refusal
to start when blob files it references are missing.
"""

import signal
import sys

from cupola.cli.options import env

DEFAULT_ADDRESS = "127.0.0.1:8100"


def add_arguments(parser):
    parser.add_argument("--address", default=env("CUPOLA_ZEO_ADDRESS", DEFAULT_ADDRESS),
                        help="HOST:PORT to listen on (env CUPOLA_ZEO_ADDRESS, "
                             f"default {DEFAULT_ADDRESS}), or a Unix socket path")
    parser.add_argument("--zodb-uri", default=env("CUPOLA_ZEO_STORAGE", "file://var/Data.fs"),
                        help="the FileStorage to serve (env CUPOLA_ZEO_STORAGE, "
                             "default file://var/Data.fs, blobs in blobstorage/ beside it)")
    parser.add_argument("--read-only", action="store_true",
                        help="refuse every write")
    parser.add_argument("--transaction-timeout", type=float, default=None, metavar="SECONDS",
                        help="abort a client's commit that holds the lock longer "
                             "than this (default: no limit)")


def parse_address(text):
    """('host', port) for HOST:PORT, or the path of a Unix socket."""
    if "/" in text:
        return text
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit():
        from cupola.exceptions import ConfigurationError
        raise ConfigurationError(f"--address must be HOST:PORT or a socket path, not {text!r}")
    return (host or "127.0.0.1", int(port))


def run(args):
    from ZEO.StorageServer import StorageServer

    from cupola.db.blobs import check_blob_files
    from cupola.db.storage import describe_uri, normalize_uri, open_storage
    from cupola.exceptions import ConfigurationError
    address = parse_address(args.address)
    uri = normalize_uri(args.zodb_uri)
    if not uri.startswith("file://"):
        raise ConfigurationError(
            f"cupola zeo serves a FileStorage (file://...), not {describe_uri(uri)!r}")
    storage, _ = open_storage(uri)
    try:
        check_blob_files(storage, env("CUPOLA_CHECK_BLOBS", "full"))
        try:
            server = StorageServer(address, {"1": storage}, read_only=args.read_only,
                                   transaction_timeout=args.transaction_timeout)
        except OSError as e:
            raise ConfigurationError(f"cannot listen on {args.address}: {e}") from e
    except BaseException:
        storage.close()
        raise
    bound = getattr(server.acceptor, "addr", address)
    shown = bound if isinstance(bound, str) else f"{bound[0]}:{bound[1]}"
    print(f"ZEO server for {storage.getName()} listening on {shown}", flush=True)
    sys.stdout.flush()

    def stop(signum, frame):
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        server.loop()
    except SystemExit:
        pass
    finally:
        server.close()
        storage.close()
    return 0
