# RobustMFG — build, test, demo.
SWIFT ?= swift
RMFG := .build/release/rmfg

.PHONY: all glpk build demo test bench docs fuzz clean

# Library modules with DocC documentation (`make docs`).
DOC_TARGETS := LinearProgramming Expressions Ambiguity MeanField GameFiles Plots Population Experiments Subsampling Randomness

all: build

glpk:
	@bash scripts/ensure-glpk.sh

build: glpk
	$(SWIFT) build -c release --product rmfg

demo: build
	@bash scripts/demo.sh $(RMFG)

test: glpk
	$(SWIFT) test

bench: glpk
	cd Benchmarks && $(SWIFT) package benchmark

fuzz: glpk
	bash scripts/fuzz.sh

docs: glpk
	@bash scripts/docs.sh $(DOC_TARGETS)

clean:
	rm -rf .build
