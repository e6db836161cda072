"""The demo's report: a figure per task and the README's table."""

import matplotlib.pyplot as plt

import sol5
from sol5lab import files, tasks
from sol5lab.evaluation import image_quality

#: Rows shown in each task's figure: the first images under the protocol's middle condition.
FIGURE_ROWS = 4


def plot(task, cases, model, path):
    """Save the figure of one task: a row per image, corrupted | restored | clean."""
    conditions = tasks.TASKS[task].conditions
    middle = conditions[len(conditions) // 2]["name"]
    shown = [case for case in cases if case["condition"] == middle][:FIGURE_ROWS]
    figure, axes = plt.subplots(len(shown), 3, figsize=(9, 3 * len(shown)), squeeze=False)
    for row_axes, case in zip(axes, shown, strict=True):
        restored = sol5.restore_image(case["corrupted"], model)
        panels = ((case["corrupted"], "corrupted"), (restored, "restored"), (case["clean"], "clean"))
        for axis, (image, title) in zip(row_axes, panels, strict=True):
            if title == "clean":
                title += f" ({case['image']})"
            else:
                quality = image_quality(case["clean"], image)
                title += f"\nPSNR {quality['psnr']:.2f} dB, SSIM {quality['ssim']:.3f}"
            axis.imshow(image, cmap="gray", vmin=0, vmax=1, interpolation="nearest")
            axis.set_title(title, fontsize=9)
            axis.axis("off")
    figure.suptitle(f"{task}: {middle} (held-out images)")
    figure.tight_layout()
    files.save_figure(figure, path, dpi=100)
    plt.close(figure)


def markdown_table(summary):
    """Return the README's table of mean PSNR/SSIM per condition and training time."""
    lines = [
        "| task | condition | test images | PSNR corrupted | PSNR restored | SSIM corrupted "
        "| SSIM restored | training |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for task, result in summary["tasks"].items():
        for condition, scores in result["conditions"].items():
            lines.append(
                f"| {task} | {condition} | {scores['images']} "
                f"| {scores['corrupted']['psnr']:.2f} dB | {scores['restored']['psnr']:.2f} dB "
                f"| {scores['corrupted']['ssim']:.3f} | {scores['restored']['ssim']:.3f} "
                f"| {result['training']['training_seconds']:.0f} s |"
            )
    return "\n".join(lines)
