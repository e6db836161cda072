"""The ``sol5lab`` command: restore your own images, or corrupt them to see what a model undoes.

::

    sol5lab restore INPUT... -o OUTPUT --task TASK [--scale 2|3|4] [--model PATH] [--compare FILE]
    sol5lab corrupt INPUT -o OUTPUT --task TASK [--sigma 25] [--seed 0] ...

Also ``python -m sol5lab``. A thin layer: the work is :mod:`sol5lab.image_files` (reading and
writing files as users have them) and :mod:`sol5lab.photos` (restoring and corrupting them).
Every argument and file is checked before Keras starts, so a mistake is reported in a fraction
of a second: one line naming the file or option and what to do, exit status 2, no traceback.
A file that fails later (one its output format cannot hold, say) is reported and skipped; the command
then ends with status 1.
"""

import argparse
import contextlib
import importlib.abc
import os
import sys
import tempfile
import time

from sol5lab import colour, image_files

#: The command's task names and the registry's tasks they restore (``sol5lab.tasks.TASKS``).
TASKS = {
    "denoise": "denoising",
    "deblur": "deblurring",
    "jpeg": "jpeg_deblocking",
    "super-resolution": "super_resolution",
    "salt-and-pepper": "salt_and_pepper",
    "scratches": "scratches",
    # an unknown mix of scratches, low resolution, JPEG and impulse noise: the combined model's
    "combined": "combined",
}

#: The enlargements super-resolution offers: those its model was trained for
#: (``sol5lab.corruptions.SUPER_RESOLUTION``; a test keeps the two equal).
SCALES = (2, 3, 4)

#: ``corrupt``'s options: for each task, its options with their default, the registry's condition
#: key each fills, and how a value is turned into the condition's (sigma is in 1/255 units).
CORRUPT_OPTIONS = {
    "denoise": {"sigma": (25.0, "sigma", lambda value: value / 255)},
    "deblur": {
        "kernel_size": (7, "kernel_size", int),
        "angle": (0.0, "angle_degrees", float),
    },
    "jpeg": {"quality": (20, "quality", int)},
    "super-resolution": {"scale": (2, "factor", int)},
    "salt-and-pepper": {"amount": (0.1, "amount", float)},
    "scratches": {"coverage": (0.1, "coverage", float)},
    "combined": {},  # the seed draws which corruptions and how strong, as in training
}

#: The ranges ``corrupt`` accepts, as (low, high, how to say it).
CORRUPT_RANGES = {
    "sigma": (0, 255, "from 0 to 255 (in 1/255 units)"),
    "kernel_size": (1, 99, "an odd whole number from 1 to 99"),
    "angle": (0, 180, "from 0 up to 180 degrees"),
    "quality": (1, 100, "a whole number from 1 to 100"),
    "amount": (0, 1, "from 0 to 1 (the share of pixels hit)"),
    "coverage": (0.001, 0.5, "above 0 and at most 0.5 (the share of pixels scratched)"),
}


class UsageError(Exception):
    """A user's mistake on the command line; its message is printed alone, as one line."""


# --------------------------------------------------------------------------------------------
# The progress bar.
# --------------------------------------------------------------------------------------------


class ProgressBar:
    """A line on stderr: the file, its tile, a bar of the pixels done of all files, the time left.

    On a terminal the line is redrawn in place (at most ten times a second); elsewhere (a log)
    a line is written every few seconds and at the end of each file.

    Parameters
    ----------
    total_pixels : int
        The input pixels of all files, what the bar counts.
    stream : file, optional
        Where to draw; ``sys.stderr`` when omitted.
    enabled : bool, optional
        False draws nothing (``--quiet``).
    """

    WIDTH = 24

    def __init__(self, total_pixels, stream=None, enabled=True):
        self.total_pixels = max(1, int(total_pixels))
        self.stream = sys.stderr if stream is None else stream
        self.enabled = enabled
        self.interactive = enabled and self.stream.isatty()
        self.started = time.monotonic()
        self.done_pixels = 0
        self.last_drawn = float("-inf")
        self.label = ""
        self.file_pixels = 0

    def start_file(self, index, count, name, pixels):
        """Begin the ``index``-th of ``count`` files, ``name``, of ``pixels`` input pixels."""
        self.label = f"[{index}/{count}] {name}"
        self.file_pixels = pixels
        self.file_start = self.done_pixels

    def tile(self, done, total):
        """Record that ``done`` of the file's ``total`` tiles are restored, and redraw."""
        self.done_pixels = self.file_start + self.file_pixels * done // total
        self._draw(f"tile {done}/{total}", final=done == total)

    def _draw(self, status, final=False):
        now = time.monotonic()
        if not self.enabled or (now - self.last_drawn < (0.1 if self.interactive else 5) and not final):
            return
        self.last_drawn = now
        share = self.done_pixels / self.total_pixels
        elapsed = now - self.started
        left = elapsed / share * (1 - share) if share > 0 else None
        filled = round(self.WIDTH * share)
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        when = "" if left is None else f" {int(left) // 60}:{int(left) % 60:02d} left"
        line = f"{self.label} {status} |{bar}| {share:4.0%}{when}"
        self.stream.write(f"\r{line}\033[K" if self.interactive else f"{line}\n")
        self.stream.flush()

    def close(self):
        """End the line (on a terminal)."""
        if self.interactive:
            self.stream.write("\n")
            self.stream.flush()


# --------------------------------------------------------------------------------------------
# Inputs and outputs: checked before any work.
# --------------------------------------------------------------------------------------------


def input_files(inputs):
    """Expand the INPUT arguments (files and folders) into image files, or raise UsageError."""
    paths = []
    for given in inputs:
        if os.path.isdir(given):
            found = image_files.image_paths(given)
            if not found:
                raise UsageError(f"INPUT {given}: a folder with no image files in it")
            paths += found
        elif os.path.isfile(given):
            if not os.access(given, os.R_OK):
                raise UsageError(f"INPUT {given}: not readable (permission denied)")
            paths.append(given)
        else:
            raise UsageError(f"INPUT {given}: no such file or folder")
    return paths


def check_folder_writable(folder, option):
    """Create ``folder`` if missing and check that a file can be written in it, or raise UsageError."""
    try:
        os.makedirs(folder, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as error:
        raise UsageError(
            f"{option} {folder}: cannot write there ({error.strerror or error}); choose another folder"
        ) from None


def output_files(inputs, given, paths, *, force):
    """Pair each input image with its output path, or raise UsageError.

    One input file and an OUTPUT that is not a folder: OUTPUT is the file. Otherwise (several
    inputs, a folder, or an OUTPUT that is a folder or ends with a slash) OUTPUT is a folder that
    receives each image under its own name. An output that is an input needs ``force``.
    """
    as_folder = len(paths) > 1 or any(os.path.isdir(path) for path in inputs) or os.path.isdir(given)
    as_folder = as_folder or given.endswith(("/", os.sep))
    if as_folder:
        if os.path.exists(given) and not os.path.isdir(given):
            raise UsageError(f"-o {given}: a file, but several inputs need an output folder")
        outputs = [os.path.join(given, os.path.basename(path)) for path in paths]
        if len(set(outputs)) < len(outputs):
            raise UsageError(f"-o {given}: two inputs have the same name; restore them in separate runs")
        check_folder_writable(given, "-o")
    else:
        outputs = [given]
        if not image_files.is_image_path(given):
            raise UsageError(f"-o {given}: needs an image file ending, such as .png, .jpg or .tif")
        check_folder_writable(os.path.dirname(given) or ".", "-o")
    sources = {os.path.realpath(path) for path in paths}
    for output in outputs:
        if os.path.realpath(output) in sources and not force:
            raise UsageError(
                f"-o {output}: that is an input file; pass --force to overwrite it, or choose another -o"
            )
    return list(zip(paths, outputs, strict=True))


def check_compare(path, count):
    """Check ``--compare FILE`` before any work, or raise UsageError."""
    if path is None:
        return
    if count != 1:
        raise UsageError(f"--compare {path}: draws one input beside its output; give a single INPUT file")
    if os.path.splitext(path)[1].lower() not in (".png", ".jpg", ".jpeg", ".pdf", ".svg"):
        raise UsageError(f"--compare {path}: needs a figure ending: .png, .jpg, .pdf or .svg")
    check_folder_writable(os.path.dirname(path) or ".", "--compare")


def pixel_counts(paths):
    """The pixels of each image, read from its header (cheap), or UsageError naming a file that
    is not an image imageio can read: found before any work starts."""
    import imageio.v3 as iio

    counts = []
    for path in paths:
        try:
            shape = iio.improps(path, plugin=image_files.plugin(path)).shape
        except Exception as error:
            raise UsageError(
                f"INPUT {path}: not an image imageio can read ({type(error).__name__})"
            ) from None
        counts.append(shape[0] * shape[1] if len(shape) >= 2 else 0)
    return counts


# --------------------------------------------------------------------------------------------
# The subcommands.
# --------------------------------------------------------------------------------------------


#: The modules that import JAX if it is there and carry on without it (``try: import jax``):
#: TensorFlow Lite's utilities, which importing TensorFlow imports, and Keras' Orbax callback,
#: which Keras imports under every backend.
OPTIONAL_JAX_IMPORTERS = ("tensorflow.lite.python.util", "keras.src.callbacks.orbax_checkpoint")


class OptionalJaxImportsRefused(importlib.abc.MetaPathFinder):
    """An import finder that refuses ``jax`` to :data:`OPTIONAL_JAX_IMPORTERS`, and only to them.

    Under TensorFlow nothing the command does uses JAX, and loading it cost 103 MB: the process
    held 672 MB once Keras had started with it, 568 MB without (TensorFlow 2.21, JAX 0.10, on
    2 cores). Any other import of JAX is left to the other finders; under
    ``KERAS_BACKEND=jax``, Keras' backend has imported it before either module.
    """

    def find_spec(self, fullname, path=None, target=None):
        """Raise ImportError for ``jax`` imported by an optional importer's code; else None."""
        if fullname == "jax":
            frame = sys._getframe(1)
            while frame is not None:
                if frame.f_globals.get("__name__") in OPTIONAL_JAX_IMPORTERS:
                    raise ImportError("sol5lab: JAX is left out where it is optional", name=fullname)
                frame = frame.f_back
        return None


@contextlib.contextmanager
def backend_start_muted():
    """Start Keras with the process's stderr (file descriptor 2) closed to its start-up lines,
    and without loading JAX where it is optional (:class:`OptionalJaxImportsRefused`).

    TensorFlow 2.21 writes its start-up notes from C++ before its logging is set up, whatever
    ``TF_CPP_MIN_LOG_LEVEL`` says; they are not for a user's terminal. An error while starting
    is still raised, and shown once stderr is back. Where Keras has already started, nothing
    changes.
    """
    sys.stderr.flush()
    saved = os.dup(2)
    finder = OptionalJaxImportsRefused()
    sys.meta_path.insert(0, finder)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
            import keras  # noqa: F401
    finally:
        sys.meta_path.remove(finder)
        os.dup2(saved, 2)
        os.close(saved)
    yield


def resolve_model(task, path):
    """The model for ``task``: ``path``'s, or the shipped one; UsageError when there is none.
    Either computes in float32 where its bfloat16 would be emulated (``training.for_this_machine``,
    as ``sol5lab.pretrained`` does)."""
    with backend_start_muted():
        from sol5lab import photos, training

    if path is not None:
        try:
            model = photos.load_model(path)
        except (OSError, ValueError) as error:
            raise UsageError(f"--model {error}") from None
        return training.for_this_machine(model)
    model = photos.shipped_model(task)
    if model is None:
        raise UsageError(f"--task: no model is shipped for {task} yet; {photos.model_hint(task)}")
    return model


def restore(args):
    """``sol5lab restore``: see :func:`parser`."""
    task = TASKS[args.task]
    if task == "super_resolution" and args.scale is None:
        raise UsageError("--scale: super-resolution needs it: 2, 3 or 4")
    if task != "super_resolution" and args.scale is not None:
        raise UsageError(f"--scale: only --task super-resolution enlarges, not --task {args.task}")
    if args.model is not None and not os.path.isfile(args.model):
        raise UsageError(f"--model {args.model}: no such file; give the path of a .keras file")
    if args.tile_pixels is not None and args.tile_pixels < 64 * 64:
        raise UsageError(f"--tile-pixels {args.tile_pixels}: too small; use at least 4096")
    paths = input_files(args.inputs)
    pairs = output_files(args.inputs, args.output, paths, force=args.force)
    check_compare(args.compare, len(pairs))
    pixels = pixel_counts(paths)
    model = resolve_model(task, args.model)

    from sol5lab import photos
    from sol5lab.reporting import comparison

    progress = ProgressBar(sum(pixels), enabled=not args.quiet)
    failures = 0
    for index, (source, target) in enumerate(pairs, start=1):
        try:
            image = image_files.read_image_file(source)
            image_files.check_writable(target, image)
            progress.start_file(index, len(pairs), os.path.basename(source), pixels[index - 1])
            restored = photos.restore_image_file(
                image,
                task,
                model,
                scale=args.scale or 1,
                method=args.colour,
                tile_pixels=args.tile_pixels,
                on_tile=progress.tile,
            )
            image_files.write_image_file(target, restored)
            if args.compare:
                comparison.side_by_side(image, restored, args.compare)
        except (OSError, ValueError) as error:
            failures += 1
            progress.close()
            print(f"sol5lab restore: error: {error}; skipped", file=sys.stderr)
    progress.close()
    if failures:
        print(f"sol5lab restore: {failures} of {len(pairs)} files failed", file=sys.stderr)
        return 1
    if not args.quiet:
        where = args.output if len(pairs) > 1 else pairs[0][1]
        print(f"sol5lab restore: wrote {len(pairs)} file{'s' * (len(pairs) > 1)} to {where}", file=sys.stderr)
    return 0


def corruption_condition(args):
    """The registry's condition for ``corrupt``'s options, or UsageError for a wrong one."""
    options = CORRUPT_OPTIONS[args.task]
    for name in CORRUPT_RANGES.keys() | {"scale"}:
        if getattr(args, name) is not None and name not in options:
            raise UsageError(f"--{name.replace('_', '-')}: not an option of --task {args.task}")
    condition = {}
    for name, (default, key, convert) in options.items():
        value = default if getattr(args, name) is None else getattr(args, name)
        if name in CORRUPT_RANGES:
            low, high, said = CORRUPT_RANGES[name]
            bad = not low <= value <= high or (name == "angle" and value >= 180)
            bad = bad or (name == "kernel_size" and value % 2 == 0)
            if bad:
                raise UsageError(f"--{name.replace('_', '-')} {value:g}: must be {said}")
        condition[key] = convert(value)
    return condition


def corrupt(args):
    """``sol5lab corrupt``: see :func:`parser`."""
    condition = corruption_condition(args)
    paths = input_files([args.input])
    if len(paths) != 1:
        raise UsageError(f"INPUT {args.input}: corrupt takes one image file, not a folder")
    ((source, target),) = output_files([args.input], args.output, paths, force=args.force)
    pixel_counts(paths)
    from sol5lab import photos

    try:
        image = image_files.read_image_file(source)
        image_files.check_writable(target, image)
        corrupted = photos.corrupt_image_file(image, TASKS[args.task], condition, seed=args.seed)
        image_files.write_image_file(target, corrupted)
    except (OSError, ValueError) as error:
        print(f"sol5lab corrupt: error: {error}", file=sys.stderr)
        return 1
    return 0


def parser():
    """The command line's parser: ``restore`` and ``corrupt``, each with its options."""
    main_parser = argparse.ArgumentParser(
        prog="sol5lab",
        description="Restore your own images with the lab's models, or corrupt them to make test images.",
    )
    commands = main_parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    restoring = commands.add_parser(
        "restore",
        help="restore image files with a task's model",
        description="Restore image files (any format imageio reads; grey or colour, 8 or 16 bits, "
        "alpha kept) with a task's model, in tiles, writing the output atomically.",
    )
    restoring.add_argument("inputs", nargs="+", metavar="INPUT", help="image files or folders of them")
    restoring.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="OUTPUT",
        help="the output file, or a folder for several inputs",
    )
    restoring.add_argument("--task", required=True, choices=list(TASKS), help="what to undo")
    restoring.add_argument(
        "--scale", type=int, choices=SCALES, help="super-resolution's enlargement (2, 3 or 4)"
    )
    restoring.add_argument("--model", metavar="PATH", help="a .keras model trained for the task")
    restoring.add_argument(
        "--colour",
        choices=colour.METHODS,
        default=colour.DEFAULT_METHOD,
        help=f"how a colour image meets the grayscale model (default {colour.DEFAULT_METHOD})",
    )
    restoring.add_argument(
        "--compare", metavar="FILE", help="also write a figure of the input beside the output"
    )
    restoring.add_argument(
        "--tile-pixels",
        type=int,
        metavar="N",
        help="the most pixels restored at once (default 1048576): less memory",
    )
    restoring.add_argument("--force", action="store_true", help="allow overwriting an input file")
    restoring.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    restoring.set_defaults(run=restore)

    corrupting = commands.add_parser(
        "corrupt",
        help="make a test image with a task's corruption",
        description="Corrupt an image file as a task's model expects to meet it (seeded), keeping its "
        "bit depth and alpha.",
    )
    corrupting.add_argument("input", metavar="INPUT", help="an image file")
    corrupting.add_argument(
        "-o", "--output", required=True, metavar="OUTPUT", help="the corrupted image file"
    )
    corrupting.add_argument("--task", required=True, choices=list(TASKS), help="whose corruption")
    corrupting.add_argument(
        "--sigma", type=float, help="denoise: the noise's standard deviation, in 1/255 (25)"
    )
    corrupting.add_argument(
        "--kernel-size", type=int, help="deblur: the motion blur's length in pixels, odd (7)"
    )
    corrupting.add_argument(
        "--angle", type=float, help="deblur: the motion's direction in degrees, 0 horizontal (0)"
    )
    corrupting.add_argument("--quality", type=int, help="jpeg: the JPEG quality, 1 to 100 (20)")
    corrupting.add_argument("--scale", type=int, choices=SCALES, help="super-resolution: the downscaling (2)")
    corrupting.add_argument("--amount", type=float, help="salt-and-pepper: the share of pixels hit (0.1)")
    corrupting.add_argument("--coverage", type=float, help="scratches: the share of pixels scratched (0.1)")
    corrupting.add_argument(
        "--seed", type=int, default=0, help="seed of the random draws (0); combined: the mix drawn"
    )
    corrupting.add_argument("--force", action="store_true", help="allow overwriting the input file")
    corrupting.set_defaults(run=corrupt)
    return main_parser


def main(argv=None):
    """Run the command with ``argv`` (``sys.argv[1:]`` when None); return its exit status."""
    arguments = parser().parse_args(argv)  # argparse reports its own errors: one line, status 2
    try:
        return arguments.run(arguments)
    except UsageError as error:
        print(f"sol5lab {arguments.command}: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"\nsol5lab {arguments.command}: interrupted; no output was left half-written", file=sys.stderr)
        return 130
