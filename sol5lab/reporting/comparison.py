"""The command's before-and-after figure: an image file and its restoration, side by side."""

import matplotlib

# A command draws to a file; a machine without a screen must not need one.
matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

from sol5lab import files  # noqa: E402
from sol5lab.image_files import to_unit  # noqa: E402

#: The figure's width in inches; its height follows the pictures' shape.
FIGURE_WIDTH = 12


def side_by_side(before, after, path, *, titles=("input", "restored"), dpi=100):
    """Save a figure of two pictures side by side, each filling the same space.

    Parameters
    ----------
    before, after : sol5lab.image_files.ImageFile
        Grey or colour pictures of any bit depth (the alpha is not drawn); ``after`` may be
        larger (super-resolution), and is shown at the same size, so the detail compares.
    path : str
        The figure's file; its ending names the format (``.png``, ``.pdf``, ``.jpg``, ...).
    titles : tuple of str, optional
        Above each picture.
    dpi : int, optional
        Pixels per inch of the saved figure.
    """
    height, width = before.planes.shape[:2]
    figure, axes = plt.subplots(1, 2, figsize=(FIGURE_WIDTH, FIGURE_WIDTH / 2 * height / width + 0.6))
    for axis, image, title in zip(axes, (before, after), titles, strict=True):
        # nearest: an enlargement's input shows its pixels, not matplotlib's smoothing of them
        axis.imshow(
            to_unit(image.planes),
            cmap="gray" if image.planes.ndim == 2 else None,
            vmin=0,
            vmax=1,
            interpolation="nearest",
            extent=(0, width, height, 0),
        )
        axis.set_title(f"{title} ({image.planes.shape[1]}x{image.planes.shape[0]})", fontsize=10)
        axis.axis("off")
    figure.tight_layout()
    files.save_figure(figure, path, dpi=dpi)
    plt.close(figure)
