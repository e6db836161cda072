"""The benchmark's report: a row per figure with its target, as a markdown table
(``docs/performance.md``)."""


def _row(what, unit, value, *, share=None, target="", met=None):
    """One row of the table: ``value`` is a summary or a single figure; ``met`` None for no target."""
    return {"what": what, "unit": unit, "value": value, "share": share, "target": target, "met": met}


#: What makes two machines' figures incomparable (``sol5lab.timing.machine_info``'s keys).
MACHINE_KEYS = ("cpu_count", "usable_cpus", "cpu_model", "cpu_flags", "keras_backend", "packages")


def machine_label(machine):
    """``machine`` (``sol5lab.timing.machine_info``) in a few words: its CPU, cores and vector
    flags, e.g. ``"AMD EPYC, 2 cores, avx2 fma"``."""
    flags = " ".join(flag for flag, present in machine["cpu_flags"].items() if present)
    return f"{machine['cpu_model']}, {machine['cpu_count']} cores, {flags or 'no listed vector flags'}"


def elsewhere(result, section, machine=None):
    """The suffix of a ``section``'s rows when ``benchmark --only`` measured it on another
    machine than the whole run's: ``" (on <machine_label>)"``; empty otherwise. ``machine``,
    where given, is the rows' own (a shipped model timed alone), else the section's."""
    machine = machine or (result.get("section_machines") or {}).get(section)
    if machine is None or all(machine.get(key) == result["machine"].get(key) for key in MACHINE_KEYS):
        return ""
    return f" (on {machine_label(machine)})"


def enlargement(result, photo):
    """How many times a shipped model enlarges its input, each way: the run's photograph
    (``budget["photo_shape"]``) over the one the model was given (``photo["size"]``), which is
    that photograph made smaller for a super-resolution model and the photograph itself for the
    others.

    Returns
    -------
    int
        1 for a model that keeps the size.
    """
    return result["budget"]["photo_shape"][0] // photo["size"][0]


def table_rows(result):
    """Return the table's rows (see :func:`_row`), in the order of the run; the rows of a
    section measured on another machine say which (:func:`elsewhere`)."""
    targets = result["targets"]
    matmul = result["matmul"]
    rows = [
        _row(
            f"matmul {matmul['size']}x{matmul['size']} float32",
            "GFLOP/s",
            matmul["gflops"],
            share=1.0,
            target="reference",
        )
    ]
    step_target = targets["training_step_vs_matmul"]
    for task, step in result["training_step"].items():
        where = f"training step, {task}, batch {step['batch_size']}"
        rows += [
            _row(where, "s", step["seconds"]),
            _row(where, "samples/s", step["samples_per_second"]),
            _row(
                where,
                "GFLOP/s",
                step["gflops"],
                share=step["vs_matmul"],
                target=f">= {step_target:.0%} of matmul",
                met=step["vs_matmul"] >= step_target,
            ),
        ]
    for task, loading in result["data_loading"].items():
        rows.append(
            _row(
                f"load_dataset, {task}, batch {loading['batch_size']}",
                "batches/s",
                loading["batches_per_second"],
            )
        )
    wait_target, teardown_limit = targets["data_wait_share"], targets["teardown_seconds"]
    for task, wait in result["data_wait"].items():
        steps, teardowns = wait["step_seconds"], wait["teardown_seconds"]
        rows += [
            _row(f"step in fit, {task}, fed load_dataset", "s", steps["real"]),
            _row(f"step in fit, {task}, fed one constant batch", "s", steps["constant"]),
            _row(f"step in fit, {task}, fed load_dataset cast to float32", "s", steps["real_float32"]),
            _row(
                f"float64 batches' cost to a step in fit, {task}",
                "share",
                wait["float64_cost"],
                target=f"< {targets['float64_cost']:.0%}",
                met=wait["float64_cost"]["median"] < targets["float64_cost"],
            ),
            _row(
                f"waiting for data in fit, {task}",
                "share",
                wait["share"],
                target=f"< {wait_target:.0%}",
                met=wait["share"]["median"] < wait_target,
            ),
            _row(
                f"fit's teardown, {task}, as train_model feeds it",
                "s",
                teardowns["library"],
                target=f"< {teardown_limit:g} s",
                met=teardowns["library"]["max"] < teardown_limit,
            ),
            _row(f"fit's teardown, {task}, fed the bare generator", "s", teardowns["plain_generator"]),
        ]
    limit = targets["quick_mode_seconds"]
    for task, quick in result["quick_mode"].items():
        for call in ("first", "second"):
            seconds = quick[f"{call}_call_seconds"]
            rows.append(
                _row(
                    f"quick mode, {task}, {call} call",
                    "s",
                    seconds,
                    target=f"≤ {limit:g} s",
                    met=seconds["median"] <= limit,
                )
            )
    restore_target, from_size = targets["restore_vs_matmul"], targets["restore_vs_matmul_from_size"]
    for row in result["restore_image"]:
        name = f"restore_image {row['size'][0]}x{row['size'][1]}"
        first, repeated = row["first_call_seconds"], row["repeated_call_seconds"]
        judged = row["size"][0] >= from_size
        rows += [
            _row(f"{name}, first call", "s", first),
            _row(
                f"{name}, repeated call",
                "s",
                repeated,
                target="<= first call",
                met=repeated["median"] <= first["median"],
            ),
            _row(
                f"{name}, repeated call",
                "GFLOP/s",
                row["gflops"],
                share=row["vs_matmul"],
                target=f">= {restore_target:.0%} of matmul" if judged else "",
                met=row["vs_matmul"] >= restore_target if judged else None,
            ),
            _row(f"{name}, peak memory", "MB", row["memory"]["peak_above_start_mb"]),
        ]
    tiled, check = result["tiling"]["tiled"], result["tiling"]["check"]
    name = f"restore_image {tiled['size'][0]}x{tiled['size'][1]} in {tiled['tiles']} tiles"
    rows += [
        _row(name, "s", tiled["seconds"]),
        _row(name, "GFLOP/s", tiled["gflops"], share=tiled["vs_matmul"]),
        _row(f"{name}, peak memory", "MB", tiled["memory"]["peak_above_start_mb"]),
        _row(
            f"tiled against whole, {check['size'][0]}x{check['size'][1]} in {check['tiles']} tiles",
            "max abs difference",
            check["max_abs_difference"],
            target=f"<= {check['tolerance']:g}",
            met=check["within_tolerance"],
        ),
    ]
    prior = result["deep_prior"]
    size = f"{prior['size'][0]}x{prior['size'][1]}"
    rows.append(
        _row(f"deep_prior_restore_image {size}, {prior['num_iterations']} steps", "s", prior["seconds"])
    )
    mixed = result["mixed_precision"]
    for policy, seconds in mixed["seconds"].items():
        rows.append(_row(f"training step, {mixed['task']}, {policy}", "s", seconds))
    rows.append(_row("mixed_bfloat16 speed-up over float32", "x", mixed["speedup"]))
    rows += [
        {**row, "what": row["what"] + elsewhere(result, "architectures")}
        for row in architecture_rows(result.get("architectures"), targets.get("architectures_vs_matmul"))
    ]
    photo = result.get("photo")
    if photo is not None:
        height, width = photo["size"]
        name = f"sol5lab restore, {photo['megapixels']:.1f}-megapixel colour photograph ({width}x{height})"
        name += elsewhere(result, "photo")
        limit = targets["photo_peak_mb"]
        rows += [
            _row(f"{name}, {photo['tiles']} tiles", "s", photo["seconds"]),
            _row(f"{name}, peak memory above Keras' start", "MB", photo["peak_above_start_mb"]),
            _row(
                f"{name}, the process's peak, Keras included",
                "MB",
                photo["process_peak_mb"],
                target=f"≤ {limit:g} MB",
                met=photo["process_peak_mb"]["max"] <= limit,
            ),
        ]
    for task, shipped in (result.get("shipped") or {}).items():
        side, photo = shipped["image_side"], shipped["photo"]
        height, width = photo["size"]
        factor = enlargement(result, photo)
        model = f"shipped {task} model{elsewhere(result, 'shipped', shipped.get('machine'))}"
        image = f"{side // factor}x{side // factor} image"
        photograph = f"{width}x{height} colour photograph"
        if factor > 1:
            image += f" enlarged {factor}x to {side}x{side}"
            photograph += f", enlarged {factor}x to {width * factor}x{height * factor}"
        rows.append(_row(f"{model}, {image}", "s", shipped["seconds"]))
        if shipped.get("float32_seconds"):
            # the same weights in float32, sol5lab.pretrained(task, "float32") (absent from older runs)
            rows.append(_row(f"{model}, {image}, in float32", "s", shipped["float32_seconds"]))
        rows += [
            _row(f"{model}, sol5lab restore of a {photograph}", "s", photo["seconds"]),
            _row(f"{model}, that command's peak, Keras included", "MB", photo["process_peak_mb"],
                 target=f"≤ {targets['photo_peak_mb']:g} MB",
                 met=photo["process_peak_mb"]["max"] <= targets["photo_peak_mb"]),
        ]  # fmt: skip
    for task, timing in (result["full_training"] or {}).items():
        rows += [
            _row(f"full learn_{task}_model()", "s", timing["seconds"]),
            _row(
                f"full learn_{task}_model(), fit fed the bare generator",
                "s",
                timing["bare_generator_seconds"],
            ),
        ]
    return rows


#: The networks whose training step is depthwise convolutions and element-wise products as much
#: as dense convolutions: the matrix-product rate is not their limit, so no target applies.
NOT_CONVOLUTION_HEAVY = ("lka_resnet",)


def architecture_rows(section, target):
    """The rows of the networks' training steps: each policy's GFLOP/s as a share of the
    matrix-product rate of its dtype, with ``target`` for the convolution-heavy networks under
    bfloat16 (none when ``section`` is None: a run from before the section existed)."""
    if section is None:
        return []
    rows = [
        _row(f"matmul {rate['size']}x{rate['size']} {dtype}", "GFLOP/s", rate["gflops"])
        for dtype, rate in section["matmul"].items()
    ]
    for task, by_network in section["steps"].items():
        for network, by_policy in by_network.items():
            for policy, step in by_policy.items():
                heavy = policy == "mixed_bfloat16" and network not in NOT_CONVOLUTION_HEAVY
                rows.append(
                    _row(
                        f"training step, {task}, {network}, {policy}",
                        "GFLOP/s",
                        step["gflops"],
                        share=step["vs_matmul"],
                        target=f"≥ {target:.0%} of bfloat16 matmul" if heavy else "",
                        met=step["vs_matmul"] >= target if heavy else None,
                    )
                )
    return rows


def _number(value, unit):
    if value is None:
        return ""
    if unit == "share":
        return f"{value:.1%}"
    if unit == "max abs difference":
        return f"{value:.1e}"
    return f"{value:.3g}" if abs(value) < 100 else f"{value:.0f}"


def markdown_table(result):
    """Return the figures as a markdown table: median, min, max, repetitions, share, target."""
    lines = [
        "| measurement | unit | median | min | max | n | of matmul | target | met |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    for row in table_rows(result):
        value, unit = row["value"], row["unit"]
        if isinstance(value, dict):
            cells = [_number(value[key], unit) for key in ("median", "min", "max")] + [str(value["repeats"])]
        else:  # a single figure
            cells = [_number(value, unit), "", "", "" if value is None else "1"]
        share = "" if row["share"] is None else f"{row['share']:.0%}"
        met = "" if row["met"] is None else ("yes" if row["met"] else "no")
        lines.append(f"| {row['what']} | {unit} | {' | '.join(cells)} | {share} | {row['target']} | {met} |")
    return "\n".join(lines)
