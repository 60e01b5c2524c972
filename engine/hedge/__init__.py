"""``qroad hedge``: one plan for the years before a commit year, hedged across timelines
(docs/hedge.md). ``futures`` parses the command's inputs, ``run`` prepares and solves
(``optimizer.hedge``), ``store`` writes and reads the folder, ``charts`` draws it."""
