# The two commands a new user needs:  make run  (set up, build the store, start the app)
#                                     make test (set up, run the whole test suite)
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
STORE  ?= store
PORT   ?= 8501
SHARED ?= ../shared
# Streamlit's watch on the app's source files (`make run WATCH=auto` to rerun on edits, for development): off by
# default, as it costs the first page a visitor opens 0.4-0.5 s, and every later one 0.15-0.25 s.
WATCH  ?= none

# National Ofsted data, the authority lookup, Ofsted's reports, the seed documents and the council pages, when the workplace's shared folder is present.
OFSTED_FILES := $(wildcard $(SHARED)/data/ofsted/*.ods)
LOOKUP_FILES := $(wildcard $(SHARED)/data/reference/la_lookup.csv)
# The same inputs, in the same order, as councilkg.sources.shared.load_args (tests/test_makefile.py holds them equal).
SEED_DOCS    := $(wildcard $(SHARED)/seeds) $(wildcard $(SHARED)/data/council-pages)
REPORT_DIRS  := $(wildcard $(SHARED)/data/ofsted-reports)
LOAD_ARGS    := $(foreach f,$(LOOKUP_FILES),--lookup $(f)) $(foreach f,$(OFSTED_FILES),--ofsted $(f)) \
                $(foreach d,$(REPORT_DIRS),--reports $(d)) $(foreach d,$(SEED_DOCS),--documents $(d))

.PHONY: run test test-fast install store rebuild lint docs bench clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[app,dev]'
	@touch $(STAMP)

install: $(STAMP)

# Build the store only if it is missing (use `make rebuild` to rebuild it).
store: $(STAMP)
	@if [ -e $(STORE)/current ]; then echo "store: $(STORE) exists (make rebuild to rebuild it)"; \
	else $(BIN)/councilkg load --store $(STORE) $(LOAD_ARGS); fi

rebuild: $(STAMP)
	$(BIN)/councilkg load --fresh --store $(STORE) $(LOAD_ARGS)

run: store
	COUNCILKG_STORE=$(abspath $(STORE)) $(BIN)/streamlit run app.py --server.address 127.0.0.1 --server.port $(PORT) \
	  --server.headless true --browser.gatherUsageStats false --server.fileWatcherType $(WATCH)

# The whole suite: what CI runs.
test: $(STAMP)
	$(BIN)/python -m pytest

# For development: everything but the browser and slow tests, on every CPU (pytest-xdist).
test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not browser and not slow" -n auto

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache

docs: $(STAMP)
	$(BIN)/python -m councilkg.cli.docs

bench: $(STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) $(STORE) test-output .pytest_cache
