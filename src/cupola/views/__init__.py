"""Public views: default views per type, feeds and sitemap, downloads,
static files, errors."""


def includeme(config):
    config.include("cupola.views.page")
    config.include("cupola.views.content")
    config.include("cupola.views.feeds")
    config.include("cupola.views.search")
    config.include("cupola.views.files")
    config.include("cupola.views.resources")
    config.include("cupola.views.errors")
    config.include("cupola.views.health")
