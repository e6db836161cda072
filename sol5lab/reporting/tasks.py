"""The task comparison's report: its summary, the table of ``docs/tasks.md`` and the examples
figure."""

import matplotlib.pyplot as plt
import numpy as np

from sol5lab import files, inference, protocols, tasks
from sol5lab.evaluation import image_quality, mean_quality


def summarize(records, trainings):
    """Mean quality per task and condition of each method, and each model's training record."""
    summary = {"tasks": {}, "training": {}}
    for task, record in records.items():
        conditions = {}
        for condition in tasks.TASKS[task].conditions:
            rows = [row for row in record["cases"] if row["condition"] == condition["name"]]
            methods = [key for key in ("corrupted", "alternative", "single", "combined") if key in rows[0]]
            conditions[condition["name"]] = {
                "images": len(rows),
                **{method: mean_quality([row[method] for row in rows]) for method in methods},
            }
        summary["tasks"][task] = {"alternative": tasks.TASKS[task].alternative, "conditions": conditions}
    for name, training in trainings.items():
        summary["training"][name] = {
            "training_seconds": training["training_seconds"],
            "val_mse": training["history"]["val_loss"][-1],
            "settings": training["config"]["settings"],
        }
    return summary


def markdown_table(summary):
    """Return the table of docs/tasks.md: PSNR / SSIM of the input, the alternative and both models."""
    lines = [
        "| task | condition | input | alternative | alternative's result | single-task model "
        "| combined model |",
        "| --- | --- | ---: | --- | ---: | ---: | ---: |",
    ]

    def cell(quality):
        return f"{quality['psnr']:.2f} dB / {quality['ssim']:.3f}"

    for task, row in summary["tasks"].items():
        for condition, scores in row["conditions"].items():
            corrupted = cell(scores["corrupted"]) if "corrupted" in scores else "(low resolution)"
            best = max(("alternative", "single", "combined"), key=lambda key: scores[key]["psnr"])
            cells = {key: cell(scores[key]) for key in ("alternative", "single", "combined")}
            cells[best] = f"**{cells[best]}**"
            lines.append(
                f"| {task.replace('_', ' ')} | {condition} | {corrupted} | {row['alternative']} "
                f"| {cells['alternative']} | {cells['single']} | {cells['combined']} |"
            )
    return "\n".join(lines)


def _shown_input(task, case):
    """The input as a picture of the clean image's size: a low-resolution image is enlarged with
    nearest neighbours, so that its pixels show."""
    if task != "super_resolution":
        return case["corrupted"]
    factor = case["parameters"]["factor"]
    return np.kron(case["corrupted"], np.ones((factor, factor)))[
        : case["clean"].shape[0], : case["clean"].shape[1]
    ]


def plot_examples(models, path, *, window=128, max_side=None):
    """One row per task: a window of the first test image under the task's middle condition,
    input | alternative | single-task model | combined model | clean, with whole-image PSNRs.
    ``max_side`` restores only the image's central window of that side, as the run scored it."""
    compared = tasks.COMPARED_TASKS
    figure, axes = plt.subplots(len(compared), 5, figsize=(12, 2.8 * len(compared)))
    for axes_row, task in zip(axes, compared, strict=True):
        conditions = tasks.TASKS[task].conditions
        middle = conditions[len(conditions) // 2]
        cases = protocols.cases(task, max_images=1, max_side=max_side)
        case = next(case for case in cases if case["parameters"] == middle)
        clean = case["clean"]
        top, left = (max(0, side - window) // 2 for side in clean.shape)
        panels = [
            (f"{task.replace('_', ' ')}, {middle['name']}", _shown_input(task, case)),
            (tasks.TASKS[task].alternative, case["alternative"]),
            ("single-task model", inference.restore_with(task, models[task], case["corrupted"], middle)),
            ("combined model", inference.restore_with(task, models["combined"], case["corrupted"], middle)),
        ]
        panels = [
            (f"{title}\n{image_quality(clean, image)['psnr']:.2f} dB", image) for title, image in panels
        ]
        if task == "super_resolution":
            panels[0] = (panels[0][0].split("\n")[0] + "\n(low resolution)", panels[0][1])
        for axis, (title, image) in zip(axes_row, [*panels, ("clean", clean)], strict=True):
            axis.imshow(image[top : top + window, left : left + window], cmap="gray", vmin=0, vmax=1)
            axis.set_title(title, fontsize=8)
            axis.axis("off")
    figure.suptitle(
        f"Restoration tasks: the central {window}x{window} window of {case['image']}, whole-image PSNR"
    )
    figure.tight_layout()
    files.save_figure(figure, path, dpi=100)
    plt.close(figure)
