"""Content: persistent items and containers, the built-in types, operations."""


def includeme(config):
    config.include("cupola.content.types")
    config.include("cupola.content.revisions")
    config.include("cupola.content.notes")
