"""A fixture add-on whose subscriber fails on one object, mid-import."""


def refuse_deep_page(obj, event):
    if obj.title == "Deep page":
        raise RuntimeError("refused by the fixture add-on")


def includeme(config):
    from cupola.interfaces import IDocument, IObjectAdded
    config.add_subscriber(refuse_deep_page, IDocument, IObjectAdded)
