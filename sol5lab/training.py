"""Training any task of the registry, with any network, through the assignment's own workflow.

Each task is what section 7 of the assignment makes of denoising and deblurring: a corruption, a
row of settings, and a ``learn_*_model(num_res_blocks=5, quick_mode=False)`` that hands both to
the assignment's own ``build_nn_model`` and ``train_model`` (through ``sol5.learn_model``), so
``load_dataset`` makes the patches and ``restore_image`` applies the result. The assignment's two
tasks train with ``sol5``'s own learners; the lab's with :func:`learn`, from their records in
:mod:`sol5lab.tasks`. :func:`learn` also trains the other networks of
:mod:`sol5lab.networks` (``architecture=``) the same way, with ``sol5.train_model``, and
:class:`TrainingBudget` stops a training when its wall-clock budget is spent.
:func:`keras_policy` trains under another dtype policy (``mixed_bfloat16``: see the precision
trial), :func:`compute_policy` says whether this machine can afford it, and :func:`with_policy`
moves a trained model to another policy with its weights.
"""

import contextlib
import math
import time

import keras

import sol5
from sol5lab import networks, tasks, timing


class TrainingBudget(keras.callbacks.Callback):
    """Stop ``fit`` once ``seconds`` of wall-clock time have passed, and keep the curve of the
    validation PSNR against the time.

    The clock starts when training begins (the first epoch's tracing included) and is read after
    every step; the step that crosses the budget is the last, and Keras still scores the
    validation set after it, so the last point of the curve is the model that is returned.

    Parameters
    ----------
    seconds : float
        The budget, positive.

    Attributes
    ----------
    curve : list of dict
        After each epoch: ``epoch`` (1-based), ``seconds`` since training began, ``steps`` so far,
        ``val_loss`` (MSE), ``val_psnr`` (dB, pixel values in [0, 1]) and ``cpu_seconds``, the
        process' CPU time since training began: on a quiet machine about ``seconds`` times the
        cores it uses, so a run that shared the machine shows in a lower ratio.
    """

    def __init__(self, seconds):
        super().__init__()
        if not seconds > 0:
            raise ValueError(f"The training budget must be positive seconds, got {seconds!r}.")
        self.seconds = float(seconds)
        self.curve = []
        self._start = None
        self._cpu_start = None
        self._steps = 0

    def elapsed(self):
        """Seconds since training began."""
        return time.perf_counter() - self._start

    def on_train_begin(self, logs=None):
        self._start = time.perf_counter()
        self._cpu_start = time.process_time()
        self._steps = 0
        self.curve = []

    def on_train_batch_end(self, batch, logs=None):
        self._steps += 1
        if self.elapsed() >= self.seconds:
            self.model.stop_training = True

    def on_epoch_end(self, epoch, logs=None):
        val_loss = float((logs or {}).get("val_loss", math.nan))
        self.curve.append(
            {
                "epoch": epoch + 1,
                "seconds": self.elapsed(),
                "steps": self._steps,
                "val_loss": val_loss,
                "val_psnr": -10 * math.log10(val_loss) if val_loss > 0 else math.nan,
                "cpu_seconds": time.process_time() - self._cpu_start,
            }
        )


def network_settings(task, architecture="resnet", num_res_blocks=5, overrides=None):
    """Return the settings of the network ``architecture`` trained for ``task``.

    The network's defaults (:data:`sol5lab.networks.ARCHITECTURES`), its width replaced by the
    task's ``num_channels`` (and, for the assignment's ``"resnet"``, its depth by
    ``num_res_blocks``), then ``overrides``.

    Returns
    -------
    dict
        Every keyword of the network's builder.
    """
    from_task = {"num_channels": tasks.task(task).settings["num_channels"]}
    if architecture == "resnet":
        from_task["num_res_blocks"] = int(num_res_blocks)
    return networks.settings_of(architecture, {**from_task, **(overrides or {})})


def learn(
    task,
    num_res_blocks=5,
    quick_mode=False,
    *,
    verbose="auto",
    architecture="resnet",
    architecture_settings=None,
    num_epochs=None,
    callbacks=None,
):
    """Train ``task``'s network the assignment's way, with the settings of its record.

    Parameters
    ----------
    task : str
        A key of :data:`sol5lab.tasks.TASKS`.
    num_res_blocks : int, optional
        Depth of the assignment's network (``architecture="resnet"``); the other networks take
        their depth from ``architecture_settings``.
    quick_mode : bool, optional
        The presubmission's tiny budget, same code path.
    verbose : {"auto", 0, 1, 2}, optional
        Keras' progress display.
    architecture : str, optional
        A key of :data:`sol5lab.networks.ARCHITECTURES`; the assignment's ResNet by default.
    architecture_settings : dict, optional
        Overrides of the network's settings (:func:`network_settings`).
    num_epochs : int, optional
        Train this many epochs instead of the task's (an upper bound under a
        :class:`TrainingBudget`).
    callbacks : list of keras.callbacks.Callback, optional
        Passed to ``sol5.train_model``.

    Returns
    -------
    keras.Model
        The trained model, built on the task's patch size; ``model.history`` is the run's
        :class:`keras.callbacks.History`.

    Notes
    -----
    The assignment's network with the task's own settings trains exactly as before: the
    assignment's two tasks through their own ``learn_*_model``, the lab's through
    ``sol5.learn_model``. Any other network, setting, epoch count or callback goes through
    ``sol5.train_model`` with the network built by :func:`sol5lab.networks.build`, on the same
    images, corruption and budget.
    """
    record = tasks.task(task)
    settings = tasks.training_settings(task, quick_mode)
    if architecture == "resnet" and not architecture_settings and num_epochs is None and not callbacks:
        if record.learn is not None:
            return record.learn(num_res_blocks=num_res_blocks, quick_mode=quick_mode, verbose=verbose)
        return sol5.learn_model(
            record.training_images(),
            record.training_corruption(settings),
            num_res_blocks,
            settings,
            verbose=verbose,
        )
    if num_epochs is not None:
        settings = {**settings, "num_epochs": int(num_epochs)}
    model = networks.build(
        architecture,
        *settings["crop_size"],  # sol5.train_model reads the patch size from the model's input
        **network_settings(task, architecture, num_res_blocks, architecture_settings),
    )
    sol5.train_model(
        model,
        record.training_images(),
        record.training_corruption(settings),
        settings["batch_size"],
        settings["steps_per_epoch"],
        settings["num_epochs"],
        settings["num_valid_samples"],
        verbose=verbose,
        callbacks=callbacks,
    )
    return model


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


def native_bfloat16(devices, cpu_flags):
    """Whether ``devices`` compute bfloat16 natively: an accelerator does; a CPU only with
    AVX512-BF16 or AMX.

    Parameters
    ----------
    devices : list of str
        Keras' devices, e.g. ``keras.distribution.list_devices()`` (``["cpu:0"]``, ``["gpu:0"]``).
    cpu_flags : Mapping
        ``timing.machine_info()["cpu_flags"]``: ``avx512_bf16`` and ``amx``, booleans.

    Returns
    -------
    bool
    """
    if any(not device.lower().startswith("cpu") for device in devices):
        return True
    return bool(cpu_flags.get("avx512_bf16") or cpu_flags.get("amx"))


def keras_devices():
    """The devices Keras computes on, e.g. ``["cpu:0"]`` or ``["gpu:0", "gpu:1"]``; on a backend
    without Keras' distribution API (PyTorch), the device of a new tensor."""
    try:
        return keras.distribution.list_devices()
    except (AttributeError, NotImplementedError):
        device = str(getattr(keras.ops.zeros(()), "device", "cpu")).lower()
        return ["cpu:0"] if "cpu" in device else [device]


def compute_policy(policy, devices=None, cpu_flags=None):
    """Return the dtype policy to train under on this machine: ``policy``, unless it computes in
    bfloat16 and the machine has no native bfloat16 (:func:`native_bfloat16`); then ``"float32"``.

    Without native support a bfloat16 step is emulated: on an AVX2-only 2-core CPU a step of the
    strong deblurring recipe took 16.7 s under ``mixed_bfloat16`` and 1.22 s under float32 (median
    of 5), where a CPU with AVX512-BF16 ran it 1.8 times faster than float32.

    Parameters
    ----------
    policy : str
        The preferred Keras dtype policy, e.g. ``"mixed_bfloat16"``.
    devices, cpu_flags : optional
        As :func:`native_bfloat16` takes them; this machine's by default.

    Returns
    -------
    str
    """
    if "bfloat16" not in policy:
        return policy
    devices = keras_devices() if devices is None else devices
    cpu_flags = timing.machine_info()["cpu_flags"] if cpu_flags is None else cpu_flags
    return policy if native_bfloat16(devices, cpu_flags) else "float32"


def stored_policy(model):
    """The dtype policy ``model``'s weighted layers compute under, e.g. ``"mixed_bfloat16"``
    (the model object's own policy is the global one of when it was loaded, not its layers')."""
    names = {layer.dtype_policy.name for layer in model.layers if layer.weights}
    if len(names) != 1:
        raise ValueError(f"model {model.name!r} computes under several dtype policies ({sorted(names)}).")
    return names.pop()


def for_this_machine(model):
    """Return ``model`` computing under its stored policy where this machine computes that policy
    natively, else in float32 with the same weights (:func:`compute_policy`, :func:`with_policy`).

    A bfloat16 model on a CPU that emulates bfloat16 is slower than the same network in float32
    (docs/performance.md), and float32 is exact where bfloat16 rounds.

    Parameters
    ----------
    model : keras.Model
        Any model; one whose weighted layers compute under several policies, or one
        ``keras.models.clone_model`` cannot rebuild (a subclassed model), is returned as it is.

    Returns
    -------
    keras.Model
        ``model`` itself, or an uncompiled float32 clone of it.
    """
    try:
        policy = stored_policy(model)
    except ValueError:
        return model  # several policies: the model's author chose them layer by layer
    try:
        return with_policy(model, compute_policy(policy))
    except ValueError:
        return model  # clone_model rebuilds functional and sequential models only


def with_policy(model, policy):
    """Return ``model`` computing under the Keras dtype policy ``policy``, with its weights.

    Mixed policies keep the variables in float32, so the weights carry over exactly; only the
    computation changes (e.g. a ``mixed_bfloat16`` model run in float32, without bfloat16's
    rounding).

    Parameters
    ----------
    model : keras.Model
        A functional or sequential model, its layers under one policy (:func:`stored_policy`).
    policy : str
        A Keras dtype policy name: ``"float32"``, ``"mixed_bfloat16"``, ...

    Returns
    -------
    keras.Model
        ``model`` itself when it computes under ``policy`` already, else an uncompiled clone.

    Raises
    ------
    ValueError
        If ``policy`` is not a Keras dtype policy, naming the argument.
    """
    try:
        keras.DTypePolicy(policy)
    except (ValueError, TypeError):
        raise ValueError(
            f"policy must be a Keras dtype policy such as 'float32' or 'mixed_bfloat16', not {policy!r}."
        ) from None
    if stored_policy(model) == policy:
        return model

    def rebuilt(layer):
        config = layer.get_config()
        if not isinstance(layer, keras.layers.InputLayer):
            config["dtype"] = policy
        return layer.__class__.from_config(config)

    # the global policy too, for the sublayers a custom layer builds without passing its dtype on
    with keras_policy(policy):
        clone = keras.models.clone_model(model, clone_function=rebuilt)
    clone.set_weights(model.get_weights())
    return clone
