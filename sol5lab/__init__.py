"""sol5lab: the image-restoration lab around the assignment's ``sol5.py``.

``sol5.py`` is the assignment and works alone; this package holds what goes beyond it. Importing
the package loads nothing heavy: each module imports what it needs.
"""
