"""Solving a built model: the one HiGHS runner, the time budget, the heuristic stages and
the strategies (docs/model.md, "Solving").

This package's ``__init__`` imports nothing, so ``optimizer.solving.options`` (the
options, results and strategy names) loads without Pyomo or HiGHS.

- ``options``: ``SolveOptions``, ``SolveResult``, ``STRATEGIES``, the "has a plan" rule;
- ``budget``: every stage's share of the time limit, stated once;
- ``highs_run``: ``HighsRun``, the only place that runs HiGHS;
- ``warmstart``, ``repair``: relax, round, fix and repair plans in a model;
- ``plans``: hold a plan in a model, copy it between models, evaluate it without a solver;
- ``exact``, ``rolling``, ``decomposed``: the strategies; ``strategies`` their registry.
"""
