"""Training any task of the registry through the assignment's own workflow.

Each task is what section 7 of the assignment makes of denoising and deblurring: a corruption, a
row of settings, and a ``learn_*_model(num_res_blocks=5, quick_mode=False)`` that hands both to
the assignment's own ``build_nn_model`` and ``train_model`` (through ``sol5.learn_model``), so
``load_dataset`` makes the patches and ``restore_image`` applies the result. The assignment's two
tasks train with ``sol5``'s own learners; the lab's with :func:`learn`, from their records in
:mod:`sol5lab.tasks`. :func:`keras_policy` trains under another dtype policy
(``mixed_bfloat16``: see the precision trial).
"""

import contextlib

import keras

import sol5
from sol5lab import tasks


def learn(task, num_res_blocks=5, quick_mode=False, *, verbose="auto"):
    """Train ``task``'s network the assignment's way, with the settings of its record.

    Parameters
    ----------
    task : str
        A key of :data:`sol5lab.tasks.TASKS`.
    num_res_blocks : int, optional
        Depth of the network.
    quick_mode : bool, optional
        The presubmission's tiny budget, same code path.
    verbose : {"auto", 0, 1, 2}, optional
        Keras' progress display.

    Returns
    -------
    keras.Model
        The trained model; ``model.history`` is the run's :class:`keras.callbacks.History`.
    """
    record = tasks.task(task)
    if record.learn is not None:
        return record.learn(num_res_blocks=num_res_blocks, quick_mode=quick_mode, verbose=verbose)
    settings = tasks.training_settings(task, quick_mode)
    return sol5.learn_model(
        record.training_images(),
        record.training_corruption(settings),
        num_res_blocks,
        settings,
        verbose=verbose,
    )


def learn_super_resolution_model(num_res_blocks=5, quick_mode=False, *, verbose="auto"):
    """Train one network for 2, 3 and 4 times super-resolution (apply it with
    :func:`sol5lab.inference.super_resolve_image`). Returns the trained ``keras.Model``."""
    return learn("super_resolution", num_res_blocks, quick_mode, verbose=verbose)


def learn_jpeg_deblocking_model(num_res_blocks=5, quick_mode=False, *, verbose="auto"):
    """Train a network that removes JPEG artefacts of qualities 10 to 40 (apply it with
    ``sol5.restore_image``). Returns the trained ``keras.Model``."""
    return learn("jpeg_deblocking", num_res_blocks, quick_mode, verbose=verbose)


def learn_salt_and_pepper_model(num_res_blocks=5, quick_mode=False, *, verbose="auto"):
    """Train a network that removes salt-and-pepper noise hitting up to 25% of the pixels.
    Returns the trained ``keras.Model``."""
    return learn("salt_and_pepper", num_res_blocks, quick_mode, verbose=verbose)


def learn_scratch_removal_model(num_res_blocks=5, quick_mode=False, *, verbose="auto"):
    """Train a network that removes dark and bright scratches covering 2% to 15% of an image,
    without being told where they are. Returns the trained ``keras.Model``."""
    return learn("scratches", num_res_blocks, quick_mode, verbose=verbose)


def learn_combined_model(num_res_blocks=5, quick_mode=False, *, verbose="auto"):
    """Train one network for any non-empty mix of the four corruptions above. Returns the
    trained ``keras.Model``."""
    return learn("combined", num_res_blocks, quick_mode, verbose=verbose)


@contextlib.contextmanager
def keras_policy(policy):
    """Build and train under Keras' dtype ``policy`` inside the block, e.g. ``"mixed_bfloat16"``.

    A model keeps the policy it was built with, so it computes in bfloat16 after the block too
    (``sol5.restore_image`` included); the policy in force before is restored whatever happens.

    Examples
    --------
    >>> with keras_policy("mixed_bfloat16"):  # doctest: +SKIP
    ...     model = sol5.learn_denoising_model()
    """
    previous = keras.mixed_precision.global_policy()
    keras.mixed_precision.set_global_policy(policy)
    try:
        yield
    finally:
        keras.mixed_precision.set_global_policy(previous)
