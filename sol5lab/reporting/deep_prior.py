"""The Deep Image Prior study's report: its tables (``docs/deep_prior.md``) and figures."""

import matplotlib.pyplot as plt
import numpy as np

from sol5lab import files


def variants_table(variants):
    """Return the table of the variants (docs/deep_prior.md)."""
    lines = [
        "| variant | best mean PSNR | at step | seconds per run (median) |",
        "| --- | ---: | ---: | ---: |",
    ]
    for name, row in variants.items():
        lines.append(
            f"| {name} | {row['best_mean_psnr']:.2f} dB | {row['best_step']} "
            f"| {row['seconds_median']:.0f} s |"
        )
    return "\n".join(lines)


def markdown_table(result):
    """Return the two deep-prior tables of docs/deep_prior.md, denoising and inpainting."""
    denoising = result["denoising"]
    lines = [
        f"| 64x64 crops, sigma 25/255 ({len(denoising['images'])} images) | PSNR | SSIM |",
        "| --- | ---: | ---: |",
    ]
    names = {
        "noisy": "noisy input",
        "deep prior": f"deep prior, {denoising['num_iterations']} steps "
        f"(median {denoising['deep_prior_seconds_median']:.0f} s)",
        "learned": "learned denoiser (`learn_denoising_model`)",
        "BM3D": "BM3D, given the true sigma",
    }
    for method, label in names.items():
        quality = denoising["mean"][method]
        lines.append(f"| {label} | {quality['psnr']:.2f} dB | {quality['ssim']:.3f} |")
    lines += [
        "",
        "| 10% scratched | crops | PSNR in scratches, deep prior (steps, median time) "
        "| best of its curve (at step) | PSNR in scratches, biharmonic |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for size, row in result["inpainting"].items():
        lines.append(
            f"| {size}x{size} | {len(row['images'])} | {row['deep_prior_hole_psnr']:.2f} dB "
            f"({row['num_iterations']} steps, {row['deep_prior_seconds_median']:.0f} s) "
            f"| {row['best_deep_prior_hole_psnr']:.2f} dB ({row['best_step']}) "
            f"| {row['biharmonic_hole_psnr']:.2f} dB |"
        )
    return "\n".join(lines)


def plot_curves(curves, budget, inpainting, path, *, seed):
    """Left: denoising PSNR against step for each crop, the mean and the chosen budget. Right: the
    mean PSNR inside the scratches against step for each inpainting size, beside biharmonic."""
    figure, (left, right) = plt.subplots(1, 2, figsize=(12, 4.4))
    steps = curves["iterations"]
    for image in curves["images"]:
        left.plot(steps, image["psnr"], alpha=0.6, label=image["name"])
    left.plot(
        steps,
        np.mean([image["psnr"] for image in curves["images"]], axis=0),
        color="black",
        lw=2,
        label="mean",
    )
    left.axvline(
        budget["num_iterations"], color="red", ls="--", label=f"budget: {budget['num_iterations']} steps"
    )
    left.set_title(f"denoising 64x64 crops, sigma 25/255 (seed {seed})", fontsize=10)
    left.set_ylabel("PSNR against the clean crop (dB)")
    for (size, summary), color in zip(inpainting.items(), ("C0", "C1"), strict=False):
        label = f"{size}x{size}, {len(summary['images'])} crops"
        right.plot(
            summary["iterations"], summary["mean_psnr"], color=color, lw=2, label=f"deep prior, {label}"
        )
        right.axhline(summary["biharmonic_hole_psnr"], color=color, ls=":", label=f"biharmonic, {label}")
    right.axvline(
        budget["inpainting_iterations"],
        color="red",
        ls="--",
        label=f"budget: {budget['inpainting_iterations']} steps",
    )
    right.set_title("inpainting, 10% scratched: mean over the crops", fontsize=10)
    right.set_ylabel("PSNR inside the scratches (dB)")
    for axis in (left, right):
        axis.set_xlabel("optimisation step")
        axis.grid(alpha=0.3)
        axis.legend(fontsize=8)
    figure.suptitle("Deep Image Prior: when to stop")
    figure.tight_layout()
    files.save_figure(figure, path, dpi=110)
    plt.close(figure)


def plot_examples(denoising_row, inpainting_row, inpainting_psnr, path):
    """One denoising row (noisy | deep prior | learned | BM3D | clean) and one inpainting row,
    the deep prior's fill being ``inpainting_row["images"]["deep prior"]`` with PSNR
    ``inpainting_psnr`` inside the scratches."""
    figure, axes = plt.subplots(2, 5, figsize=(12, 6.2))
    panels = [
        (f"{key}\n{denoising_row[key]['psnr']:.2f} dB", denoising_row["outputs"][key])
        for key in ("noisy", "deep prior", "learned", "BM3D")
    ] + [("clean", denoising_row["clean"])]
    images = inpainting_row["images"]
    panels += [
        ("scratched (black)", images["scratched"]),
        (f"deep prior\n{inpainting_psnr:.2f} dB in scratches", images["deep prior"]),
        (f"biharmonic\n{inpainting_row['biharmonic_hole_psnr']:.2f} dB in scratches", images["biharmonic"]),
        ("clean", images["clean"]),
    ]
    for axis, (title, image) in zip(axes.ravel(), panels, strict=False):
        axis.imshow(image, cmap="gray", vmin=0, vmax=1, interpolation="nearest")
        axis.set_title(title, fontsize=9)
    for axis in axes.ravel():
        axis.axis("off")
    figure.suptitle(
        f"Deep Image Prior: denoising {denoising_row['name']} (64x64, sigma 25/255) and inpainting "
        f"{inpainting_row['name']} ({inpainting_row['size']}x{inpainting_row['size']}, 10% scratched)",
        fontsize=10,
    )
    figure.tight_layout(h_pad=2.0)
    files.save_figure(figure, path, dpi=110)
    plt.close(figure)
