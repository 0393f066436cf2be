# One command for the main job, one for the tests; each installs what it needs into .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install install-ray install-llama bench-engine run run-terms bench-translate test test-slow lint check-wheel bench bench-ray clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

## The optional Ray extra (distributed batch runs); CI installs it so the Ray tests run.
install-ray: $(STAMP)
	$(BIN)/python -m pip install -q -e '.[test,ray]'

## llama.cpp for bench/engine_bench.py's comparison arm (optional: compiles for ~15-25 min, CI skips it).
## Built for AVX-512/VNNI without AMX: ggml's AMX path crashed in llama_decode on this VM.
## Another CPU: make install-llama LLAMA_CMAKE_ARGS="-DGGML_NATIVE=ON".
LLAMA_CMAKE_ARGS ?= -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON \
	-DGGML_AVX512=ON -DGGML_AVX512_VNNI=ON -DGGML_AVX512_BF16=ON \
	-DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF
install-llama: $(STAMP)
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(BIN)/python -m pip install -q -e '.[test,llama]'

MODEL ?= qwen2.5-coder-1.5b

## The main job: align the DeepSeek FAQ, build and export the termbase, install the model (once),
## translate the four articles with termbase + TM, evaluate on the FAQ (outputs in out/deepseek/).
run: $(STAMP)
	$(BIN)/termalign model install $(MODEL)
	$(BIN)/termalign run corpora/deepseek/corpus.toml -o out/deepseek --model $(MODEL)

## The main job without a model: alignment and termbase only (a minute).
run-terms: $(STAMP)
	$(BIN)/termalign run corpora/deepseek/corpus.toml -o out/deepseek --no-translate

## The tests (quick; no model, no corpus needed).
test: $(STAMP)
	$(BIN)/python -m pytest -q -m "not slow"

## Slow checks against the real corpus in ../shared/corpora (or $$TERMALIGN_DATA).
test-slow: $(STAMP)
	$(BIN)/python -m pytest -q -m slow

## ruff + mypy over the one namespace, and the import-linter layer contracts (.importlinter).
lint: $(STAMP)
	$(BIN)/ruff check align termbase translator termalign tests bench
	$(BIN)/mypy termalign
	$(BIN)/lint-imports

## The wheel installs only the `termalign` package (no top-level align/termbase/...).
check-wheel: $(STAMP)
	$(BIN)/python .ci/wheel_names.py

## Benchmarks printing ratios; the translation ones need an installed model (MODEL=...).
bench: $(STAMP)
	$(BIN)/python bench/align_bench.py
	$(BIN)/python bench/term_bench.py

## The engine against bare CTranslate2 and llama.cpp (install-llama first for the llama.cpp arm).
bench-engine: $(STAMP)
	$(BIN)/python bench/engine_bench.py --model $(MODEL) --gguf auto --batch-sizes 8

bench-ray: install-ray
	$(BIN)/python bench/ray_bench.py --model qwen2.5-coder-0.5b

bench-translate: $(STAMP)
	$(BIN)/python bench/translate_bench.py
	$(BIN)/python bench/batch_bench.py
	$(BIN)/python bench/server_bench.py

clean:
	rm -rf $(VENV) out .pytest_cache .mypy_cache .ruff_cache
