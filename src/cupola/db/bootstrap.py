"""First run: create the site root and an admin account."""

import logging
import os
import secrets

import transaction

from cupola.content.folder import Site
from cupola.security.users import add_user

log = logging.getLogger(__name__)
ROOT_KEY = "cupola.site"


def get_site(conn):
    """The site root stored in the connection's database (KeyError if none)."""
    return conn.root()[ROOT_KEY]


def bootstrap(db, admin_login="admin", admin_password=None, title="Cupola",
              echo=print, registry=None):
    """Create the site and admin account if the database has none.

    Returns None when the site existed, else the generated password (shown
    once) or "" when the password was given. The password comes from *admin_password*, else
    ``CUPOLA_ADMIN_PASSWORD``, else it is generated.
    """
    tm = transaction.TransactionManager()
    conn = db.open(transaction_manager=tm)
    try:
        with tm:
            root = conn.root()
            if ROOT_KEY in root:
                if registry is not None:
                    _sync_catalog(root[ROOT_KEY], registry, tm)
                    from cupola.addons.upgrades import warn_pending
                    warn_pending(root[ROOT_KEY], registry)
                return None
            site = Site(title=title, description="A site made with Cupola.")
            site.settings["secret"] = secrets.token_urlsafe(32)
            _make_site_records(site)
            password = admin_password or os.environ.get("CUPOLA_ADMIN_PASSWORD")
            generated = None
            if not password:
                password = generated = secrets.token_urlsafe(12)
            add_user(site, admin_login, password, roles=("Manager",),
                     fullname="Site administrator")
            _add_welcome(site, registry)
            if registry is not None:
                from cupola.addons.sites import initialize_site
                from cupola.catalog import install
                install(site, registry)
                initialize_site(site, registry)
            root[ROOT_KEY] = site
            tm.get().note("Created the site and the admin account")
        log.info("created a new site with admin account %r", admin_login)
        if generated and echo:
            echo(f"Created admin account {admin_login!r} with password: {generated}\n"
                 "(shown once; set CUPOLA_ADMIN_PASSWORD to choose it)")
        return generated or ""
    finally:
        conn.close()


def _add_welcome(site, registry):
    """Some published content so that a new site is not an empty page."""
    from cupola.content.document import Document
    from cupola.content.folder import Folder
    about = Folder("About", "Who we are and what we do.")
    site.add("about", about, send_events=False)
    about.add("team", Document("Our team", "The people behind the site.",
                               "<p>Write about your team here.</p>"),
              send_events=False)
    site.add("welcome", Document(
        "Welcome to Cupola",
        "Your new site is ready.",
        "<p>This page is stored as a persistent object in the ZODB and "
        "rendered by a Chameleon template from a skin layer.</p>"
        "<h2>Next steps</h2><ul><li>Sign in with the admin account.</li>"
        "<li>Add folders, pages, files and images.</li></ul>"),
        send_events=False)
    site.add("news", Folder("News", "What is new."), send_events=False)
    if registry is not None:
        from cupola.workflow.engine import _entry, initialize, subtree
        for obj in subtree(site):
            state = None if obj is site else initialize(registry, obj)
            if state is not None and state.name != "published":
                obj.workflow_history.append(
                    _entry("publish", None, state.name, "published",
                           "Published when the site was created"))
                obj.workflow_state = "published"


def _sync_catalog(site, registry, tm):
    """Create or reshape the catalog of an existing site (new indexes)."""
    from cupola.catalog import sync_site
    if sync_site(site, registry):
        tm.get().note("Brought the catalog up to date")
        log.info("brought the catalog of the site up to date")


def _make_site_records(site):
    """Make now what the site would otherwise make on first use (the audit
    log, the recycle bin): a first use that writes the site record itself
    would block undoing every earlier change to the site (see @@undo)."""
    from cupola.content.trash import query_bin
    from cupola.security.audit import log_entries
    log_entries(site)
    query_bin(site, create=True)
