"""Sizes as people read them in the commands' summaries."""


def size_text(size):
    """'12.3 MB', or '45.6 kB' below a megabyte."""
    return f"{size / 1e6:.1f} MB" if size >= 1e6 else f"{size / 1e3:.1f} kB"
