"""sol5lab: the image-restoration lab around the assignment's ``sol5.py``.

``sol5.py`` is the assignment and works alone; this package holds what goes beyond it. Importing
the package loads nothing heavy: each module imports what it needs.

>>> import sol5, sol5lab  # doctest: +SKIP
>>> restored = sol5.restore_image(noisy, sol5lab.pretrained("denoising"))  # doctest: +SKIP
"""


def pretrained(task, policy=None):
    """Return the trained model the package ships for ``task`` (:func:`sol5lab.shipped.pretrained`):
    computing in bfloat16 where this machine does so natively, else in float32, unless ``policy``
    says."""
    from sol5lab import shipped

    return shipped.pretrained(task, policy)
