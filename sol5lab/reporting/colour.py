"""The colour comparison's report: the table of ``docs/colour.md``."""


def markdown_table(result):
    """Return a row per colour method and noise level: mean PSNR/SSIM, noisy and restored, and time.

    The last rows give each method's mean over every case; the best is marked.
    """
    lines = [
        "| method | condition | colour images | PSNR noisy | PSNR restored | SSIM noisy | SSIM restored "
        "| seconds per image |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for method, measured in result["methods"].items():
        for condition, scores in measured["conditions"].items():
            lines.append(
                f"| {method} | {condition} | {scores['images']} "
                f"| {scores['corrupted']['psnr']:.2f} dB | {scores['restored']['psnr']:.2f} dB "
                f"| {scores['corrupted']['ssim']:.3f} | {scores['restored']['ssim']:.3f} "
                f"| {measured['seconds']:.2f} |"
            )
    for method, measured in result["methods"].items():
        best = " (best)" if method == result["best"] else ""
        mean = measured["mean"]
        lines.append(
            f"| **{method}{best}** | all | {len(result['images'])} | | {mean['psnr']:.2f} dB | "
            f"| {mean['ssim']:.3f} | {measured['seconds']:.2f} |"
        )
    return "\n".join(lines)
