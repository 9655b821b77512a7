"""``@@search``: full-text search with facets, snippets, sorting, pages.

On the site it searches everything; on a folder, what is inside it. Only
what the visitor may view is ever counted or shown (the catalog filters).
"""

from urllib.parse import urlencode

from chameleon.utils import Markup
from webob import Response
from zope.index.text.parsetree import ParseError

from cupola.catalog import find_catalog, path_of
from cupola.catalog.facets import DATE_BUCKETS, bucket_range
from cupola.rendering import render_template
from cupola.views.batch import Batch, read_int

PAGE_SIZE = 20
MAX_QUERY = 500
SORTS = {  # ?sort= -> (sort_on, reverse, label)
    "relevance": ("relevance", False, "Relevance"),
    "newest": ("modified", True, "Newest first"),
    "oldest": ("modified", False, "Oldest first"),
    "title": ("title", False, "Title"),
}
FACETS = (("type", "Type"), ("state", "State"), ("subject", "Tags"))
BUCKET_LABELS = {key: label for key, label, _, _ in DATE_BUCKETS}


class SearchView:
    """The search page; see the module docstring."""

    def __init__(self, context, request):
        self.context, self.request = context, request

    def __call__(self):
        request = self.request
        params = request.GET
        query = params.get("q", "").strip()[:MAX_QUERY]
        filters = {name: [v for v in params.getall(name) if v][:20]
                   for name, _ in FACETS}
        when = params.get("modified", "")
        when = when if when in BUCKET_LABELS else ""
        sort = params.get("sort") or ("relevance" if query else "newest")
        if sort not in SORTS or (sort == "relevance" and not query):
            sort = "newest"
        catalog = find_catalog(self.context)
        values = {"query": query, "sort": sort, "sorts": SORTS, "filters": filters,
                  "when": when, "error": None, "results": None, "batch": None,
                  "facets": [], "date_facet": [], "searched": False}
        status = 200
        if catalog is not None and (query or any(filters.values()) or when):
            try:
                status = self._search(catalog, values)
            except ParseError:
                values["error"] = ("Your search could not be understood. Use "
                                   "words, \"a phrase\", AND, OR, NOT and word*.")
                status = 400
        values["link"] = self._link
        values["view_date"] = _date_label
        body = render_template(request, "search.pt", values, self)
        return Response(body=body.encode("utf-8"), status=status,
                        content_type="text/html", charset="utf-8")

    def _search(self, catalog, values):
        request, query = self.request, values["query"]
        sort_on, reverse, _ = SORTS[values["sort"]]
        _, path = path_of(self.context)
        criteria = {name: chosen for name, chosen in values["filters"].items() if chosen}
        base = catalog.search(request, path=path, text=query or None, **criteria)
        results = base
        if values["when"]:
            results = base.narrowed(modified=bucket_range(values["when"], base.now))
        results.sort_on, results.reverse = sort_on, reverse
        size = PAGE_SIZE
        total = len(results)
        start = read_int(request, "b_start", 0, 0, max(0, total - 1))
        start -= start % size
        items = results[start:start + size]
        values.update(
            searched=True, results=results,
            batch=Batch([self._entry(b, query, catalog) for b in items],
                        start, size, total),
            facets=self._facets(base, values),
            date_facet=[(key, BUCKET_LABELS[key], n)
                        for key, n in base.facets("modified")["modified"] if n])
        return 200

    def _facets(self, results, values):
        shown = []
        counted = results.facets(*(name for name, _ in FACETS))
        for name, label in FACETS:
            entries = [(value, self._facet_label(name, value), n)
                       for value, n in counted[name]]
            if entries:
                shown.append((name, label, entries))
        return shown

    def _facet_label(self, name, value):
        if name == "type":
            info = self.request.registry.types.get(value)
            return info.title if info is not None else value
        if name == "state":
            return str(value).capitalize()
        return value

    def _entry(self, brain, query, catalog):
        """What the template shows for one result: record and snippet."""
        return {"brain": brain, "snippet": _snippet(brain, query, catalog)}

    def _link(self, **changes):
        """This search's URL with *changes* (None removes a parameter;
        ``toggle=(name, value)`` adds or removes one facet value)."""
        params = [(k, v) for k, v in self.request.GET.items() if k != "b_start"]
        toggle = changes.pop("toggle", None)
        if toggle is not None:
            name, value = toggle
            if (name, value) in params:
                params.remove((name, value))
            else:
                params.append((name, value))
        for key, value in changes.items():
            params = [(k, v) for k, v in params if k != key]
            if value not in (None, ""):
                params.append((key, value))
        page = self.request.registry.page_factory(self.request, self.context, self)
        return page.url(self.context, "search") + (
            "?" + urlencode(params) if params else "")


def _date_label(seconds):
    from datetime import datetime, timezone
    return datetime.fromtimestamp(seconds, timezone.utc).strftime("%-d %B %Y")


def _snippet(brain, query, catalog):
    """A highlighted excerpt of the object's text around the query's words
    (only the 20 objects of the page shown are loaded for this)."""
    from cupola.catalog.text import query_terms, searchable_html_text, snippet
    terms = query_terms(query) if query else []
    text = brain.description or ""
    if terms:
        obj = brain.getObject()
        body = getattr(obj, "text", None) if obj is not None else None
        if isinstance(body, str) and body:
            # a summary without a full stop must not run into the body
            joint = " " if not text or text.rstrip()[-1:] in ".!?…:;" else " — "
            text = f"{text}{joint}{searchable_html_text(body)}".strip()
    stem = None
    if catalog.stemming and catalog.language:
        from cupola.catalog.text import Stemmer
        stem = Stemmer(catalog.language).stem
    return Markup(snippet(text, terms, 240, stem=stem)) if text else ""


def includeme(config):
    from cupola.interfaces import IContainer
    config.add_view(SearchView, "search", context=IContainer,
                    permission="cupola.View")
