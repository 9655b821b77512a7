"""A fixture add-on keeping data outside a Document's schema: notes (a
dict of text) and an attachment (bytes), both through a transfer handler."""

from cupola.interfaces import IDocument


def export_notes(doc):
    notes = getattr(doc, "_notes", None)
    if notes is None:
        return None
    files = {}
    if getattr(doc, "_attachment", None) is not None:
        files["attachment.bin"] = doc._attachment
    if getattr(doc, "_streamed", None) is not None:
        files["streamed.txt"] = open(doc._streamed, "rb")
    return dict(notes), files


def check_notes(data, files):
    notes = data.get("notes")
    if not isinstance(notes, dict) or not all(isinstance(v, str) for v in notes.values()):
        raise ValueError("'notes' must map names to text")


def import_notes(doc, data, files):
    if data.get("explode"):
        raise ValueError("refused by the fixture")
    doc._notes = data
    if "attachment.bin" in files:
        doc._attachment = files["attachment.bin"].read_bytes()
    if "streamed.txt" in files:
        doc._streamed_text = files["streamed.txt"].read_text()


def includeme(config):
    config.add_addon("notes_fixture", title="Notes")
    config.add_transfer_handler("notes_fixture.notes", IDocument, export_notes,
                                import_notes, check=check_notes)
