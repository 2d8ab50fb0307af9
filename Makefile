# meshdash: every target creates the virtualenv on first use.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
PREVIEW_STAMP := $(VENV)/.preview-stamp
# Folders of your own: `make dashboards DASHBOARDS=mydash QUERIES=myqueries` (QUERIES may
# name several, searched in order before the built-in templates). Unset, every command
# reads [tool.meshdash] in pyproject.toml.
DASHBOARDS ?=
QUERIES    ?=
SOURCES := $(strip $(if $(DASHBOARDS),--dashboards $(DASHBOARDS)) $(foreach q,$(QUERIES),--queries $(q)))

.PHONY: dashboards check test lint validate sandbox push bench clean prometheus preview chromium

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	@touch $(STAMP)

dashboards: $(STAMP)
	$(BIN)/meshdash build $(SOURCES)

check: $(STAMP)
	$(BIN)/meshdash build --check $(SOURCES)

prometheus:
	@bash .ci/ensure-prometheus

validate: $(STAMP) prometheus
	$(BIN)/meshdash build $(SOURCES)
	$(BIN)/meshdash lint $(SOURCES)
	$(BIN)/meshdash validate --sandbox $(SOURCES)

sandbox: $(STAMP) prometheus
	$(BIN)/meshdash sandbox

push: $(STAMP)
	$(BIN)/meshdash push $(SOURCES)

chromium:
	@bash .ci/ensure-chromium

test: $(STAMP) $(PREVIEW_STAMP) prometheus chromium
	$(BIN)/python -m pytest -q

$(PREVIEW_STAMP): $(STAMP)
	$(BIN)/python -m pip install -q -e '.[preview]'
	@touch $@

preview: $(PREVIEW_STAMP) prometheus
	$(BIN)/meshdash build $(SOURCES)
	$(BIN)/meshdash preview --sandbox $(SOURCES)

$(VENV)/.bench-stamp: $(STAMP)
	$(BIN)/python -m pip install -q -e '.[bench]'
	@touch $@

bench: $(VENV)/.bench-stamp prometheus
	$(BIN)/python -m bench

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf build .pytest_cache .ruff_cache
	find . -name __pycache__ -type d -not -path './$(VENV)/*' -prune -exec rm -rf {} +
