# RobustMFG — build, test, demo.
SWIFT ?= swift
RMFG := .build/release/rmfg

.PHONY: all glpk build demo test bench docs clean

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

clean:
	rm -rf .build
