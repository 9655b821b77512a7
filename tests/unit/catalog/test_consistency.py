"""A random sequence of content operations leaves the catalog equal to what
indexing the tree from scratch would give."""

import random
from datetime import datetime, timedelta, timezone

from cupola.catalog.catalog import path_of, walk
from cupola.catalog.indexes import ancestors, parent_path
from cupola.content import operations as ops
from cupola.content.events import ObjectModified, notify
from cupola.content.file import File
from cupola.interfaces import IContainer
from cupola.security.localroles import (blocks_inheritance,
                                        set_block_inheritance, set_local_roles)
from cupola.security.policy import granted_roles, has_permission, is_active
from cupola.security.roles import ANONYMOUS, CONTRIBUTOR, EDITOR, OWNER, REVIEWER, VIEW
from cupola.workflow.engine import allowed_transitions, do_transition

from catalog_fixtures import (  # noqa: F401 (fixtures)
    catalog, manager, registry, searcher, site, tm)

WORDS = ("apple", "river", "stone", "cloud", "maple", "ember", "quartz", "delta")
CREATORS = ("ann", "bob")
PRINCIPALS = ("bob", "carol")
LOCAL_ROLES = (OWNER, CONTRIBUTOR, EDITOR, REVIEWER)
MAX_OBJECTS = 120


def tree_of(site):
    """{site-relative path: object} of everything below *site*."""
    found = {}
    for obj in walk(site):
        _, path = path_of(obj)
        if path != "/":
            found[path] = obj
    return found


def assert_consistent(site, registry, requests=()):
    """The catalog of *site* holds exactly the tree: paths, every index's
    value, metadata, and what Anonymous (and each of *requests*) finds."""
    catalog = site.catalog
    tree = tree_of(site)
    assert set(catalog.paths()) == set(tree)
    assert len(catalog._docids) + len(catalog._clashes) == len(tree)
    docids = {path: catalog.docid_for(path) for path in tree}
    assert len(catalog) == len(tree)
    assert set(catalog._meta.keys()) == set(docids.values())
    for path, docid in docids.items():
        assert catalog.path_for(docid) == path
    _assert_path_index(catalog._paths)
    for name, definition in registry.catalog_indexes.items():
        index = catalog.index(name)
        assert set(index.docids()) <= set(docids.values()), f"{name}: stale docids"
        for path, obj in tree.items():
            want = definition.getter(obj, registry)
            got = index.value_of(docids[path])
            if definition.kind == "keyword":
                want = tuple(sorted(set(want or ())))
            elif definition.kind == "text":
                want = bool(want)
            assert got == want, f"{name} of {path}: {got!r} != {want!r}"
        if definition.kind != "text":
            _assert_forward_index(name, index, definition.kind == "keyword")
    columns = registry.catalog_columns
    for path, obj in tree.items():
        want = tuple(columns[c].getter(obj, registry) for c in catalog.columns)
        assert catalog.record(docids[path]) == want, f"metadata of {path}"
    anonymous = {path for path, obj in tree.items()
                 if ANONYMOUS in granted_roles(registry, obj, VIEW) and is_active(obj)}
    assert {b.path for b in catalog.search(None)} == anonymous
    for request in requests:
        allowed = {path for path, obj in tree.items()
                   if has_permission(VIEW, obj, request)}
        login = request.environ["cupola.principals"]
        assert {b.path for b in catalog.search(request)} == allowed, login


def _entries(fwd):
    """{key: set of docids} of a forward BTree; a tree set holds two or more."""
    out = {}
    for key, found in fwd.items():
        if isinstance(found, int):
            out[key] = {found}
        else:
            assert len(found) >= 2, f"{key!r}: a tree set of {len(found)}"
            out[key] = set(found)
    return out


def _assert_forward_index(name, index, keyword):
    expected = {}
    for docid, value in index._rev.items():
        for key in (value if keyword else (value,)):
            expected.setdefault(key, set()).add(docid)
    assert _entries(index._fwd) == expected, f"{name}: forward != reverse"
    assert len(index) == len(index._rev), f"{name}: length"


def _assert_path_index(index):
    subtree, children = {}, {}
    for docid, path in index._rev.items():
        for ancestor in ancestors(path)[:-1]:
            subtree.setdefault(ancestor, set()).add(docid)
        children.setdefault(parent_path(path), set()).add(docid)
    assert _entries(index._subtree) == subtree
    assert {k: set(v) for k, v in index._children.items()} == children
    assert len(index) == len(index._rev)


def _above(obj):
    while obj.__parent__ is not None:
        obj = obj.__parent__
        yield obj


class Scenario:
    """Random operations on a site, as an editor would do them."""

    def __init__(self, rng, registry, site, searcher):
        self.rng, self.registry, self.site = rng, registry, site
        self.searcher = searcher
        self.serial = 0

    # -- choosing --

    def objects(self):
        return list(tree_of(self.site).values())

    def containers(self):
        return [self.site] + [o for o in self.objects() if IContainer.providedBy(o)]

    def words(self, low=1, high=4):
        return " ".join(self.rng.choice(WORDS) for _ in range(self.rng.randint(low, high)))

    def subjects(self):
        return tuple(self.rng.sample(WORDS[:4], self.rng.randint(0, 2)))

    def when(self):
        return self.rng.choice((None, None, -3, 3))

    def name(self):
        self.serial += 1
        return f"n{self.serial}"

    # -- operations: each returns False when it found nothing to do --

    def add_folder(self):
        containers = self.containers()
        if self.rng.random() < 0.5:  # nest deeper than a uniform choice would
            containers = sorted(containers, key=lambda c: len(list(_above(c))))[-3:]
        parent = self.rng.choice(containers)
        ops.create(self.registry, parent, "Folder",
                   {"title": self.words(1, 2).title(), "subjects": self.subjects()},
                   name=self.name(), creator=self.rng.choice(CREATORS))

    def add_document(self):
        parent = self.rng.choice(self.containers())
        text = self.rng.choice(("", f"<p>{self.words(2, 6)}</p>"))
        ops.create(self.registry, parent, "Document",
                   {"title": self.words(1, 3), "subjects": self.subjects(), "text": text},
                   name=self.name(), creator=self.rng.choice(CREATORS))

    def add_file(self):
        parent = self.rng.choice(self.containers())
        obj = File(self.words(1, 2), data=self.words(0, 3).encode(), filename="a.txt")
        obj.creator = self.rng.choice(CREATORS)
        parent.add(self.name(), obj)

    def edit(self):
        obj = self.rng.choice(self.objects())
        data = {"title": self.words(1, 3), "subjects": self.subjects()}
        if obj.type_name == "Document":
            data["text"] = self.rng.choice(("", f"<p>{self.words(2, 6)}</p>"))
        keep = self.rng.sample(sorted(data), self.rng.randint(1, len(data)))
        ops.edit(self.registry, obj, {k: data[k] for k in keep})

    def set_window(self):
        obj = self.rng.choice(self.objects())
        now = datetime.now(timezone.utc)
        effective, expires = self.when(), self.when()
        obj.effective = None if effective is None else now + timedelta(days=effective)
        obj.expires = None if expires is None else now + timedelta(days=expires)
        notify(ObjectModified(obj))

    def rename(self):
        ops.rename(self.rng.choice(self.objects()), self.name())

    def _target(self, obj, moving):
        def inside(node):
            while node is not None:
                if node is obj:
                    return True
                node = node.__parent__
            return False
        targets = [c for c in self.containers() if not inside(c)
                   and not (moving and c is obj.__parent__)]
        return self.rng.choice(targets) if targets else None

    def move(self):
        obj = self.rng.choice(self.objects())
        target = self._target(obj, moving=True)
        if target is None:
            return False
        ops.move(self.registry, obj, target,
                 self.name() if obj.__name__ in target else None)

    def copy(self):
        small = [o for o in self.objects() if sum(1 for _ in walk(o)) <= 6]
        obj = self.rng.choice(small)
        target = self._target(obj, moving=False)
        if target is None:
            return False
        ops.copy(self.registry, obj, target)

    def transition(self):
        manager = self.searcher("admin", "Manager")
        candidates = [(o, t) for o in self.objects()
                      for t in allowed_transitions(self.registry, o, manager)]
        if not candidates:
            return False
        obj, transition = self.rng.choice(candidates)
        do_transition(self.registry, obj, self.searcher("admin", "Manager"),
                      transition.name)

    def local_roles(self):
        # Mostly on folders (their content inherits); not on the site
        # itself: see TestSiteRoot in test_catalog.py.
        folders = self.containers()[1:]
        obj = self.rng.choice(folders if folders and self.rng.random() < 0.7
                              else self.objects())
        roles = self.rng.sample(LOCAL_ROLES, self.rng.choice((0, 1, 1, 2)))
        set_local_roles(obj, self.rng.choice(PRINCIPALS), roles)

    def block(self):
        folders = [c for c in self.containers() if c is not self.site]
        if not folders:
            return False
        folder = self.rng.choice(folders)
        set_block_inheritance(folder, not blocks_inheritance(folder))

    def delete(self):
        objects = self.objects()
        leaves = [o for o in objects if not IContainer.providedBy(o) or not len(o)]
        ops.delete(self.rng.choice(leaves if leaves and self.rng.random() < 0.7
                                   else objects))

    def search(self):
        """A search in mid-transaction indexes what is queued so far."""
        self.site.catalog.search(None, text=self.rng.choice(WORDS))

    WEIGHTS = {"add_folder": 6, "add_document": 10, "add_file": 4, "edit": 10,
               "set_window": 4, "rename": 4, "move": 5, "copy": 3,
               "transition": 10, "local_roles": 6, "block": 3, "delete": 4,
               "search": 3}

    def step(self):
        size = len(self.objects())
        names, weights = zip(*self.WEIGHTS.items())
        while True:
            name = self.rng.choices(names, weights)[0]
            if size == 0 and not name.startswith("add"):
                continue
            if size > MAX_OBJECTS and name.startswith(("add", "copy")):
                name = "delete"
            if getattr(self, name)() is not False:
                return name


def test_random_operations_keep_the_catalog_consistent(registry, site, tm, searcher):
    rng = random.Random(1234)
    scenario = Scenario(rng, registry, site, searcher)
    done, commits = {}, 0
    steps = 0
    while steps < 300:
        for _ in range(rng.randint(1, 5)):
            name = scenario.step()
            done[name] = done.get(name, 0) + 1
            steps += 1
        tm.commit()
        commits += 1
        assert_consistent(site, registry, [
            searcher("bob"), searcher("carol"), searcher("rita", REVIEWER)])
    assert all(done.get(name) for name in Scenario.WEIGHTS), done
    assert len(tree_of(site)) > 20
