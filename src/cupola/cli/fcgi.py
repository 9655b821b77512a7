"""Serve the site over FastCGI (flup), for nginx or Apache's mod_proxy_fcgi."""

import sys

from cupola.cli.options import add_db_options, env, load_app


def octal(value):
    return int(value, 8)


def add_arguments(parser):
    add_db_options(parser)
    parser.add_argument("--bind", default=env("CUPOLA_FCGI_BIND", "127.0.0.1:9000"),
                        help="host:port or a Unix socket path to listen on "
                             "(env CUPOLA_FCGI_BIND, default 127.0.0.1:9000)")
    parser.add_argument("--threads", type=int, default=int(env("CUPOLA_THREADS", 8)),
                        help="most requests answered at once (env CUPOLA_THREADS, default 8)")
    parser.add_argument("--umask", type=octal, default=None,
                        help="umask for a Unix socket, in octal (e.g. 007: "
                             "the web server's group may connect)")


def run(args):
    from cupola.gateways import parse_bind, run_fcgi
    try:
        parse_bind(args.bind)
    except ValueError as e:
        print(f"cupola fcgi: {e}", file=sys.stderr)
        return 2
    app = load_app(args)
    print(f"Cupola is serving FastCGI on {args.bind}", flush=True)
    run_fcgi(app, args.bind, threads=args.threads, umask=args.umask)
