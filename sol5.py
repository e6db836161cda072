"""Neural networks for image restoration: Image Processing 67829, Exercise 5.

The workflow of the assignment, in the order of its sections:

3. ``load_dataset`` makes endless batches of (corrupted, clean) patches from a list of images;
4. ``resblock`` and ``build_nn_model`` build the ResNet-style restoration network;
5. ``train_model`` fits it on an 80/20 split of the images;
6. ``restore_image`` applies the patch-trained network to a whole image of any size;
7. ``add_gaussian_noise`` / ``learn_denoising_model`` and ``add_motion_blur`` /
   ``random_motion_blur`` / ``learn_deblurring_model`` apply the workflow to two tasks;
8. ``deep_prior_restore_image`` restores an image with no training data (Deep Image Prior).

Written against Keras 3 and ``keras.ops`` only, so it runs on the TensorFlow, JAX and PyTorch
backends (``KERAS_BACKEND``). Every random draw goes through a seedable source: see
:func:`set_seed` and the ``rng`` keyword of the random functions.
"""

import numbers
import os
import threading
import weakref

import imageio.v3 as iio
import keras
import numpy as np
import scipy.ndimage
from keras import Input, Model, layers
from keras.layers import Activation, Add, Conv2D
from skimage.color import gray2rgb, rgb2gray

try:  # the course imports this file as ``current.sol5``, beside its own ``current/sol5_utils.py``
    from . import sol5_utils
except ImportError:  # a top-level module, as students and this project import it
    import sol5_utils

# --------------------------------------------------------------------------------------------
# Settings: the assignment's numbers, in one place (sections 5, 7.1.2 and 7.2.2).
# --------------------------------------------------------------------------------------------

#: What each task trains on: patch size, width of the network, epochs, and its corruption.
TASK_SETTINGS = {
    "denoising": {
        "crop_size": (24, 24),
        "num_channels": 48,
        "num_epochs": 5,
        "min_sigma": 0.0,
        "max_sigma": 0.2,
    },
    "deblurring": {
        "crop_size": (16, 16),
        "num_channels": 32,
        "num_epochs": 10,
        "kernel_sizes": (7,),
    },
}

#: How much each training run draws; quick mode (the course's presubmission) changes only these
#: numbers, never the code path.
TRAINING_BUDGETS = {
    False: {"batch_size": 100, "steps_per_epoch": 100, "num_valid_samples": 1000},
    True: {"batch_size": 10, "steps_per_epoch": 3, "num_epochs": 2, "num_valid_samples": 30},
}

#: Share of the images that ``train_model`` trains on; the rest validates.
TRAIN_FRACTION = 0.8

#: Adam's second-moment decay asked for by the assignment (Keras' default is 0.999).
ADAM_BETA_2 = 0.9

#: The patches and the network work on pixels shifted from [0, 1] to [-0.5, 0.5].
PIXEL_OFFSET = 0.5


def training_settings(task, quick_mode=False):
    """Return the settings of one task's training run.

    Parameters
    ----------
    task : {"denoising", "deblurring"}
        A key of :data:`TASK_SETTINGS`.
    quick_mode : bool, optional
        Use the presubmission budget of :data:`TRAINING_BUDGETS` instead of the full one.

    Returns
    -------
    dict
        The task's row of :data:`TASK_SETTINGS` updated with the budget: ``crop_size``,
        ``num_channels``, ``num_epochs``, ``batch_size``, ``steps_per_epoch``,
        ``num_valid_samples`` and the corruption's parameters.
    """
    if task not in TASK_SETTINGS:
        raise ValueError(f"Unknown task {task!r}; the tasks are {sorted(TASK_SETTINGS)}.")
    return {**TASK_SETTINGS[task], **TRAINING_BUDGETS[bool(quick_mode)]}


# --------------------------------------------------------------------------------------------
# Randomness: one seedable source for every draw of this module.
# --------------------------------------------------------------------------------------------

_rng = np.random.default_rng()


def set_seed(seed):
    """Seed every random source used here: this module's generator and Keras' (weights, layers).

    Parameters
    ----------
    seed : int
        After ``set_seed(s)``, the same calls give the same datasets, splits, corruptions and
        initial weights. Trained weights are the same on the same Keras backend with the same
        number of threads; other thread counts sum in another order (about 1e-6 apart).
    """
    global _rng
    _rng = np.random.default_rng(seed)
    keras.utils.set_random_seed(seed)


def random_generator(rng=None):
    """Return the random source a function should draw from.

    Parameters
    ----------
    rng : numpy.random.Generator, optional
        A caller's own generator.

    Returns
    -------
    numpy.random.Generator
        ``rng``, or this module's generator (seeded by :func:`set_seed`) when ``rng`` is None.
    """
    return _rng if rng is None else rng


def check_int(value, name, least=1):
    """Return ``value`` as an int, checking that it is a whole number of at least ``least``.

    Parameters
    ----------
    value : int or float
        ``3``, ``np.int64(3)`` and ``3.0`` are accepted; ``3.5``, ``True`` and ``"3"`` are not.
    name : str
        The argument's name, for the error message.
    least : int, optional
        The smallest value allowed.

    Returns
    -------
    int

    Raises
    ------
    TypeError
        If ``value`` is not a number, naming ``name``.
    ValueError
        If it is not whole, not finite, or below ``least``, naming ``name``.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be an int, got {type(value).__name__} {value!r}.")
    if not np.isfinite(value) or int(value) != value or value < least:
        raise ValueError(f"{name} must be an int >= {least}, got {value!r}.")
    return int(value)


def check_paths(paths, name):
    """Return ``paths`` as a list of path strings, refusing a lone string.

    A string is a sequence of characters, so ``list("a.png")`` would be five paths; this is
    almost always a forgotten list, and named as such.

    Raises
    ------
    TypeError
        If ``paths`` is a string or not iterable, or holds something else than paths.
    """
    if isinstance(paths, (str, bytes, os.PathLike)):
        raise TypeError(f"{name} must be a list of paths, got one path {paths!r}: wrap it in a list.")
    try:
        paths = list(paths)
    except TypeError:
        raise TypeError(f"{name} must be a list of paths, got {type(paths).__name__}.") from None
    for path in paths:
        if not isinstance(path, (str, os.PathLike)):
            raise TypeError(f"{name} must hold paths (str), got {type(path).__name__} {path!r}.")
    return [os.fspath(path) for path in paths]


# --------------------------------------------------------------------------------------------
# Reading images (the course's first exercise).
# --------------------------------------------------------------------------------------------

GRAYSCALE = 1
RGB = 2


def read_image(filename, representation):
    """Read an image file as float64 in [0, 1], in grayscale or RGB.

    Parameters
    ----------
    filename : str
        Path of an image file in any format imageio reads (PNG, JPEG, ...).
    representation : {1, 2}
        1 for grayscale (shape ``(height, width)``), 2 for RGB (shape ``(height, width, 3)``).
        A grayscale file read as RGB repeats its channel; an alpha channel is dropped.

    Returns
    -------
    numpy.ndarray
        float64 in [0, 1].

    Raises
    ------
    FileNotFoundError
        If there is no file at ``filename``.
    ValueError
        If the file cannot be read as an image (not an image, damaged, cut short), holds no single
        2-D image, or holds values outside [0, 1] (a floating-point TIFF may); naming the file.
    """
    if representation not in (GRAYSCALE, RGB):
        raise ValueError(f"representation must be 1 (grayscale) or 2 (RGB), got {representation!r}.")
    if not isinstance(filename, (str, os.PathLike)):
        raise TypeError(f"filename must be a path (str), got {type(filename).__name__} {filename!r}.")
    if not os.path.isfile(filename):
        raise FileNotFoundError(f"No image file at {filename}.")
    try:
        pixels = iio.imread(filename)
    except (OSError, ValueError, SyntaxError, RuntimeError, IndexError) as error:
        # imageio and its plugins (PIL, tifffile) report a file they cannot decode in many ways.
        raise ValueError(
            f"{filename} cannot be read as an image: it is not an image file, or is damaged or "
            f"cut short ({type(error).__name__}: {error})."
        ) from None
    # Divide by the largest level exactly (k / 255, not k * (1 / 255)), so 8-bit levels survive.
    if np.issubdtype(pixels.dtype, np.integer):
        image = pixels.astype(np.float64) / np.iinfo(pixels.dtype).max
    else:
        image = pixels.astype(np.float64)
    if image.ndim == 3 and image.shape[2] in (2, 4):
        image = image[..., :-1]  # drop the alpha channel
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[..., 0]
    if image.ndim not in (2, 3) or image.size == 0:
        raise ValueError(f"{filename} is not a single 2-D image (array shape {image.shape}).")
    if not np.isfinite(image).all() or image.min() < 0 or image.max() > 1:
        raise ValueError(
            f"{filename} holds values outside [0, 1] (from {np.nanmin(image):g} to "
            f"{np.nanmax(image):g}, or not finite): a floating-point image must be scaled to "
            f"[0, 1] first."
        )
    if representation == GRAYSCALE and image.ndim == 3:
        return rgb2gray(image)
    if representation == RGB and image.ndim == 2:
        return gray2rgb(image)
    return image


# --------------------------------------------------------------------------------------------
# 3. Dataset handling.
# --------------------------------------------------------------------------------------------


def _random_corner(rng, shape, window):
    """Return the top-left corner of a window placed uniformly at random inside ``shape``.

    Every one of the ``(H - h + 1) * (W - w + 1)`` positions is possible: ``integers`` excludes
    its upper bound, hence the ``+ 1``.
    """
    return (
        int(rng.integers(0, shape[0] - window[0] + 1)),
        int(rng.integers(0, shape[1] - window[1] + 1)),
    )


def _check_crop_size(crop_size):
    """Return ``crop_size`` as a pair of positive ints, or raise ValueError (TypeError for a
    side that is not a number)."""
    if np.ndim(crop_size) != 1 or len(crop_size) != 2:
        raise ValueError(f"crop_size must be a (height, width) pair of positive ints, got {crop_size!r}.")
    return check_int(crop_size[0], "crop_size's height"), check_int(crop_size[1], "crop_size's width")


def load_dataset(filenames, batch_size, corruption_func, crop_size, *, rng=None):
    """Make an endless generator of batches of (corrupted, clean) patch pairs.

    For every sample of every batch: pick a file at random; read it as grayscale (once: later
    picks are served from a cache that maps file names to arrays); take a random crop of
    ``3 * crop_size`` (or the largest that fits a smaller image); corrupt that larger crop, since
    corruptions such as motion blur reach beyond a patch; then take a random ``crop_size`` patch
    at the same place from the clean and the corrupted crop. Both are shifted by -0.5.

    Parameters
    ----------
    filenames : sequence of str
        Paths of clean images, not empty. Each must be at least ``crop_size`` in both sides.
    batch_size : int
        Number of patch pairs per batch, positive.
    corruption_func : callable
        Takes a 2-D float64 array in [0, 1] and returns a randomly corrupted array of the same
        shape. It gets a copy, so it may modify its argument in place.
    crop_size : tuple of int
        ``(height, width)`` of the patches.
    rng : numpy.random.Generator, optional
        Source of the file and crop choices; this module's generator (see :func:`set_seed`)
        when omitted.

    Yields
    ------
    source_batch, target_batch : numpy.ndarray
        float64 arrays of shape ``(batch_size, height, width, 1)`` with values in [-0.5, 0.5]:
        the corrupted patches and their clean originals. float64, as every image of the
        assignment is; Keras casts a batch to the network's float32 itself, at no measurable
        cost to a training step (docs/performance.md).
    """
    filenames = check_paths(filenames, "filenames")
    if not filenames:
        raise ValueError("filenames is empty: give at least one image path (see sol5_utils.images_for_*).")
    missing = [name for name in filenames if not os.path.isfile(name)]
    if missing:
        raise FileNotFoundError(f"{len(missing)} image file(s) not found, e.g. {missing[0]}.")
    batch_size = check_int(batch_size, "batch_size")
    if not callable(corruption_func):
        raise TypeError(f"corruption_func must be callable, got {type(corruption_func).__name__}.")
    crop_size = _check_crop_size(crop_size)
    return _patch_pairs(filenames, batch_size, corruption_func, crop_size, random_generator(rng))


def _patch_pairs(filenames, batch_size, corruption_func, crop_size, rng):
    """The generator behind :func:`load_dataset`, whose arguments are already checked."""
    cache = {}
    large_crop_size = (3 * crop_size[0], 3 * crop_size[1])
    while True:
        source = np.empty((batch_size, *crop_size, 1), dtype=np.float64)
        target = np.empty_like(source)
        for sample, file_index in enumerate(rng.integers(0, len(filenames), size=batch_size)):
            filename = filenames[file_index]
            if filename not in cache:
                cache[filename] = _read_training_image(filename, crop_size)
            image = cache[filename]
            window = (min(large_crop_size[0], image.shape[0]), min(large_crop_size[1], image.shape[1]))
            row, col = _random_corner(rng, image.shape, window)
            clean = image[row : row + window[0], col : col + window[1]]
            corrupted = _checked_corruption(corruption_func, clean)
            row, col = _random_corner(rng, window, crop_size)
            patch = (slice(row, row + crop_size[0]), slice(col, col + crop_size[1]))
            source[sample, ..., 0] = corrupted[patch]
            target[sample, ..., 0] = clean[patch]
        yield source - PIXEL_OFFSET, target - PIXEL_OFFSET


#: How far a corruption's output may stray outside [0, 1] before it counts as out of range: the
#: floating-point rounding of a convolution with a kernel summing to 1 must pass.
CORRUPTION_TOLERANCE = 1e-6


def _checked_corruption(corruption_func, clean):
    """Return ``corruption_func(copy of clean)`` after checking it: same shape, finite, in [0, 1].

    A corruption that breaks these would train the network on garbage, or on NaN, silently.
    """
    corrupted = corruption_func(clean.copy())
    name = getattr(corruption_func, "__qualname__", repr(corruption_func))
    if np.shape(corrupted) != clean.shape:
        raise ValueError(
            f"corruption_func {name} returned shape {np.shape(corrupted)} for an input of shape "
            f"{clean.shape}; it must keep the shape."
        )
    corrupted = np.asarray(corrupted, dtype=np.float64)
    if not np.isfinite(corrupted).all():
        raise ValueError(f"corruption_func {name} returned non-finite values (NaN or inf).")
    if corrupted.min() < -CORRUPTION_TOLERANCE or corrupted.max() > 1 + CORRUPTION_TOLERANCE:
        raise ValueError(
            f"corruption_func {name} returned values from {corrupted.min():g} to "
            f"{corrupted.max():g}; it must return an image in [0, 1] (clip it)."
        )
    return corrupted


def _read_training_image(filename, crop_size):
    """Read ``filename`` as grayscale, checking that a ``crop_size`` patch fits in it."""
    image = read_image(filename, GRAYSCALE)
    if image.shape[0] < crop_size[0] or image.shape[1] < crop_size[1]:
        raise ValueError(
            f"{filename} is {image.shape[0]}x{image.shape[1]} pixels, smaller than the "
            f"{crop_size[0]}x{crop_size[1]} patches asked for: remove it or use smaller patches."
        )
    return image


# --------------------------------------------------------------------------------------------
# 4. Neural network model.
# --------------------------------------------------------------------------------------------


def resblock(input_tensor, num_channels):
    """Apply a residual block: ``ReLU(conv(ReLU(conv(x))) + x)``, both convolutions 3x3.

    Parameters
    ----------
    input_tensor : KerasTensor
        Symbolic tensor of shape ``(batch, height, width, num_channels)``.
    num_channels : int
        Output channels of both convolutions; must equal the input's channels for the sum.

    Returns
    -------
    KerasTensor
        Same shape as the input ("same" padding keeps the size).
    """
    if input_tensor.shape[-1] != num_channels:
        raise ValueError(
            f"resblock adds its input to its output, so the input needs num_channels="
            f"{num_channels} channels; it has {input_tensor.shape[-1]}."
        )
    x = Conv2D(num_channels, (3, 3), padding="same")(input_tensor)
    x = Activation("relu")(x)
    x = Conv2D(num_channels, (3, 3), padding="same")(x)
    x = Add()([input_tensor, x])
    return Activation("relu")(x)


def build_nn_model(height, width, num_channels, num_res_blocks):
    """Build the assignment's restoration network (figure 1), untrained and uncompiled.

    The topology, with every convolution 3x3 with "same" padding::

        input (height, width, 1)
          -> conv(num_channels) -> ReLU
          -> num_res_blocks x resblock(num_channels)
          -> conv(1 channel)
          -> + input            (the network learns the correction to its input)

    Only ``Model``, ``Conv2D``, ``Activation``, ``Input`` and ``Add`` are used, as the assignment
    allows.

    Parameters
    ----------
    height, width : int
        Size of the input patches, positive.
    num_channels : int
        Channels of every convolution but the last, positive.
    num_res_blocks : int
        Number of residual blocks, zero or more.

    Returns
    -------
    keras.Model
        Maps ``(batch, height, width, 1)`` to the same shape, values in the [-0.5, 0.5] frame.
    """
    height, width = check_int(height, "height"), check_int(width, "width")
    num_channels = check_int(num_channels, "num_channels")
    num_res_blocks = check_int(num_res_blocks, "num_res_blocks", least=0)
    model_input = Input(shape=(height, width, 1))
    x = Conv2D(num_channels, (3, 3), padding="same")(model_input)
    x = Activation("relu")(x)
    for _ in range(num_res_blocks):
        x = resblock(x, num_channels)
    correction = Conv2D(1, (3, 3), padding="same")(x)
    return Model(inputs=model_input, outputs=Add()([model_input, correction]))


# --------------------------------------------------------------------------------------------
# 5. Training networks for image restoration.
# --------------------------------------------------------------------------------------------


class InOrderBatches(keras.utils.PyDataset):
    """One epoch of a batch generator, served to ``fit`` by Keras' worker threads in its order.

    ``fit`` fed a Python generator goes through tf.data's autotuned prefetching on the
    TensorFlow backend, and tearing that down at the end of ``fit`` can idle until the
    autotuner's next wake-up, up to a minute (docs/performance.md has the
    measurements). A
    ``PyDataset`` with worker threads is prefetched by Keras' own queue instead, without the
    autotuner. The workers may ask for the positions of an epoch in any order; whichever asks,
    position ``i`` is the generator's ``i``-th batch of the epoch, so with
    ``fit(..., shuffle=False)`` a seed gives the same batches in the same order as iterating the
    generator.

    Parameters
    ----------
    batches : iterator
        Endless ``(source_batch, target_batch)`` pairs, such as :func:`load_dataset`'s.
    steps_per_epoch : int
        Batches per epoch, the length of this dataset.
    """

    def __init__(self, batches, steps_per_epoch):
        super().__init__(workers=2, use_multiprocessing=False)
        self._batches = batches
        self._steps_per_epoch = int(steps_per_epoch)
        self._lock = threading.Lock()
        self._drawn = {}  # position in the epoch -> a batch drawn for it and not yet served
        self._next_position = 0
        self._failure = None

    def __len__(self):
        return self._steps_per_epoch

    def __getitem__(self, position):
        with self._lock:
            # A generator that raised is finished: every position it did not reach gets the
            # same error, not the StopIteration that would hide it from whoever asked first.
            if self._failure is not None and position not in self._drawn:
                raise self._failure
            try:
                while self._next_position <= position:
                    self._drawn[self._next_position] = next(self._batches)
                    self._next_position += 1
            except Exception as error:
                self._failure = error
                raise
            return self._drawn.pop(position)

    def on_epoch_end(self):
        # Keras also calls this once before the first epoch, after reading two batches to learn
        # their shapes: those two are drawn like any other and not trained on.
        with self._lock:
            self._drawn.clear()
            self._next_position = 0


def compile_for_training(model):
    """Compile ``model`` as :func:`train_model` does: mean squared error, ``Adam(beta_2=0.9)``.

    The optimizer's moments are created here, not at the first step: on the TensorFlow backend,
    variables created while ``fit`` traces its training step make TensorFlow trace the step a
    second time, which was a third of quick mode's time (docs/performance.md).
    """
    model.compile(loss="mean_squared_error", optimizer=keras.optimizers.Adam(beta_2=ADAM_BETA_2))
    model.optimizer.build(model.trainable_variables)


def train_model(
    model,
    images,
    corruption_func,
    batch_size,
    steps_per_epoch,
    num_epochs,
    num_valid_samples,
    *,
    rng=None,
    verbose="auto",
    callbacks=None,
    in_order=True,
):
    """Train a restoration model on random patches of an 80/20 split of the images.

    The image list is shuffled and split: the first 80% feed a training generator of
    :func:`load_dataset`, the rest a validation generator. ``num_valid_samples`` validation
    patches are drawn once, up front, and passed to ``fit`` as arrays, so every epoch (and every
    model trained from the same seed) is scored on the same samples: Keras 3 would otherwise draw
    a fresh validation set from a generator every epoch. The model is compiled with mean squared
    error and ``Adam(beta_2=0.9)``. Keras 3 has no ``fit_generator``: ``fit`` takes the
    training generator's batches through :class:`InOrderBatches`, in the generator's order.

    Parameters
    ----------
    model : keras.Model
        A restoration network with input ``(None, height, width, 1)``; the patch size is read
        from it.
    images : sequence of str
        Paths of clean images, at least 2.
    corruption_func : callable
        See :func:`load_dataset`.
    batch_size, steps_per_epoch, num_epochs, num_valid_samples : int
        Patches per step, steps per epoch, epochs, and validation patches; all positive.
    rng : numpy.random.Generator, optional
        Source of the split and the patches; this module's generator when omitted.
    verbose : {"auto", 0, 1, 2}, optional
        Keras' progress display.
    callbacks : list of keras.callbacks.Callback, optional
        Extra callbacks for ``fit``.
    in_order : bool, optional
        Feed ``fit`` through :class:`InOrderBatches` (the default); False hands ``fit`` the bare
        generator, as Keras 3 takes it, which the benchmark times against it.

    Returns
    -------
    keras.callbacks.History
        ``history.history["val_loss"]`` holds the validation MSE after each epoch (in the
        [-0.5, 0.5] frame, which MSE does not change).
    """
    check_model(model, "model")
    crop_size = tuple(model.input_shape[1:3])
    if None in crop_size:
        raise ValueError(
            f"model takes inputs of any size {model.input_shape}; train_model reads the patch size "
            f"from the model: build it on the training patches' size (see build_nn_model)."
        )
    images = check_paths(images, "images")
    if len(images) < 2:
        raise ValueError(f"train_model needs at least 2 images for its 80/20 split, got {len(images)}.")
    batch_size = check_int(batch_size, "batch_size")
    steps_per_epoch = check_int(steps_per_epoch, "steps_per_epoch")
    num_epochs = check_int(num_epochs, "num_epochs")
    num_valid_samples = check_int(num_valid_samples, "num_valid_samples")
    rng = random_generator(rng)
    shuffled = [images[i] for i in rng.permutation(len(images))]
    num_train = min(max(int(TRAIN_FRACTION * len(shuffled)), 1), len(shuffled) - 1)
    train_rng, valid_rng = rng.spawn(2)
    train_batches = load_dataset(shuffled[:num_train], batch_size, corruption_func, crop_size, rng=train_rng)
    valid_batches = load_dataset(
        shuffled[num_train:], num_valid_samples, corruption_func, crop_size, rng=valid_rng
    )
    valid_source, valid_target = next(valid_batches)
    compile_for_training(model)
    divergence = StopOnNonFiniteLoss()
    history = model.fit(
        InOrderBatches(train_batches, steps_per_epoch) if in_order else train_batches,
        steps_per_epoch=steps_per_epoch,
        epochs=num_epochs,
        validation_data=(valid_source, valid_target),
        validation_batch_size=batch_size,
        verbose=verbose,
        callbacks=[*(callbacks or []), divergence],
        shuffle=False,  # the generator's patches are already random; Keras warns otherwise
    )
    divergence.raise_if_diverged()
    return history


class StopOnNonFiniteLoss(keras.callbacks.Callback):
    """Stop training at the end of an epoch whose loss is not finite, and undo that epoch.

    The loss of an epoch is the mean over its steps, so one NaN step shows at the epoch's end,
    where checking costs nothing (a check after every step would wait for every step). The model
    then gets back the weights it had when the epoch began, and :meth:`raise_if_diverged` raises:
    no NaN weights are left behind, and no diverged model passes for a trained one.
    """

    def __init__(self):
        super().__init__()
        self._epoch_start_weights = None
        self.diverged = None  # (epoch, logs) of the epoch that diverged

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch_start_weights = self.model.get_weights()

    def on_epoch_end(self, epoch, logs=None):
        losses = {key: value for key, value in (logs or {}).items() if key.endswith("loss")}
        if not all(np.isfinite(float(value)) for value in losses.values()):
            self.diverged = (epoch, losses)
            self.model.set_weights(self._epoch_start_weights)
            self.model.stop_training = True

    def raise_if_diverged(self):
        """Raise ``FloatingPointError`` if training diverged, saying where and what to check."""
        if self.diverged is not None:
            epoch, losses = self.diverged
            raise FloatingPointError(
                f"Training diverged: the losses of epoch {epoch + 1} are {losses}. The model was "
                f"put back to its weights from before that epoch. Check that corruption_func "
                f"returns finite values in [0, 1], and lower the learning rate."
            )


# --------------------------------------------------------------------------------------------
# 6. Image restoration of complete images.
# --------------------------------------------------------------------------------------------


def check_model(model, name="base_model"):
    """Check that ``model`` is a restoration network as this module trains and applies them.

    Parameters
    ----------
    model : keras.Model
        Should take one grayscale input ``(batch, height, width, 1)`` and return the same shape.
    name : str, optional
        The argument's name, for the error message.

    Returns
    -------
    keras.Model
        ``model``.

    Raises
    ------
    TypeError
        If ``model`` is not a ``keras.Model``.
    ValueError
        If its input or output is not one grayscale image of one channel.
    """
    if not isinstance(model, keras.Model):
        raise TypeError(
            f"{name} must be a keras.Model (see build_nn_model, or keras.saving.load_model for a "
            f".keras file), got {type(model).__name__}."
        )
    input_shape, output_shape = model.input_shape, model.output_shape
    if not isinstance(input_shape, tuple) or len(input_shape) != 4 or input_shape[-1] != 1:
        raise ValueError(
            f"{name} must take grayscale images of shape (batch, height, width, 1); its input is "
            f"{input_shape}. Convert colour images to grayscale (read_image(..., 1))."
        )
    if not isinstance(output_shape, tuple) or len(output_shape) != 4 or output_shape[-1] != 1:
        raise ValueError(
            f"{name} must output one channel (batch, height, width, 1); its output is {output_shape}."
        )
    return model


def check_image(image, name="image"):
    """Check that ``image`` is a grayscale image as this module takes them.

    Parameters
    ----------
    image : array_like
        Should be 2-D, non-empty, with finite values in [0, 1].
    name : str, optional
        The argument's name, for the error message.

    Returns
    -------
    numpy.ndarray
        ``image`` as an array (not copied).

    Raises
    ------
    ValueError
        Naming ``name`` and what is wrong with it.
    """
    image = np.asarray(image)
    if image.ndim != 2:
        raise ValueError(
            f"{name} must be a 2-D grayscale array, but it has {image.ndim} dimensions (shape {image.shape})."
        )
    if image.size == 0 or not np.isfinite(image).all() or image.min() < 0 or image.max() > 1:
        raise ValueError(f"{name} must hold finite values in [0, 1] (see read_image).")
    return image


#: The largest number of pixels restored in one piece (tile margins included). The network holds
#: a few activations of ``num_channels`` float32 values per pixel at once (48 channels: 192 bytes
#: a pixel each), so memory grows with the pixels: about 430 bytes a pixel at its peak on
#: TensorFlow (``benchmark.py`` measures it), so a 2048x2048 image restored whole peaks near 1.8
#: GB, and a 4096x4096 one, which would need about 7 GB, is restored in tiles instead.
RESTORE_TILE_PIXELS = 2048 * 2048

#: How many image sizes :func:`restore_image` keeps a full-size model for, per base model.
RESTORE_CACHED_SIZES = 4

#: Full-size models by base model, then by ``(height, width)``, most recently used last. Weak
#: keys: a cache entry goes away with its base model.
_full_size_models = weakref.WeakKeyDictionary()


def _full_size_model(base_model, height, width):
    """Return ``base_model``'s graph applied to a ``(height, width)`` input, built once per size.

    Building the clone and tracing its predict function costs as much as restoring a small image,
    so a repeated size reuses both. The clone shares the base model's layers (``clone_function``
    returns each layer unchanged), so it always computes with the base model's current weights.
    """
    by_size = _full_size_models.setdefault(base_model, {})
    model = by_size.pop((height, width), None)
    if model is None:
        model = keras.models.clone_model(
            base_model, input_tensors=Input(shape=(height, width, 1)), clone_function=lambda layer: layer
        )
        while len(by_size) >= RESTORE_CACHED_SIZES:
            del by_size[next(iter(by_size))]  # the least recently used size
    by_size[(height, width)] = model  # (re)inserted last: the most recently used
    return model


def receptive_radius(model):
    """Return how far, in pixels, an output pixel of ``model`` sees around itself (an upper bound).

    ``model`` is a ``keras.Model`` (nested models are counted through); the result is an int.

    Each convolution widens the view by half its (dilated) kernel: a 3x3 convolution by 1 pixel.
    Summing over every convolution, rather than along the longest path, counts both convolutions
    of a residual block and the skip beside them alike; for the assignment's network, where every
    convolution is on the longest path, the sum is exact: ``2 + 2 * num_res_blocks``.

    Depthwise and transposed convolutions count as convolutions (at stride 1, as everything
    :func:`restore_image` takes). A layer that widens the view otherwise (one that applies its
    convolutions several times, or samples at learned offsets) says by how much with a
    ``receptive_radius()`` method, which is counted instead.
    """
    radius = 0
    for layer in model.layers:
        if hasattr(layer, "layers"):  # a nested model
            radius += receptive_radius(layer)
        elif hasattr(layer, "receptive_radius"):
            radius += int(layer.receptive_radius())
        elif isinstance(layer, (layers.Conv2D, layers.DepthwiseConv2D, layers.Conv2DTranspose)):
            radius += max(
                (dilation * (size - 1) + 1) // 2
                for size, dilation in zip(layer.kernel_size, layer.dilation_rate, strict=True)
            )
    return radius


def _tiles_along(length, max_window, margin):
    """Split ``[0, length)`` into windows of one size, each restoring the part it sees best.

    Returns a list of ``(window_start, window_stop, start, stop)``: the window is cut from the
    image; ``[start, stop)``, inside it, is what it restores. The parts tile ``[0, length)``, and
    each lies at least ``margin`` pixels inside its window, except where the window's side is the
    image's own border. All windows share one size, so they share one full-size model.
    """
    if length <= max_window:
        return [(0, length, 0, length)]
    if max_window <= 2 * margin:
        raise ValueError(
            f"tile_pixels allows tiles of {max_window} pixels a side, no more than twice the "
            f"network's receptive radius ({margin}): raise it."
        )
    # The fewest windows that cover the line with overlaps of 2 * margin, then the smallest window
    # size that does it with that many, so that no window restores much less than the others.
    count = -(-(length - 2 * margin) // (max_window - 2 * margin))
    window = -(-(length + 2 * margin * (count - 1)) // count)
    starts = [round(index * (length - window) / (count - 1)) for index in range(count)]
    cuts = [0, *(start + margin for start in starts[1:]), length]
    return [(start, start + window, cuts[index], cuts[index + 1]) for index, start in enumerate(starts)]


def restoration_tiles(shape, margin, tile_pixels=None):
    """Plan the restoration of an image of ``shape`` in pieces of at most ``tile_pixels`` pixels.

    Parameters
    ----------
    shape : tuple of int
        ``(height, width)`` of the image.
    margin : int
        The network's receptive radius (:func:`receptive_radius`).
    tile_pixels : int, optional
        The largest piece; :data:`RESTORE_TILE_PIXELS` when omitted.

    Returns
    -------
    list of tuple
        ``(window, part)`` pairs of ``(rows, cols)`` slices, both in image coordinates: the
        window is restored, and only its ``part`` kept; the parts tile the image. An image that
        fits in one piece is one piece. Otherwise the windows are as square as the image allows
        and overlap by at least ``2 * margin`` pixels, so that every kept pixel sees all it
        depends on.
    """
    height, width = shape
    max_pixels = int(RESTORE_TILE_PIXELS if tile_pixels is None else tile_pixels)
    if height * width <= max_pixels:
        return [((slice(0, height), slice(0, width)), (slice(0, height), slice(0, width)))]
    side = int(max_pixels**0.5)
    # A long thin image keeps its short side whole and gives the window's pixels to the long one.
    max_rows = min(height, max(side, max_pixels // width))
    max_cols = min(width, max_pixels // max_rows)
    return [
        ((slice(row0, row1), slice(col0, col1)), (slice(top, bottom), slice(left, right)))
        for row0, row1, top, bottom in _tiles_along(height, max_rows, margin)
        for col0, col1, left, right in _tiles_along(width, max_cols, margin)
    ]


def restore_image(corrupted_image, base_model, *, tile_pixels=None):
    """Restore a whole image with a network trained on small patches.

    A convolutional network does not depend on the size of its input, but a Keras 3 model built
    on 24x24 patches checks its input's shape, so the assignment's recipe
    ``base_model(Input((H, W, 1)))`` raises ``ValueError``. Instead the base model's graph is
    re-applied to a new ``Input`` of the image's size with ``keras.models.clone_model``, keeping
    the base model's own layers (``clone_function`` returns each layer unchanged), so the new
    model shares its weights rather than copying them.

    Parameters
    ----------
    corrupted_image : numpy.ndarray
        Grayscale image, shape ``(height, width)``, values in [0, 1]; not modified.
    base_model : keras.Model
        A network trained on patches in the [-0.5, 0.5] frame, as from :func:`train_model`: fully
        convolutional, at full resolution, with "same" padding.
    tile_pixels : int, optional
        The most pixels restored in one piece; :data:`RESTORE_TILE_PIXELS` when omitted.

    Returns
    -------
    numpy.ndarray
        The restored image: float64, shape ``(height, width)``, clipped to [0, 1].

    Raises
    ------
    TypeError, ValueError
        If the image or the model is not one this function takes (:func:`check_image`,
        :func:`check_model`), or the model outputs a non-finite value.

    Notes
    -----
    The full-size model of each image size is kept (for the last :data:`RESTORE_CACHED_SIZES`
    sizes of each base model), so restoring many images of one size builds and traces it once.
    It shares the base model's weights, so training the base model further shows at once.

    An image of more than :data:`RESTORE_TILE_PIXELS` pixels is restored in overlapping tiles,
    so memory stays bounded. A tile's output is exact only at least the network's receptive
    radius away from the tile's sides (nearer, the convolutions see the tile's zero padding
    instead of the image), so tiles overlap by twice that and each keeps only its interior. At the
    image's border a tile is cut from the image itself, never padded: there the network pads with
    zeros exactly as it does for the whole image. Tiled and whole restorations therefore agree up
    to floating-point rounding (1e-4 is asserted by the tests).
    """
    corrupted_image = check_image(corrupted_image, "corrupted_image")
    check_model(base_model, "base_model")
    network_input = (corrupted_image - PIXEL_OFFSET).astype(np.float32)
    restored = np.empty_like(network_input)
    for (rows, cols), (kept_rows, kept_cols) in restoration_tiles(
        network_input.shape, receptive_radius(base_model), tile_pixels
    ):
        tile = network_input[rows, cols]
        model = _full_size_model(base_model, *tile.shape)
        output = keras.ops.convert_to_numpy(model.predict_on_batch(tile[np.newaxis, :, :, np.newaxis]))
        if not np.isfinite(output).all():
            raise ValueError(
                "base_model produced non-finite values (NaN or inf) for this image: its weights are "
                "broken, for example by a training that diverged. Train it again."
            )
        restored[kept_rows, kept_cols] = output[0, :, :, 0][
            kept_rows.start - rows.start : kept_rows.stop - rows.start,
            kept_cols.start - cols.start : kept_cols.stop - cols.start,
        ]
    return np.clip(restored.astype(np.float64) + PIXEL_OFFSET, 0.0, 1.0)


# --------------------------------------------------------------------------------------------
# 7.1 Image denoising.
# --------------------------------------------------------------------------------------------


def quantize_8bit(image):
    """Round to the nearest multiple of 1/255 and clip to [0, 1], as an 8-bit image would be.

    ``image`` is an array of floats; the result is float64 of its shape.
    """
    return np.clip(np.round(image * 255) / 255, 0.0, 1.0)


def add_gaussian_noise(image, min_sigma, max_sigma, *, rng=None):
    """Add zero-mean Gaussian noise of a standard deviation drawn uniformly in [min, max].

    Parameters
    ----------
    image : numpy.ndarray
        Grayscale image, 2-D, float64 in [0, 1]; not modified.
    min_sigma, max_sigma : float
        Bounds of the noise's standard deviation, ``0 <= min_sigma <= max_sigma`` (in [0, 1]
        units of intensity).
    rng : numpy.random.Generator, optional
        Source of sigma and the noise; this module's generator when omitted.

    Returns
    -------
    numpy.ndarray
        The noisy image, float64, rounded to multiples of 1/255 and clipped to [0, 1].
    """
    image = check_image(image)
    for name, value in (("min_sigma", min_sigma), ("max_sigma", max_sigma)):
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value):
            raise TypeError(f"{name} must be a finite number, got {type(value).__name__} {value!r}.")
    if not 0 <= min_sigma <= max_sigma:
        raise ValueError(
            f"Need 0 <= min_sigma <= max_sigma, got min_sigma={min_sigma!r}, max_sigma={max_sigma!r}."
        )
    rng = random_generator(rng)
    sigma = rng.uniform(min_sigma, max_sigma)
    return quantize_8bit(image + rng.normal(0.0, sigma, size=image.shape))


def learn_denoising_model(num_res_blocks=5, quick_mode=False, *, verbose="auto"):
    """Train the assignment's denoising network on ``sol5_utils.images_for_denoising()``.

    Settings (:data:`TASK_SETTINGS`): 24x24 patches, 48 channels, Gaussian noise with sigma
    uniform in [0, 0.2]; batches of 100, 100 steps per epoch, 5 epochs, 1000 validation
    samples, or 10 / 3 / 2 / 30 in quick mode.

    Parameters
    ----------
    num_res_blocks : int, optional
        Depth of the network.
    quick_mode : bool, optional
        Train on the presubmission's tiny budget (seconds), same code path.
    verbose : {"auto", 0, 1, 2}, optional
        Keras' progress display.

    Returns
    -------
    keras.Model
        The trained model; ``model.history`` is the :class:`keras.callbacks.History` of the run.
    """
    settings = training_settings("denoising", quick_mode)

    def corruption_func(image):
        return add_gaussian_noise(image, settings["min_sigma"], settings["max_sigma"])

    return learn_model(
        sol5_utils.images_for_denoising(), corruption_func, num_res_blocks, settings, verbose=verbose
    )


def learn_model(images, corruption_func, num_res_blocks, settings, *, verbose="auto", in_order=True):
    """Build and train one task's network: what every ``learn_*_model`` does with its own row.

    Parameters
    ----------
    images : sequence of str
        Paths of the clean training images.
    corruption_func : callable
        See :func:`load_dataset`.
    num_res_blocks : int
        Depth of the network.
    settings : dict
        ``crop_size``, ``num_channels`` and the budget, as :func:`training_settings` returns.
    verbose : {"auto", 0, 1, 2}, optional
        Keras' progress display.
    in_order : bool, optional
        See :func:`train_model`.

    Returns
    -------
    keras.Model
        The trained model; ``model.history`` is the run's :class:`keras.callbacks.History`.
    """
    model = build_nn_model(*settings["crop_size"], settings["num_channels"], num_res_blocks)
    train_model(
        model,
        images,
        corruption_func,
        settings["batch_size"],
        settings["steps_per_epoch"],
        settings["num_epochs"],
        settings["num_valid_samples"],
        verbose=verbose,
        in_order=in_order,
    )
    return model


# --------------------------------------------------------------------------------------------
# 7.2 Image deblurring.
# --------------------------------------------------------------------------------------------


def add_motion_blur(image, kernel_size, angle):
    """Blur an image with a straight-line motion kernel (:func:`sol5_utils.motion_blur_kernel`).

    Parameters
    ----------
    image : numpy.ndarray
        Grayscale image, 2-D, float64 in [0, 1]; not modified.
    kernel_size : int
        Odd side of the kernel, the length of the motion in pixels.
    angle : float
        Direction of the motion in radians, in [0, pi); 0 is horizontal.

    Returns
    -------
    numpy.ndarray
        ``scipy.ndimage.convolve(image, kernel)`` (borders reflected), float64 in [0, 1]. As
        the assignment specifies, only :func:`random_motion_blur` rounds to 8-bit levels.
    """
    image = check_image(image)
    return scipy.ndimage.convolve(image, sol5_utils.motion_blur_kernel(kernel_size, angle))


def random_motion_blur(image, list_of_kernel_sizes, *, rng=None):
    """Blur with a motion kernel of random direction and size, then round to 8-bit levels.

    Parameters
    ----------
    image : numpy.ndarray
        Grayscale image, 2-D, float64 in [0, 1]; not modified.
    list_of_kernel_sizes : sequence of int
        Odd kernel sizes, each drawn with equal probability.
    rng : numpy.random.Generator, optional
        Source of the angle (uniform in [0, pi)) and the size; this module's generator when
        omitted.

    Returns
    -------
    numpy.ndarray
        The blurred image, float64, rounded to multiples of 1/255 and clipped to [0, 1].
    """
    if isinstance(list_of_kernel_sizes, numbers.Number):
        raise TypeError(
            f"list_of_kernel_sizes must be a list of ints, got one number: [{list_of_kernel_sizes!r}]?"
        )
    sizes = [check_int(size, "each of list_of_kernel_sizes (odd sizes)") for size in list_of_kernel_sizes]
    if not sizes or any(size % 2 == 0 for size in sizes):
        raise ValueError(
            f"list_of_kernel_sizes must be a non-empty list of positive odd ints, got {sizes!r}."
        )
    rng = random_generator(rng)
    angle = rng.uniform(0.0, np.pi)
    kernel_size = sizes[rng.integers(0, len(sizes))]
    return quantize_8bit(add_motion_blur(image, kernel_size, angle))


def learn_deblurring_model(num_res_blocks=5, quick_mode=False, *, verbose="auto"):
    """Train the assignment's deblurring network on ``sol5_utils.images_for_deblurring()``.

    Settings (:data:`TASK_SETTINGS`): 16x16 patches, 32 channels, random motion blur with a
    7x7 kernel; batches of 100, 100 steps per epoch, 10 epochs, 1000 validation samples, or
    10 / 3 / 2 / 30 in quick mode.

    Parameters
    ----------
    num_res_blocks : int, optional
        Depth of the network.
    quick_mode : bool, optional
        Train on the presubmission's tiny budget (seconds), same code path.
    verbose : {"auto", 0, 1, 2}, optional
        Keras' progress display.

    Returns
    -------
    keras.Model
        The trained model; ``model.history`` is the :class:`keras.callbacks.History` of the run.
    """
    settings = training_settings("deblurring", quick_mode)

    def corruption_func(image):
        return random_motion_blur(image, settings["kernel_sizes"])

    return learn_model(
        sol5_utils.images_for_deblurring(), corruption_func, num_res_blocks, settings, verbose=verbose
    )


# --------------------------------------------------------------------------------------------
# 8. Bonus: Deep Image Prior (Ulyanov, Vedaldi and Lempitsky, CVPR 2018).
# --------------------------------------------------------------------------------------------

#: The deep prior's settings: the paper's input code, optimizer and averaging, and our budget.
DEEP_PRIOR_SETTINGS = {
    "code_channels": 32,  # the fixed random input: 32 channels of uniform noise ...
    "code_scale": 0.1,  # ... scaled by 0.1
    "code_jitter": 1 / 30,  # std of the fresh noise added to the input at every step
    "network": "encoder-decoder",  # or "resnet", the assignment's blocks (the variants study)
    "num_levels": 3,  # down-sampling levels of the encoder-decoder
    "num_res_blocks": 5,  # depth of the "resnet" network
    "num_channels": 48,
    "skip_channels": 4,
    # The paper's 0.01 makes this network (no batch normalisation: the statistics of a single
    # image's batch differ between fitting and predicting) diverge.
    "learning_rate": 0.001,
    # A sigmoid output whose bias starts the image at its mean: it beat a linear, clipped output
    # by 0.33 dB (results/deep_prior_variants.json). Started at 0.5 instead, it saturated on dark
    # images (the centre of camera.png, mean 0.11, collapsed to a constant image).
    "output_activation": "sigmoid",
    "output_averaging": 0.99,  # the exponential moving average of the outputs
    # Stop early: with more steps the network fits the noise too. The step with the best mean
    # PSNR on the held-out crops of sol5lab.experiments.deep_prior (results/deep_prior.json).
    "num_iterations": 550,
    # With a mask there is no noise to over-fit, but the fill keeps changing: the step with the
    # best mean PSNR inside the scratches of the study's 64x64 crops.
    "inpainting_iterations": 2300,
}


def _deep_prior_network(height, width, settings, rng, mean_level=0.5):
    """The prior network: from a random code to an image, ``settings["network"]`` deciding which.

    ``"encoder-decoder"``: the paper's shape, down-sampling ``num_levels`` times with skip
    connections (``height`` and ``width`` must be multiples of ``2 ** num_levels``);
    ``"resnet"``: the assignment's residual blocks at full resolution. The output layer starts
    at ``mean_level``, so the fit begins from a flat image of the right brightness instead of
    spending its first steps on the mean. The bonus may use any layer (``keras.layers.*``); the
    assignment's model keeps to its five allowed classes. Every random part (the initial weights,
    the noise layer) is seeded from ``rng``, a ``numpy.random.Generator``.
    """

    def seed():
        return int(rng.integers(2**31))

    def conv(x, channels, size=3, strides=1, activation=None, bias_initializer="zeros"):
        weights = keras.initializers.GlorotUniform(seed=seed())
        return Conv2D(
            channels, size, strides=strides, padding="same", activation=activation,
            kernel_initializer=weights, bias_initializer=bias_initializer,
        )(x)  # fmt: skip

    def conv_relu(x, channels, size=3, strides=1):
        return layers.LeakyReLU(0.2)(conv(x, channels, size, strides))

    code = Input(shape=(height, width, settings["code_channels"]))
    x = layers.GaussianNoise(settings["code_jitter"], seed=seed())(code)  # only active while training
    if settings["network"] == "resnet":
        x = Activation("relu")(conv(x, settings["num_channels"]))
        for _ in range(settings["num_res_blocks"]):
            shortcut = x
            x = Activation("relu")(conv(x, settings["num_channels"]))
            x = Activation("relu")(Add()([conv(x, settings["num_channels"]), shortcut]))
    else:
        skips = []
        for _ in range(settings["num_levels"]):
            skips.append(conv_relu(x, settings["skip_channels"], size=1))
            x = conv_relu(conv_relu(x, settings["num_channels"], strides=2), settings["num_channels"])
        for skip in reversed(skips):
            x = layers.Concatenate()([layers.UpSampling2D(2, interpolation="bilinear")(x), skip])
            x = conv_relu(conv_relu(x, settings["num_channels"]), settings["num_channels"], size=1)
    if settings["output_activation"] == "sigmoid":  # start at the mean through the sigmoid
        # Kept off 0 and 1, where the logit is infinite and the sigmoid's gradient vanishes.
        mean_level = float(np.clip(mean_level, 0.01, 0.99))
        mean_level = float(np.log(mean_level / (1 - mean_level)))
    start = keras.initializers.Constant(mean_level)
    return Model(code, conv(x, 1, size=1, activation=settings["output_activation"], bias_initializer=start))


def deep_prior_restore_image(
    corrupted_image, *, mask=None, num_iterations=None, seed=None, callback=None, settings=None
):
    """Restore an image with a Deep Image Prior: no training data, only the image itself.

    A freshly initialised encoder-decoder maps a fixed random code to an image and is fitted,
    with mean squared error and Adam, to the corrupted image. The network's structure fits
    natural images much sooner than noise, so stopping early returns a restored image. As in the
    paper, fresh noise is added to the code at every step and the result is an exponential
    moving average of the outputs. With a ``mask``, only the known pixels count in the loss and
    the network fills in the others (inpainting).

    Parameters
    ----------
    corrupted_image : numpy.ndarray
        Grayscale image, 2-D, float64 in [0, 1]; not modified. Any size; 64x64 is the
        assignment's.
    mask : numpy.ndarray of bool, optional
        Same shape as the image, True where the pixel is known; every pixel is known when
        omitted. See :func:`scratches.scratch_mask` for scratches to try it on.
    num_iterations : int, optional
        Optimisation steps. When omitted, :data:`DEEP_PRIOR_SETTINGS`' ``num_iterations``
        (denoising, no mask) or ``inpainting_iterations`` (with a mask), both measured by
        ``sol5lab.experiments.deep_prior``.
    seed : int, optional
        Seed of the code, the initial weights and the noise, for a reproducible result (on the
        same backend and thread count). The call draws from its own generators: the state of
        every other random source (:func:`set_seed`'s, NumPy's, Keras') is left as it was.
    callback : callable, optional
        Called after every step as ``callback(iteration, restored)``, with the 1-based step and
        the current result (float32 array of the image's shape; do not keep a reference, copy).
    settings : dict, optional
        Overrides of :data:`DEEP_PRIOR_SETTINGS`, for experiments
        (``sol5lab.experiments.deep_prior_variants`` compares the network, output and
        learning-rate variants this way).

    Returns
    -------
    numpy.ndarray
        The restored image, float64 in [0, 1], same shape.
    """
    image = check_image(corrupted_image, "corrupted_image")
    if mask is None:
        known = np.ones(image.shape, dtype=bool)
    else:
        known = np.asarray(mask)
        if known.shape != image.shape or known.dtype != bool:
            raise ValueError(
                f"mask must be a bool array of the image's shape {image.shape}, "
                f"got {known.dtype} {known.shape}."
            )
        if not known.any():
            raise ValueError("mask marks no pixel as known: there is nothing to fit.")
    unknown = set(settings or {}) - set(DEEP_PRIOR_SETTINGS)
    if unknown:
        raise ValueError(f"Unknown deep prior settings {sorted(unknown)}; see sol5.DEEP_PRIOR_SETTINGS.")
    settings = {**DEEP_PRIOR_SETTINGS, **(settings or {})}
    if num_iterations is None:
        num_iterations = settings["num_iterations" if mask is None else "inpainting_iterations"]
    num_iterations = check_int(num_iterations, "num_iterations")
    # Its own generator for a seed, so that a seeded call leaves every other random source as it
    # was; without one, this module's (see set_seed). The network's weights and its noise layer
    # get int seeds drawn from it.
    rng = random_generator(None if seed is None else np.random.default_rng(check_int(seed, "seed", 0)))
    # Pad to a multiple of the down-sampling factor, and crop the result back; the padding, like
    # the unknown pixels, has no weight in the loss.
    factor = 2 ** settings["num_levels"]
    padded_shape = (-(-image.shape[0] // factor) * factor, -(-image.shape[1] // factor) * factor)
    padding = ((0, padded_shape[0] - image.shape[0]), (0, padded_shape[1] - image.shape[1]))
    target = np.pad(image, padding, mode="reflect").astype(np.float32)[np.newaxis, :, :, np.newaxis]
    weights = np.pad(known, padding).astype(np.float32)[np.newaxis]  # per pixel, as the loss is
    code = settings["code_scale"] * rng.uniform(size=(1, *padded_shape, settings["code_channels"]))
    code = code.astype(np.float32)
    network = _deep_prior_network(*padded_shape, settings, rng, mean_level=float(image[known].mean()))
    network.compile(loss="mean_squared_error", optimizer=keras.optimizers.Adam(settings["learning_rate"]))
    network.optimizer.build(network.trainable_variables)  # one trace of the step (compile_for_training)
    weight = settings["output_averaging"]
    average = None
    for iteration in range(1, int(num_iterations) + 1):
        network.train_on_batch(code, target, sample_weight=weights)
        output = network.predict_on_batch(code)
        average = output if average is None else weight * average + (1 - weight) * output
        if callback is not None:
            callback(iteration, average[0, : image.shape[0], : image.shape[1], 0])
    restored = average[0, : image.shape[0], : image.shape[1], 0]
    return np.clip(restored.astype(np.float64), 0.0, 1.0)
