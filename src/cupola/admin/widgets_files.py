"""The file widget: an upload, kept unless a new file is chosen on edit."""

from cupola.admin.widget_base import NO_VALUE, Widget


class FileWidget(Widget):
    """Bytes: a file input; on edit, the current file stays unless a new one
    is chosen. The value is ``(file object, file name, content type)``,
    which ``File.set_data`` streams into the blob."""

    macro = "file"
    input_type = "file"

    def __init__(self, name, field, form):
        super().__init__(name, field, form)
        limit = f"Up to {size_text(self.max_size)}."
        if self.current is not None:
            limit += " Choose a file only to replace the current one."
        self.hint = f"{self.hint} {limit}" if self.hint else limit

    @property
    def current_size(self):
        return size_text(self.current[1]) if self.current else ""

    @property
    def accept(self):
        return self.form.accept

    @property
    def max_size(self):
        return self.form.max_upload

    @property
    def current(self):
        """(file name, size) of the stored file when editing, else None."""
        obj = self.form.obj
        if obj is None or not getattr(obj, "size", 0) and not getattr(obj, "filename", ""):
            return None
        return obj.filename or "(no name)", getattr(obj, "size", 0)

    @property
    def required(self):
        return bool(self.field.required) and self.current is None

    def format(self, value):
        return ""  # a browser never pre-fills a file input

    def extract(self, request):
        part = request.files.get(self.name)
        if part is None or not part.filename:
            return None
        return part

    def parse(self, raw):
        if raw is None:
            return NO_VALUE
        raw.file.seek(0)
        return (raw.file, raw.filename, raw.content_type)


def size_text(size):
    """1536 -> '1.5 KB': a size for people."""
    size = float(size or 0)
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            if unit == "bytes":
                return f"{int(size):,} bytes" if size != 1 else "1 byte"
            return f"{size:,.1f} {unit}".replace(".0 ", " ")
        size /= 1024
    return f"{size:,.1f} TB"
