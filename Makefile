# Two commands do all the set-up on a fresh machine with Python 3.11: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test evaluate clean

$(BIN)/kipp: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@

demo: $(BIN)/kipp
	$(BIN)/kipp demo

# The fast tests over both cores, as developers run them; then the slow ones (Prefect servers, killed
# processes, the browser, timing) one at a time. Property tests take a hundred examples each here.
test: $(BIN)/kipp
	$(BIN)/pytest -m "not slow" -n 2 --hypothesis-profile=thorough
	$(BIN)/pytest -m slow --hypothesis-profile=thorough

evaluate: $(BIN)/kipp
	$(BIN)/kipp evaluate

clean:
	rm -rf $(VENV) demo reports/*.json reports/*.csv reports/*.html
