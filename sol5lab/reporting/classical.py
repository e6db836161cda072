"""The classical comparison's report: the table of ``docs/depth.md``, beside the learned models."""


def markdown_table(classical, depth_summary):
    """Return the comparison table of docs/depth.md: per task and condition, the corrupted input, the
    deepest learned model of the depth experiment (mean ± std over seeds) and each classical method.

    Parameters
    ----------
    classical : dict
        The contents of ``results/classical_comparison.json``.
    depth_summary : dict
        The contents of ``results/depth_experiment.json``.
    """
    lines = [
        "| task | corruption | method | PSNR | SSIM | seconds per image |",
        "| --- | --- | --- | ---: | ---: | ---: |",
    ]
    for task, conditions in classical["tasks"].items():
        entry = depth_summary["tasks"][task]
        depth = max(entry["depths"])
        learned = entry["by_depth"][str(depth)]
        seeds = len(learned["seeds"])
        for condition, methods in conditions.items():
            corrupted = entry["corrupted"][condition]
            lines.append(
                f"| {task} | {condition} | corrupted input "
                f"| {corrupted['psnr']:.2f} dB | {corrupted['ssim']:.3f} | |"
            )
            ours = learned["conditions"][condition]
            lines.append(
                f"| {task} | {condition} | learned, {depth} blocks ({seeds} seeds) "
                f"| {ours['psnr']['mean']:.2f} ± {ours['psnr']['std']:.2f} dB "
                f"| {ours['ssim']['mean']:.3f} ± {ours['ssim']['std']:.3f} "
                f"| {learned['restore_seconds_per_image']:.2f} |"
            )
            for method, row in methods.items():
                name = method + (f" ({row['parameter']} {row['value']:g})" if row["parameter"] else "")
                lines.append(
                    f"| {task} | {condition} | {name} | {row['psnr']:.2f} dB | {row['ssim']:.3f} "
                    f"| {row['seconds_per_image']:.2f} |"
                )
    return "\n".join(lines)
