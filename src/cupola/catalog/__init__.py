"""The catalog: indexes over a site's content that only answer what the
asker may see. ``site.catalog.search(request, **query)`` is the one call;
``install``/``reindex`` create and rebuild it."""

import logging
import time

from cupola.catalog.catalog import Catalog, find_catalog, path_of, walk  # noqa: F401
from cupola.content.container import count_inside

log = logging.getLogger("cupola.catalog")
BATCH = 1_000  # objects whose text is indexed at once

__all__ = ["Catalog", "find_catalog", "install", "reindex", "sync_site"]


def install(site, registry, language=None, stemming=False, progress=None):
    """Give *site* an empty catalog shaped by *registry* and index it."""
    catalog = Catalog(language or site.settings.get("language"), stemming)
    catalog.__parent__ = site
    catalog.sync(registry)
    site.catalog = catalog
    reindex(site, registry, progress=progress)
    return catalog


def sync_site(site, registry, progress=None):
    """Bring *site*'s catalog in line with *registry* (new add-on indexes,
    columns); create it when missing. Returns what was (re)built: [] when
    nothing needed doing."""
    catalog = getattr(site, "catalog", None)
    if catalog is None:
        install(site, registry, progress=progress)
        return ["all"]
    stale = catalog.sync(registry)
    if stale:
        names = [n for n in stale if n != "_meta"]
        reindex(site, registry, names=names, progress=progress)
    return stale


def reindex(site, registry, names=None, progress=None, commit_every=None, tm=None):
    """Index every object of *site* again (all indexes, or only *names*;
    metadata always). *progress(done, total)* is called as it goes; with
    *commit_every* (and *tm*), commits every that many objects (a savepoint
    keeps memory bounded). Returns the number of objects indexed."""
    catalog = site.catalog
    if names is None:
        catalog.clear()
    total = count_inside(site)
    started, done = time.monotonic(), 0
    objects = with_paths(site)
    step = commit_every if commit_every and tm is not None else BATCH
    while True:
        before = done
        with catalog.batching():  # text is indexed per *step* objects
            for obj, path in objects:
                catalog.index_object(registry, obj, path, names)
                done += 1
                if progress is not None:
                    progress(done, total)
                if done % step == 0:
                    break
        if done == before or done % step:
            break
        if commit_every and tm is not None:
            tm.get().note(f"Reindexing the catalog ({done} of {total})")
            tm.commit()
    for index in list(catalog._indexes.values()):
        if hasattr(index, "merge"):  # the text index's segments
            index.merge()
    log.info("cupola.catalog: indexed %d objects in %.1f s", done,
             time.monotonic() - started)
    return done


def with_paths(site):
    """(object, site-relative path) of everything inside *site*, parents
    before children, in order; the paths from the walk itself."""
    from cupola.interfaces import IContainer
    stack = [(site, "")]
    while stack:
        node, path = stack.pop()
        if path:
            yield node, path
        if IContainer.providedBy(node):
            stack.extend((child, f"{path}/{name}")
                         for name, child in reversed(list(node.items())))


def includeme(config):
    config.include("cupola.catalog.definitions")
    config.include("cupola.catalog.queue")
