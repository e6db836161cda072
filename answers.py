"""``answer_q1.txt``, written from the committed results of the depth experiment.

Every number in the answer is read from ``results/depth_experiment.json`` here, and every
statement about a trend (monotone or not, larger than the spread across seeds or not) is decided
from those numbers, so the answer cannot drift from the results. The observations about the
figures are prose, in :data:`OBSERVATIONS`.

Run ``python answers.py`` (``make plots`` runs it after the experiment).
"""

import os
import sys
import textwrap

import numpy as np

import artifacts
import sol5_utils

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
        "Every number below is read from results/depth_experiment.json by answers.py; `make plots` "
        "reruns the experiment and rewrites both. Each model was trained with the assignment's own "
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


def main(argv=None):
    """Write answer_q1.txt from results/depth_experiment.json."""
    results = sol5_utils.relpath(os.path.join("results", "depth_experiment.json"))
    target = sol5_utils.relpath("answer_q1.txt")
    text = answer_q1(artifacts.read_json(results))
    with artifacts.atomic_path(target) as temporary, open(temporary, "w", encoding="utf-8") as file:
        file.write(text)
    print(text)


if __name__ == "__main__":
    main(sys.argv[1:])
