# qroad — every target bootstraps .venv itself, so each is the only command a newcomer needs.
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
PYTEST_ARGS ?=

.PHONY: install run test ui bench lint clean

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(VENV)/bin/qroad rates --models decoy_bb84,mdi_qkd,tf_qkd,cv_qkd --distance-km 0:600:5 \
		--out results/rates.parquet --plot results/rates.png

test: $(STAMP)
	$(PY) -m pytest -q -n 2 $(PYTEST_ARGS)

ui: $(STAMP)
	$(VENV)/bin/streamlit run ui/app.py

bench: $(STAMP)
	$(PY) bench/bench_physics.py

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
