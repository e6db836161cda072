"""Tables and figures: each study's report, drawn from the results its experiment wrote.

One module per study (``demo``, ``depth``, ``classical``, ``tasks``, ``deep_prior``, ``benchmark``,
``answers``): its summaries, markdown tables and figures. The experiments
(:mod:`sol5lab.experiments`) run and write; these read and show.
"""
