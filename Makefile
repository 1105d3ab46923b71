# Two commands for a fresh machine (Python 3.11, pip, make):
#   make run    set up .venv and publish output/ from raw/ on embedded defaults
#   make test   set up .venv and run the test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run test bench raw clean
$(VENV)/.installed: pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q -r requirements.lock
	$(BIN)/pip install -q --no-deps -e .
	touch $@

run: $(VENV)/.installed
	$(BIN)/servicegraph run

test: $(VENV)/.installed
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

bench: $(VENV)/.installed
	$(BIN)/python benchmarks/run.py

# Rebuild the source PDFs in raw/ with LibreOffice (apt-get install libreoffice-calc libreoffice-impress)
raw: $(VENV)/.installed
	$(BIN)/python raw/src/build_sources.py

clean:
	rm -rf $(VENV)
