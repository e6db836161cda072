"""Does a network restore whole images as well as the patches it was trained on?

A network trained on small patches sees, near their borders, the zero padding of its
convolutions; one whose reach is wider than the patch (LKA-ResNet's dilated 7x7 kernel spans 19
pixels, the deblurring patches are 16) learns on padding what it must do on real pixels. This
check restores each held-out page of a task twice with the architectures comparison's models:
whole (``sol5.restore_image``, as the comparison scores it), and cut into independent tiles of
the training patch's size, each restored alone; and scores both against the clean page.

Run ``python -m sol5lab.experiments.patch_context`` after ``make architectures``; it writes
``results/patch_context.json``.
"""

import argparse
import os
import sys

import keras
import numpy as np

import sol5
import sol5_utils
from sol5lab import arguments, evaluation, files, networks, protocols, tasks  # noqa: F401 (networks: registers their layers for loading)

NETWORKS = ("resnet", "lka_resnet")
TASK = "deblurring"
SEED = 1


def tiled_restoration(image, model, side):
    """Restore ``image`` (2-D, [0, 1]) in independent ``side`` x ``side`` tiles, each alone.

    The image is cut to a whole number of tiles first; returns the restored cut image.
    """
    height, width = (length // side * side for length in image.shape)
    tiles = image[:height, :width].reshape(height // side, side, width // side, side)
    batch = tiles.transpose(0, 2, 1, 3).reshape(-1, side, side, 1) - sol5.PIXEL_OFFSET
    restored = keras.ops.convert_to_numpy(model(batch.astype("float32"), training=False)).astype(np.float64)
    restored = restored.reshape(height // side, width // side, side, side).transpose(0, 2, 1, 3)
    return np.clip(restored.reshape(height, width) + sol5.PIXEL_OFFSET, 0, 1)


def compare(model, task, *, max_images=None):
    """Mean PSNR over the task's held-out cases: ``corrupted``, restored ``whole`` and in
    ``tiles`` of the task's patch size (every image cut to whole tiles for all three)."""
    side = tasks.training_settings(task)["crop_size"][0]
    scores = {"corrupted": [], "whole": [], "tiles": []}
    for case in protocols.cases(task, max_images=max_images):
        height, width = (length // side * side for length in case["clean"].shape)
        clean, corrupted = case["clean"][:height, :width], case["corrupted"][:height, :width]
        scores["corrupted"].append(evaluation.image_quality(clean, corrupted)["psnr"])
        scores["whole"].append(evaluation.image_quality(clean, sol5.restore_image(corrupted, model))["psnr"])
        scores["tiles"].append(
            evaluation.image_quality(clean, tiled_restoration(corrupted, model, side))["psnr"]
        )
    return {
        "patch_side": side,
        "cases": len(scores["whole"]),
        **{k: float(np.mean(v)) for k, v in scores.items()},
    }


def main(argv=None):
    """Run the check; see the module's docstring."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-images", type=arguments.positive_int, default=None)
    parser.add_argument("--models-dir", default=sol5_utils.relpath("models"))
    parser.add_argument("--results-dir", default=sol5_utils.relpath("results"))
    args = parser.parse_args(argv)
    result = {
        "command": "python -m sol5lab.experiments.patch_context",
        "task": TASK,
        "seed": SEED,
        "networks": {},
    }
    for name in NETWORKS:
        path = os.path.join(args.models_dir, "architectures", f"{TASK}_{name}_seed{SEED}.keras")
        if not os.path.isfile(path):
            parser.error(f"{path} is missing: run `make architectures` first")
        model = keras.saving.load_model(path, compile=False, safe_mode=True)
        result["networks"][name] = compare(model, TASK, max_images=args.max_images)
        print(name, result["networks"][name], flush=True)
    kind = files.run_kind(False, partial=args.max_images is not None)
    files.write_json(os.path.join(args.results_dir, files.variant("patch_context", kind) + ".json"), result)
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
