"""Restoring with a trained model where ``sol5.restore_image`` alone does not say how.

A super-resolution model restores detail in an image already enlarged with the interpolation it
was trained behind; every other task's model restores its input in place
(:func:`restore_with`).
"""

import sol5
from sol5lab.corruptions import check_factor, upscale


def super_resolve_image(low_res_image, model, factor):
    """Enlarge an image ``factor`` times with a super-resolution model.

    The image is upscaled with the interpolation the model was trained behind
    (:func:`upscale`), and the model then restores the detail (``sol5.restore_image``).

    Parameters
    ----------
    low_res_image : numpy.ndarray
        Grayscale image, 2-D, float64 in [0, 1]; not modified.
    model : keras.Model
        From :func:`sol5lab.training.learn_super_resolution_model`.
    factor : int
        Positive integer; the model was trained for 2, 3 and 4.

    Returns
    -------
    numpy.ndarray
        float64 in [0, 1], shape ``(factor * height, factor * width)``.
    """
    low_res_image = sol5.check_image(low_res_image, "low_res_image")
    factor = check_factor(factor)
    upscaled = upscale(low_res_image, (factor * low_res_image.shape[0], factor * low_res_image.shape[1]))
    return sol5.restore_image(upscaled, model)


def restore_with(task, model, corrupted, condition):
    """Restore one corrupted image with ``task``'s model, as its test protocol feeds it.

    Parameters
    ----------
    task : str
        A task of the registry (:mod:`sol5lab.tasks`).
    model : keras.Model
        Trained for ``task``.
    corrupted : numpy.ndarray
        The model's input, 2-D float64 in [0, 1]: for super-resolution the low-resolution image.
    condition : dict
        The protocol's condition (super-resolution reads its ``factor``).

    Returns
    -------
    numpy.ndarray
        float64 in [0, 1].
    """
    if task == "super_resolution":
        return super_resolve_image(corrupted, model, condition["factor"])
    return sol5.restore_image(corrupted, model)
