"""Serve the site with waitress (the default WSGI server)."""

import sys

from cupola.cli.options import add_db_options, env, load_app


def add_arguments(parser):
    add_db_options(parser)
    parser.add_argument("--host", default=env("CUPOLA_HOST", "127.0.0.1"),
                        help="address to listen on (env CUPOLA_HOST)")
    parser.add_argument("--port", type=int, default=int(env("CUPOLA_PORT", 8080)),
                        help="port (env CUPOLA_PORT, default 8080)")
    parser.add_argument("--threads", type=int, default=int(env("CUPOLA_THREADS", 4)),
                        help="worker threads (env CUPOLA_THREADS, default 4)")


def run(args):
    from cupola.server import serve
    app = load_app(args)
    url = f"http://{args.host}:{args.port}/"
    print(f"Cupola is serving {url}\n"
          f"Sign in at {url}@@login with the admin account "
          "(its password was printed when the site was created, or is "
          "CUPOLA_ADMIN_PASSWORD).", flush=True)
    sys.stdout.flush()
    # X-Forwarded-* reach the application: its proxy filter (egg:cupola#proxy)
    # applies them from trusted proxies only and removes all others
    serve(app, host=args.host, port=args.port, threads=args.threads,
                   ident="Cupola", clear_untrusted_proxy_headers=False)
