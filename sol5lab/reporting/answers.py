"""``answer_q1.txt`` and ``answer_q2.txt``, written from the committed results.

Every number in ``answer_q1.txt`` is read from ``results/depth_experiment.json``, and every
statement about a trend (monotone or not, larger than the spread across seeds or not) is decided
from those numbers, so the answer cannot drift from the results. The observations about the
figures are prose, in :data:`OBSERVATIONS`. ``answer_q2.txt`` is the super-resolution recipe
(prose, :data:`Q2_RECIPE`) followed by what its implementation measured, read from
``results/restoration_tasks.json``.
"""

import textwrap

import numpy as np

#: The answer in a few lines, written after reading the numbers below it and the figures.
IN_SHORT = (
    "In short: deblurring gains from every added block, clearly beyond the differences between "
    "seeds, in the validation MSE and on every held-out blur direction, and the restored text "
    "looks visibly sharper with each block. Denoising gains much less: the validation MSE falls "
    "from one to four blocks in every seed, but on the held-out photographs the PSNR moves by "
    "fractions of a dB, mostly within the seed spread, and the outputs look alike except under "
    "the strongest noise. Blur spreads each point over a fixed, long neighbourhood that the "
    "network must see whole to undo; noise is independent from pixel to pixel, and a small "
    "neighbourhood already says most of what can be said about it."
)


#: What the restoration figures show, per task, written after looking at them
#: (results/depth_<task>_restorations.png).
OBSERVATIONS = {
    "denoising": (
        "results/depth_denoising_restorations.png shows camera.png restored by the seed-0 model of "
        "each depth. At sigma 25/255 the five outputs look alike: the noise is gone from the sky and "
        "the coat, the outlines of the face and the camera survive but are softened, and the fine "
        "texture of the hair is smoothed away by every depth. At sigma 50/255 the differences "
        "appear: the one-block model leaves blotchy, low-frequency residue in the flat sky and "
        "breaks up the thin outline of the camera, while the deeper models give a flatter sky and "
        "more continuous edges. The gain from depth stands out of the seed spread only at the "
        "strongest noise, where telling edges from noise needs a wider view of the image (each "
        "block widens the receptive field by four pixels). No depth recovers fine texture: that is "
        "where the learned model loses to BM3D in the comparison table of the README. In "
        "depth_plot_denoise.png every depth's validation curve is still falling at the last epoch, "
        "so the depths are compared at the assignment's fixed budget, not at their best; that the "
        "five-block model ends a little above the four-block one in every seed says something "
        "about this budget, not about depth."
    ),
    "deblurring": (
        "results/depth_deblurring_restorations.png shows a page blurred horizontally and at 45 "
        "degrees, restored by the seed-0 model of each depth. With one block the strokes come back "
        "dark but not in place: at 45 degrees the letters stay slanted and streaked along the blur, "
        "with faint ghost strokes beside them. Three blocks straighten the letters and remove most "
        "of the ghosting; five blocks give the thinnest, most even strokes and the cleanest paper "
        "between the lines. Undoing a seven-pixel motion needs the network to see the whole smear of "
        "a stroke, so deblurring keeps gaining from every block, unlike denoising. No depth brings "
        "back the serifs and the thin parts of small letters, which stay soft and grey. In "
        "depth_plot_deblur.png every validation curve is still falling steeply at the last epoch, "
        "the deeper ones fastest: a longer training would likely widen the gap between depths."
    ),
}


WIDTH = 96


def _trend(depths, means, stds, *, lower_is_better):
    """Describe how a measure changes with depth: the direction of each step, and which steps and
    whether the whole change stand out of the spread across seeds."""
    means, stds = np.asarray(means), np.asarray(stds)
    steps = np.diff(means)
    better = steps < 0 if lower_is_better else steps > 0
    pairs = list(zip(depths[:-1], depths[1:], strict=True))
    if better.all():
        phrases = ["better with every added block"]
    elif not better.any():
        phrases = ["worse with every added block"]
    else:
        worse = [f"{a} to {b}" for (a, b), ok in zip(pairs, better, strict=True) if not ok]
        phrases = [f"not monotone (worse from {', '.join(worse)} blocks)"]
    within = [
        f"{a} to {b}"
        for (a, b), step, sa, sb in zip(pairs, steps, stds[:-1], stds[1:], strict=True)
        if abs(step) < max(sa, sb)
    ]
    phrases.append(
        f"steps within the seed spread: {', '.join(within)} blocks"
        if within
        else "every step is larger than the seed spread"
    )
    overall = abs(means[-1] - means[0]) > 2 * max(stds[0], stds[-1])
    phrases.append(
        f"the change from {depths[0]} to {depths[-1]} blocks is "
        + ("more than twice" if overall else "within twice")
        + " the seed spread"
    )
    return "; ".join(phrases)


def _task_section(task, entry):
    depths = entry["depths"]
    rows = [entry["by_depth"][str(depth)] for depth in depths]
    conditions = list(entry["corrupted"])
    seeds = len(rows[0]["seeds"])
    lines = [f"{task.upper()} ({seeds} seeds per depth; mean ± standard deviation across seeds)", ""]
    header = f"  {'blocks':>6}  {'val MSE x1e-3':>15}" + "".join(f"  {name:>17}" for name in conditions)
    lines += [header + f"  {'training':>9}"]
    lines.append(
        f"  {'input':>6}  {'':>15}"
        + "".join(f"  {entry['corrupted'][name]['psnr']:>14.2f} dB" for name in conditions)
    )
    for depth, row in zip(depths, rows, strict=True):
        mse = f"{row['val_mse']['mean'] * 1e3:.3f} ± {row['val_mse']['std'] * 1e3:.3f}"
        scores = [row["conditions"][name]["psnr"] for name in conditions]
        psnrs = "".join(f"  {score['mean']:>6.2f} ± {score['std']:.2f} dB" for score in scores)
        lines.append(
            f"  {depth:>6}  {mse:>15}{psnrs}  {np.median(row['training_seconds']['values']):>7.0f} s"
        )
    lines.append("")
    mse = [row["val_mse"]["mean"] * 1e3 for row in rows]
    mse_text = (
        f"Validation MSE: {mse[0]:.3f} x 1e-3 at {depths[0]} block{'s' if depths[0] > 1 else ''}, "
        f"{mse[-1]:.3f} x 1e-3 at {depths[-1]} blocks ({(mse[-1] - mse[0]) / mse[0] * 100:+.1f}%); "
        + _trend(depths, mse, [row["val_mse"]["std"] * 1e3 for row in rows], lower_is_better=True)
        + "."
    )
    lines += textwrap.wrap(mse_text, WIDTH) + [""]
    paired = entry["val_mse_paired"]
    overall = paired["overall"]
    steps = "; ".join(
        f"{pair.replace('-', ' to ')}: {step['mean'] * 1e3:+.3f} "
        f"(lower in {step['decreased']} of {len(step['seeds'])})"
        for pair, step in paired["steps"].items()
    )
    paired_text = (
        "Paired by seed (a seed draws the train/validation split and the validation patches, so all "
        "its depths are scored on the same samples and the differences between the seeds' "
        "validation sets, much of the spread above, cancel): from "
        f"{depths[0]} to {depths[-1]} blocks the MSE changes by {overall['mean'] * 1e3:+.3f} ± "
        f"{overall['std'] * 1e3:.3f} x 1e-3, lower in {overall['decreased']} of {len(overall['seeds'])} "
        f"seeds. Step by step (x 1e-3): {steps}."
    )
    lines += textwrap.wrap(paired_text, WIDTH) + ["", "Held-out PSNR:"]
    for name in conditions:
        scores = [row["conditions"][name]["psnr"] for row in rows]
        means = [score["mean"] for score in scores]
        text = (
            f"- {name}: {means[0]:.2f} dB to {means[-1]:.2f} dB ({means[-1] - means[0]:+.2f} dB); "
            + _trend(depths, means, [score["std"] for score in scores], lower_is_better=False)
            + "."
        )
        lines += textwrap.wrap(text, WIDTH, subsequent_indent="  ")
    lines.append("")
    times = [np.median(r["training_seconds"]["values"]) for r in rows]
    lines += textwrap.wrap(
        f"Training time (median across seeds, this 2-core CPU): {times[0]:.0f} s at {depths[0]} "
        f"block{'s' if depths[0] > 1 else ''}, {times[-1]:.0f} s at {depths[-1]} blocks.",
        WIDTH,
    )
    if OBSERVATIONS.get(task):
        lines += [""] + textwrap.wrap("What the figure shows. " + OBSERVATIONS[task], WIDTH)
    return lines


def answer_q1(summary):
    """Return the text of ``answer_q1.txt`` for a depth experiment summary."""
    lines = textwrap.wrap(
        "Q1: How does the number of residual blocks change each task, quantitatively (the depth "
        "plots) and qualitatively (the restored images)?",
        WIDTH,
    )
    lines += [""] + textwrap.wrap(
        "Every number below is read from results/depth_experiment.json by "
        "sol5lab.experiments.answers; `make plots` reruns the experiment and rewrites both. "
        "Each model was trained with the assignment's own "
        "learn_denoising_model / learn_deblurring_model(num_res_blocks=depth) at the assignment's "
        "settings; the validation MSE is the one after the last epoch (depth_plot_denoise.png, "
        "depth_plot_deblur.png), and the PSNR is measured on the held-out test images under fixed, "
        "seeded corruptions (the training never saw these images).",
        WIDTH,
    )
    lines += [""] + textwrap.wrap(IN_SHORT, WIDTH)
    for task, entry in summary["tasks"].items():
        lines += ["", ""] + _task_section(task, entry)
    return "\n".join(lines) + "\n"


Q2_QUESTION = "Q2: How would the workflow of this exercise train a network for super-resolution?"


#: The recipe, in the order a student would follow it.
Q2_RECIPE = [
    "The workflow learns any corruption that we can simulate, as long as the corrupted image and "
    "the clean image have the same size: load_dataset crops a clean patch, corrupts it, and the "
    "network learns the residual that takes the corrupted patch back to the clean one. "
    "Super-resolution changes the size of the image, so the corruption has to give the size back.",
    "1. The corruption function. For a scale factor s (2, 3 or 4): downscale the clean image by s, "
    "with anti-aliasing, as a camera of lower resolution would record it, and round it to 8 bits "
    "as its file would be (skimage.transform.resize(image, (round(h / s), round(w / s)), order=3, "
    "anti_aliasing=True)); then upscale the result back to exactly (h, w) with a fixed "
    "interpolation, here the same cubic spline (resize(small, (h, w), order=3)), clipped to "
    "[0, 1]. The output is a blurry image of the original size: the same pixels, missing the "
    "detail that the low resolution lost. To train one model for several factors, draw s at "
    "random in every call, as random_motion_blur draws its kernel size.",
    "2. The training patches. Pass this function to train_model with natural images "
    "(sol5_utils.images_for_super_resolution()), as learn_denoising_model does. Two details "
    "matter. load_dataset corrupts a crop three times larger than the patch and then cuts the "
    "patch from it, so the downscaling sees the patch's surroundings and the patch's own border "
    "is not an artificial edge of the resizing; that crop should be a multiple of every factor, "
    "so that the low-resolution grid is exact. And the patch must be several low-resolution "
    "pixels wide, or it holds almost no structure to learn from: 24x24 at s = 4 is only 6x6 "
    "low-resolution pixels, so the patches are 32x32 (a 96x96 crop, a multiple of 2, 3 and 4).",
    "3. Using restore_image. The network never saw a small image: it maps an upscaled image of "
    "size (h, w) to a sharper image of the same size. So a low-resolution image L of size (h, w) "
    "that we want enlarged s times is first upscaled to (s * h, s * w) with the very same "
    "interpolation as in training, and only then restored: "
    "restore_image(upscale(L, (s * h, s * w)), model). restore_image builds a network of the "
    "upscaled image's size with the trained weights (the network is fully convolutional), so "
    "images of any size work. Because the network predicts a residual added to its input, the "
    "result starts from the cubic upscaling and the training teaches it the detail to add; a fair "
    "evaluation therefore compares the restored image with the cubic upscaling alone, on held-out "
    "images downscaled from known originals.",
]


def answer_q2(tasks_summary):
    """Return the text of ``answer_q2.txt``: the recipe, then the measured implementation."""
    lines = textwrap.wrap(Q2_QUESTION, WIDTH)
    for paragraph in Q2_RECIPE:
        lines += [""] + textwrap.wrap(paragraph, WIDTH)
    training = tasks_summary["training"]["super_resolution"]
    settings = training["settings"]
    lines += [""] + textwrap.wrap(
        "This repository implements the recipe with sol5's own functions, unchanged: "
        "sol5lab.training.learn_super_resolution_model() trains one model for the factors "
        f"{', '.join(str(f) for f in settings['factors'])} ({settings['crop_size'][0]}x"
        f"{settings['crop_size'][1]} patches, {settings['num_channels']} channels, 5 blocks, "
        f"{settings['num_epochs']} epochs of {settings['steps_per_epoch']} batches of "
        f"{settings['batch_size']}; {training['training_seconds']:.0f} s on this 2-core CPU), and "
        "sol5lab.inference.super_resolve_image(low_res_image, model, factor) applies it. "
        "sol5lab.experiments.tasks (make tasks) measures it on the held-out photographs; from "
        "results/restoration_tasks.json, mean PSNR / SSIM against the original:",
        WIDTH,
    )
    conditions = tasks_summary["tasks"]["super_resolution"]["conditions"]
    lines.append("")
    for name, scores in conditions.items():
        cubic, model, combined = scores["alternative"], scores["single"], scores["combined"]
        lines.append(
            f"  {name}: cubic upscaling {cubic['psnr']:.2f} dB / {cubic['ssim']:.3f}, the model "
            f"{model['psnr']:.2f} dB / {model['ssim']:.3f} ({model['psnr'] - cubic['psnr']:+.2f} dB), "
            f"the combined model {combined['psnr']:.2f} dB / {combined['ssim']:.3f}"
        )
    images = next(iter(conditions.values()))["images"]
    lines += [""] + textwrap.wrap(
        f"({images} test images; the combined model also removes JPEG artefacts, salt-and-pepper "
        "noise and scratches, see docs/tasks.md.)",
        WIDTH,
    )
    return "\n".join(lines) + "\n"
