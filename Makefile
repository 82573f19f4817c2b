# RobustMFG — build, test, demo.
SWIFT ?= swift
RMFG := .build/release/rmfg

.PHONY: all glpk rsvg scipy build demo test python test-python lint test-sanitize test-cluster cluster-tools bench bench-baseline bench-check bench-lp-cores peers docs fuzz clean

# Library modules with DocC documentation (`make docs`).
DOC_TARGETS := LinearProgramming Expressions Ambiguity MeanField GameFiles Plots Population Experiments Subsampling Randomness

all: build

glpk:
	@bash scripts/ensure-glpk.sh

# rsvg-convert (librsvg2-bin), which renders PNG and PDF figures
# (--figure-format png|pdf) and which the figure tests use.
rsvg:
	@bash scripts/ensure-rsvg.sh

build: glpk
	$(SWIFT) build -c release --product rmfg

demo: build
	@bash scripts/demo.sh $(RMFG)

# numpy and scipy (HiGHS): the independent LP solver of the polyhedral-set tests.
scipy:
	@bash scripts/ensure-scipy.sh

# The Swift suites run on an optimized build with testing enabled (`-enable-testing` for
# `@testable import`, `RMFG_TEST_HOOKS` for the hooks of Docs/Development.md, "Test
# hooks") in its own scratch folder: about 6 min more of compilation, but the suite's
# CPU time falls about fivefold (Docs/Development.md, "Time budget"). The pytest suite
# then compares with that build's rmfg.
TEST_SCRATCH := .build-test
TEST_FLAGS := -c release -Xswiftc -enable-testing -Xswiftc -DRMFG_TEST_HOOKS --scratch-path $(TEST_SCRATCH)
test: glpk rsvg scipy
	$(SWIFT) build --build-tests $(TEST_FLAGS)
	$(SWIFT) test --skip-build $(TEST_FLAGS)
	RMFG_BINARY="$(CURDIR)/$(TEST_SCRATCH)/release/rmfg" $(MAKE) test-python

# The Python package (Docs/Python.md): librobustmfg in release mode, then robustmfg
# installed (editable) into .venv-python with numpy, scipy, pytest and matplotlib.
python: glpk
	$(SWIFT) build -c release --product robustmfg
	@bash scripts/python-env.sh

# The pytest suite of python/tests (run by `make test`; compares with the rmfg binary
# that `swift test` built).
test-python: python
	.venv-python/bin/python -m pytest -q python/tests

# swift-format's rule checks (.swift-format; about 10 s): `scripts/lint.sh`.
lint:
	@bash scripts/lint.sh

# Slurm (slurm-wlm), MUNGE and GNU parallel, installed only when missing.
cluster-tools:
	@bash scripts/ensure-cluster-tools.sh

# Sharded sweeps end to end on a single-node Slurm cluster started for the
# test (and on GNU parallel); needs root. Docs/Experiments.md, "Running on a
# cluster".
test-cluster: build cluster-tools
	bash scripts/test-cluster.sh $(RMFG)

# Sanitizers (Docs/Development.md, "Sanitizers"): AddressSanitizer and
# UndefinedBehaviorSanitizer on the whole suite (swiftc has no -sanitize=undefined on
# Linux: UBSan instruments the C sources, libyaml, through -Xcc; Swift traps on overflow
# and out-of-bounds by itself), ThreadSanitizer on the tests that
# run Bellman sweeps and solves in parallel. Separate scratch folders, so the normal
# debug build is untouched. Leak detection is off: the CLI tests run the instrumented
# rmfg, and LeakSanitizer's report at exit would change its exit status and stderr.
TSAN_FILTER ?= BellmanTests|serialAndParallelRunsAreIdentical|ExtremeRewardTests|ParallelSolveTests|LPHandOffTests|LPSplitTests|LPWorkerPoolTests|TiledStepsTests
SANITIZE_JOBS ?=
ASAN_FLAGS := --sanitize=address -Xcc -fsanitize=undefined -Xcc -fno-sanitize-recover=undefined
test-sanitize: glpk rsvg
	$(SWIFT) build --build-tests --scratch-path .build-asan $(ASAN_FLAGS) $(SANITIZE_JOBS)
	ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		$(SWIFT) test --skip-build --scratch-path .build-asan $(ASAN_FLAGS)
	$(SWIFT) build --build-tests --scratch-path .build-tsan --sanitize=thread $(SANITIZE_JOBS)
	TSAN_OPTIONS=halt_on_error=1 \
		$(SWIFT) test --skip-build --scratch-path .build-tsan --sanitize=thread --filter '$(TSAN_FILTER)'

bench: glpk
	cd Benchmarks && $(SWIFT) package benchmark

# Regression guard for this machine (Docs/Performance.md, "Keeping it fast"):
# store a baseline once, then check later runs against it (exit 1 when a
# median time or malloc count is more than 25 % worse).
bench-baseline: glpk
	cd Benchmarks && $(SWIFT) package --allow-writing-to-package-directory benchmark baseline update main --no-progress

bench-check: glpk
	@ls Benchmarks/.benchmarkBaselines/*/main/results.json >/dev/null 2>&1 || \
		{ echo "bench-check: no baseline on this machine yet; run 'make bench-baseline' on a known-good commit first" >&2; exit 2; }
	cd Benchmarks && $(SWIFT) package benchmark baseline check main --no-progress

# Issue 22's two-core target for the LP inner path: GarnetSolve with --inner lp,
# --execution serial against the default, 200 and 1,000 states (Docs/Performance.md, section 6).
bench-lp-cores: glpk
	cd Benchmarks && $(SWIFT) build -c release --product GarnetSolve
	python3 Benchmarks/lp_two_cores.py

fuzz: glpk
	bash scripts/fuzz.sh

# Bench-MFG (bench-mfg-suite 0.1.3 in Benchmarks/peers/.venv) next to rmfg on the same
# environments (Docs/Performance.md, "Peers"); not part of `make test`.
peers: glpk
	sh Benchmarks/peers/run.sh --markdown

docs: glpk
	@bash scripts/docs.sh $(DOC_TARGETS)

clean:
	rm -rf .build
