"""``qroad hedge``: one plan for the years before a commit year, hedged across timelines
(docs/hedge.md). ``futures`` parses the command's inputs, ``sampled`` turns a sweep's
samples into futures (``--from-sweep``), ``run`` prepares and solves (``optimizer.hedge``),
``store`` writes and reads the folder, ``charts`` draws it."""
