"""The architecture comparison's report: its summary over seeds, the table, the PSNR-against-time
figures, the RED-Net skip sweep's plot, and the page ``docs/architectures.md``."""

import os

import matplotlib.pyplot as plt
import numpy as np

from sol5lab import files
from sol5lab.evaluation import spread, spread_over_seeds


def _group(records):
    """``{task: {label: [records, in seed order]}}``, labels in their first appearance's order."""
    grouped = {}
    for record in records:
        by_label = grouped.setdefault(record["config"]["task"], {})
        by_label.setdefault(record["label"], []).append(record)
    return {
        task: {label: sorted(runs, key=lambda r: r["config"]["seed"]) for label, runs in by_label.items()}
        for task, by_label in grouped.items()
    }


def _entry(records):
    """The statistics over seeds of one network on one task."""
    first = records[0]
    conditions = first["config"]["conditions"]
    by_condition = {condition: spread_over_seeds(records, condition) for condition in conditions}
    return {
        "architecture": first["config"]["architecture"],
        "network": first["config"]["network"],
        "seeds": [record["config"]["seed"] for record in records],
        "parameters": first["speed"]["parameters"],
        "flops_per_pixel": first["speed"]["flops_per_pixel"],
        "train_step_seconds": spread([r["speed"]["train_step_seconds"]["median"] for r in records]),
        "images_per_second": spread([r["speed"]["images_per_second"] for r in records]),
        "training_seconds": spread([r["training_seconds"] for r in records]),
        "epochs": spread([len(r["history"]["val_loss"]) for r in records]),
        "steps": spread([r["curve"][-1]["steps"] for r in records]),
        "policy": first["config"].get("policy", "float32"),
        # the process' CPU time over its wall-clock time: ~1.8 when it had the machine to itself
        "cpu_per_second": spread(
            [r["curve"][-1].get("cpu_seconds", np.nan) / r["curve"][-1]["seconds"] for r in records]
        ),
        "val_mse": spread([r["val_mse"] for r in records]),
        "mean_psnr": spread(
            [np.mean([case["restored"]["psnr"] for case in record["cases"]]) for record in records]
        ),
        "conditions": by_condition,
        "curves": [
            {
                "seed": r["config"]["seed"],
                "seconds": [p["seconds"] for p in r["curve"]],
                "val_psnr": [p["val_psnr"] for p in r["curve"]],
            }
            for r in records
        ],  # fmt: skip
    }


def classical_baselines(comparison, tasks_):
    """The classical methods' held-out scores of ``tasks_``, from the classical comparison.

    Parameters
    ----------
    comparison : dict
        ``results/classical_comparison.json``, or None where it is missing.

    Returns
    -------
    dict
        ``{task: {method: {condition: {"psnr", "ssim"}}}}``; empty without a comparison.
    """
    baselines = {}
    for task in tasks_:
        by_condition = ((comparison or {}).get("tasks") or {}).get(task, {})
        for condition, methods in by_condition.items():
            for method, scores in methods.items():
                baselines.setdefault(task, {}).setdefault(method, {})[condition] = {
                    "psnr": scores["psnr"],
                    "ssim": scores["ssim"],
                }
    return baselines


def summarize(comparison, sweep):
    """Reduce the records to statistics over seeds.

    Parameters
    ----------
    comparison, sweep : list of dict
        The records of :func:`sol5lab.experiments.architectures.run_one`: the comparison's, and
        the RED-Net skip sweep's.

    Returns
    -------
    dict
        ``tasks``: ``{task: {label: entry}}``, each entry with the network's settings,
        ``parameters``, ``flops_per_pixel``, spreads over seeds of ``train_step_seconds``,
        ``images_per_second``, ``training_seconds``, ``epochs``, ``val_mse``, ``mean_psnr`` (over
        every case) and per condition ``psnr``/``ssim``, and the validation ``curves`` against
        time per seed; ``sweep``: the same for the sweep's runs, ``{task: {label: entry}}``.
    """
    return {
        "tasks": {task: {label: _entry(runs) for label, runs in by_label.items()}
                  for task, by_label in _group(comparison).items()},
        "sweep": {task: {label: _entry(runs) for label, runs in by_label.items()}
                  for task, by_label in _group(sweep).items()},
    }  # fmt: skip


def _mean_std(statistics, digits, unit=""):
    """``"mean ± std unit"`` of a :func:`sol5lab.evaluation.spread` (the mean alone, of one value)."""
    if len(statistics["values"]) == 1:
        return f"{statistics['mean']:.{digits}f}{unit}"
    return f"{statistics['mean']:.{digits}f} ± {statistics['std']:.{digits}f}{unit}"


#: How the table names the classical methods of ``results/classical_comparison.json``.
CLASSICAL_NAMES = {
    "BM3D": "BM3D, true sigma (classical)",
    "Wiener": "Wiener, true kernel (classical)",
    "Richardson-Lucy": "Richardson-Lucy, true kernel (classical)",
}


def markdown_table(summary):
    """Return the comparison's table: per task and network, its cost and its held-out PSNR/SSIM
    under each condition (mean ± std over seeds), with the corrupted input and the classical
    methods (true parameters: a bound a blind network is not given) for reference."""
    lines = []
    for task, entries in summary["tasks"].items():
        first = next(iter(entries.values()))
        conditions = list(first["conditions"])
        lines += [
            f"| {task} | parameters | FLOPs / pixel | policy | s / training step | steps trained "
            "| images / s | " + " | ".join(f"{name}: PSNR / SSIM" for name in conditions) + " |",
            "| --- | ---: | ---: | --- | ---: | ---: | ---: | "
            + " | ".join("---:" for _ in conditions)
            + " |",
            "| corrupted input | | | | | | | "
            + " | ".join(
                f"{first['conditions'][name]['corrupted']['psnr']:.2f} dB / "
                f"{first['conditions'][name]['corrupted']['ssim']:.3f}"
                for name in conditions
            )
            + " |",
        ]
        for method, scores in summary.get("classical", {}).get(task, {}).items():
            cells = [
                f"{scores[name]['psnr']:.2f} dB / {scores[name]['ssim']:.3f}" if name in scores else ""
                for name in conditions
            ]
            lines.append(f"| {CLASSICAL_NAMES.get(method, method)} | | | | | | | " + " | ".join(cells) + " |")
        for label, entry in entries.items():
            cells = [
                _mean_std(entry["conditions"][name]["psnr"], 2, " dB")
                + " / "
                + _mean_std(entry["conditions"][name]["ssim"], 3)
                for name in conditions
            ]
            lines.append(
                f"| {label} | {entry['parameters']:,} | {entry['flops_per_pixel'] / 1e3:.0f} k | "
                f"{entry['policy']} | "
                f"{entry['train_step_seconds']['mean']:.3f} | {entry['steps']['mean']:.0f} | "
                f"{entry['images_per_second']['mean']:.1f} | " + " | ".join(cells) + " |"
            )
        lines.append("")
    return "\n".join(lines[:-1])


def headline_table(summary):
    """Return the README's short table: per network, its held-out PSNR on each task (mean over
    every case, mean ± std over seeds) and the steps it trained in the budget, best first by the
    first task, with the classical methods' mean over the same cases."""
    tasks_ = list(summary["tasks"])
    labels = sorted(
        summary["tasks"][tasks_[0]],
        key=lambda label: -summary["tasks"][tasks_[0]][label]["mean_psnr"]["mean"],
    )
    lines = [
        "| network | " + " | ".join(f"{task}: PSNR (steps)" for task in tasks_) + " |",
        "| --- | " + " | ".join("---:" for _ in tasks_) + " |",
    ]
    for label in labels:
        cells = []
        for task in tasks_:
            entry = summary["tasks"][task].get(label)
            cells.append(
                f"{_mean_std(entry['mean_psnr'], 2, ' dB')} ({entry['steps']['mean']:.0f})" if entry else ""
            )
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    for method in sorted(
        {method for task in tasks_ for method in summary.get("classical", {}).get(task, {})}
    ):
        cells = []
        for task in tasks_:
            scores = summary.get("classical", {}).get(task, {}).get(method)
            cells.append(f"{np.mean([score['psnr'] for score in scores.values()]):.2f} dB" if scores else "")
        lines.append(f"| {CLASSICAL_NAMES.get(method, method)} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def plot_psnr_against_time(task, entries, path):
    """Save one task's validation PSNR against training time: a line per network and seed."""
    figure, axis = plt.subplots(figsize=(7, 4.2))
    colors = plt.cm.tab10(np.arange(len(entries)) % 10)
    for (label, entry), color in zip(entries.items(), colors, strict=True):
        for index, curve in enumerate(entry["curves"]):
            axis.plot(
                np.asarray(curve["seconds"]) / 60,
                curve["val_psnr"],
                marker=".",
                color=color,
                alpha=0.9 if index == 0 else 0.5,
                label=label if index == 0 else None,
            )
    axis.set_xlabel("training time (minutes, wall clock)")
    axis.set_ylabel("validation PSNR (dB)")
    axis.set_title(f"{task}: validation PSNR against training time (a line per seed)")
    axis.grid(alpha=0.3)
    axis.legend(fontsize=8)
    figure.tight_layout()
    files.save_figure(figure, path, dpi=110)
    plt.close(figure)


def sweep_points(entries):
    """``{"skips": [(depth, entry)], "no skips": [...]}`` from the sweep's labels, by depth."""
    points = {"skips": [], "no skips": []}
    for entry in entries.values():
        points["skips" if entry["network"]["skips"] else "no skips"].append(
            (entry["network"]["num_layers"], entry)
        )
    return {key: sorted(values, key=lambda pair: pair[0]) for key, values in points.items()}


def plot_skip_sweep(sweep, path):
    """Save RED-Net's held-out PSNR (mean over every case, mean ± std over seeds) against its
    depth, with and without skips, a panel per task."""
    figure, axes = plt.subplots(1, len(sweep), figsize=(5.5 * len(sweep), 4), squeeze=False)
    for axis, (task, entries) in zip(axes[0], sweep.items(), strict=True):
        for key, pairs in sweep_points(entries).items():
            if pairs:
                depths = [depth for depth, _ in pairs]
                axis.errorbar(
                    depths,
                    [entry["mean_psnr"]["mean"] for _, entry in pairs],
                    yerr=[entry["mean_psnr"]["std"] for _, entry in pairs],
                    marker="o",
                    capsize=4,
                    label=key,
                )
        axis.set_xticks(sorted({depth for pairs in sweep_points(entries).values() for depth, _ in pairs}))
        axis.set_xlabel("encoder layers (as many in the decoder)")
        axis.set_ylabel("held-out PSNR, mean over cases (dB)")
        axis.set_title(f"{task}: RED-Net with and without skips")
        axis.grid(alpha=0.3)
        axis.legend(fontsize=8)
    figure.tight_layout()
    files.save_figure(figure, path, dpi=110)
    plt.close(figure)


def plot_all(summary, stem):
    """Draw every figure beside ``stem`` (``results/architectures``, or its quick variant);
    return their paths, ``{name: path}``."""
    paths = {}
    for task, entries in summary["tasks"].items():
        paths[f"psnr against time, {task}"] = f"{stem}_{task}_psnr_time.png"
        plot_psnr_against_time(task, entries, paths[f"psnr against time, {task}"])
    if summary["sweep"]:
        paths["RED-Net skips"] = f"{stem}_rednet_skips.png"
        plot_skip_sweep(summary["sweep"], paths["RED-Net skips"])
    return paths


#: The page's hand-written section: :func:`markdown_page` keeps it from the page it replaces.
READING_HEADING = "## What the numbers say"


def reading_section(page):
    """The hand-written part of a page, from :data:`READING_HEADING` to its end ("" if none)."""
    return page[page.index(READING_HEADING) :] if READING_HEADING in page else ""


def markdown_page(summary, figures, docs_dir, reading=""):
    """Return the page ``docs/architectures.md``: how the comparison was run, its table, the
    figures (linked relative to ``docs_dir``), the sweep's numbers, then ``reading``, the
    hand-written section the previous page had (:func:`reading_section`)."""
    budget = summary["budget_seconds"] / 60
    shares = [
        value
        for group in ("tasks", "sweep")
        for entries in summary[group].values()
        for entry in entries.values()
        for value in entry["cpu_per_second"]["values"]
    ]
    lines = [
        "# The seeds' architectures at an equal budget",
        "",
        f"Written by `{summary['command']}` ({summary['backend']} backend) from the records in",
        "`results/architectures/` (the summary: `results/architectures.json`). Every network trained",
        "on the task's patches, batch and corruption for "
        f"{budget:g} minutes of wall-clock time on this machine ({summary['machine']['usable_cpus']} CPU",
        "cores), under mixed_bfloat16 where its training step",
        "measured at least 1.3 times faster than in float32 (the precision trial's rule; the policy",
        "column), then restored the held-out cases of the task's protocol with `sol5.restore_image`.",
        "Mean ± std over the seeds; the cost columns are medians: a training step at the task's batch,",
        f"and images of {summary['speed_image_side']}x{summary['speed_image_side']} pixels restored per "
        "second.",
        "The classical rows (`results/classical_comparison.json`) are given the true noise level or",
        "blur kernel, which the networks are not. While training, the runs used "
        f"{min(shares):.2f} to {max(shares):.2f} CPU-seconds per",
        "wall-clock second (each run's is in its record): near the top when a run had the machine",
        "to itself, lower when it shared it.",
        "",
        markdown_table(summary),
        "",
    ]
    for name, path in figures.items():
        lines += [f"![{name}]({os.path.relpath(path, docs_dir)})", ""]
    if summary["sweep"]:
        lines += [
            f"RED-Net with and without skips ({summary['sweep_budget_seconds'] / 60:g} minutes each), "
            "held-out PSNR, mean over every case:",
            "",
            "| task | layers | skips | no skips |",
            "| --- | ---: | ---: | ---: |",
        ]
        for task, entries in summary["sweep"].items():
            points = sweep_points(entries)
            by_depth = {key: dict(pairs) for key, pairs in points.items()}
            for depth in sorted(set(by_depth["skips"]) | set(by_depth["no skips"])):
                cells = [
                    _mean_std(by_depth[key][depth]["mean_psnr"], 2, " dB") if depth in by_depth[key] else ""
                    for key in ("skips", "no skips")
                ]
                lines.append(f"| {task} | {depth} | " + " | ".join(cells) + " |")
        lines.append("")
    if reading:
        lines += [reading.rstrip(), ""]
    return "\n".join(lines)
