# Dossier: `make demo` and `make test` are all a new user needs.
PY ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO := demo-out

.PHONY: install browser demo test lint bench bench-clean bench-stories bench-time bench-quantities bench-actors bench-events bench-explore lock clean

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes \
		-r requirements.txt -r requirements-dev.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $@

install: $(STAMP)

demo: install
	@rm -rf $(DEMO) && mkdir -p $(DEMO)
	$(BIN)/dossier ingest examples --db $(DEMO)/dossier.db
	$(BIN)/dossier export $(DEMO)/export --db $(DEMO)/dossier.db
	$(BIN)/dossier stats --db $(DEMO)/dossier.db
	@echo
	@echo "store:   $(DEMO)/dossier.db    (try: $(BIN)/dossier show <id> --db $(DEMO)/dossier.db)"
	@echo "exports: $(DEMO)/export/       (manifest.json and the JSON Lines files of spec/export.md)"
	@echo "explore: $(BIN)/dossier serve --db $(DEMO)/dossier.db     (web app on http://127.0.0.1:8000)"
	@echo "         $(BIN)/dossier events --db $(DEMO)/dossier.db    (also: entities, timeline, search, ask, datasette)"

# Debian's chromium for the browser tests (Playwright drives it; no browser is downloaded by Playwright itself).
CHROMIUM ?= /usr/bin/chromium
browser:
	@test -x $(CHROMIUM) || { echo "installing Debian's chromium for the browser tests"; \
		$$(command -v sudo) apt-get update -qq && $$(command -v sudo) apt-get install -y -qq --no-install-recommends chromium >/dev/null; }

lint: install
	$(BIN)/ruff check .

test: lint browser
	$(BIN)/python -m pytest -q

bench: install
	$(BIN)/python bench/ingest_bench.py

bench-clean: install
	$(BIN)/python bench/clean_bench.py

bench-stories: install
	$(BIN)/python bench/stories_bench.py

bench-time: install
	$(BIN)/python bench/time_bench.py

bench-quantities: install
	$(BIN)/python bench/quantities_bench.py

bench-actors: install
	$(BIN)/python bench/actors_bench.py

bench-events: install
	$(BIN)/python bench/events_bench.py

bench-explore: install
	$(BIN)/python bench/explore_bench.py

# Re-pin the dependencies (needs network to PyPI and uv): edit requirements*.in, then `make lock`.
lock:
	uv pip compile --quiet --python-version 3.11 --generate-hashes requirements.in -o requirements.txt
	uv pip compile --quiet --python-version 3.11 --generate-hashes requirements-dev.in -o requirements-dev.txt

clean:
	rm -rf $(DEMO) .pytest_cache .ruff_cache test-artifacts
