"""Cupola's default skin layers (a package only so that they ship in the wheel)."""
