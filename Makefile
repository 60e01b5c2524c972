# qroad — every target bootstraps .venv itself, so each is the only command a newcomer needs.
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
PYTEST_ARGS ?=

.PHONY: install run test screenshots ui bench lint clean

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# The main job: the UK Quantum Network under the early, mid and late technology timelines,
# compared side by side, an offline HTML report, and the physics curves behind the capacities.
MAIN_SCENARIO ?= scenarios/uk-quantum-network.yaml
MAIN_NAME     ?= uk-quantum-network
RESULTS       ?= results

run: $(STAMP)
	for t in early mid late; do \
		$(VENV)/bin/qroad run $(MAIN_SCENARIO) --timeline $$t --out $(RESULTS) --overwrite; \
		rc=$$?; [ $$rc -le 1 ] || exit $$rc; \
	done
	$(VENV)/bin/qroad compare $(RESULTS)/$(MAIN_NAME)-early $(RESULTS)/$(MAIN_NAME)-mid \
		$(RESULTS)/$(MAIN_NAME)-late
	$(VENV)/bin/qroad report $(RESULTS)/$(MAIN_NAME)-early $(RESULTS)/$(MAIN_NAME)-mid \
		$(RESULTS)/$(MAIN_NAME)-late --out $(RESULTS)/$(MAIN_NAME)-report.html
	$(VENV)/bin/qroad rates --timeline mid --year 2035 --distance-km 0:600:5 \
		--out $(RESULTS)/rates.parquet --plot $(RESULTS)/rates.png

# scripts/ensure-browser.sh installs Debian's chromium + chromium-driver for the browser test
# when they are missing (as root with apt-get; never fails: the test then says why).
test: $(STAMP)
	@sh scripts/ensure-browser.sh
	$(PY) -m pytest -q -n 2 $(PYTEST_ARGS)

# The README's screenshot of the Compare page (docs/screenshots/compare.png), from the browser
# test; `make test` runs the same test but keeps its screenshot in a temporary folder.
screenshots: $(STAMP)
	@sh scripts/ensure-browser.sh
	QROAD_SCREENSHOT_DIR=docs/screenshots $(PY) -m pytest -q tests/ui/test_browser.py

ui: $(STAMP)
	$(VENV)/bin/streamlit run ui/app.py

# Benchmarks (never part of `make test`; figures go to docs/benchmarks*.md). The model suite
# takes about 2 x 120 s + 1 min per instance; `make bench LARGE=1` adds gabriel-100 (rolling,
# 300 s), gabriel-200 and the 852-site Europe backbone (decomposed, 30 min each): ~1.5 h more.
bench: $(STAMP)
	$(PY) bench/bench_physics.py
	$(PY) bench/bench_sweep.py
	$(PY) bench/bench_model.py --plot docs/img/bench-model.png $(if $(LARGE),--large,)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
