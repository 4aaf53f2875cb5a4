# gossl: build once, reuse the binary everywhere (CI has 2 cores; a cold
# build with all interpreter symbols takes minutes).
GO      ?= go
PYTHON  ?= /usr/bin/python3
BIN     := bin/gossl
VERSION := $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
# Long notebook runs (full training budgets) with: make tutorial GOSSL_FULL=1
GOSSL_FULL ?= 0
export GOSSL_FULL

.PHONY: build install tutorial notebooks test check gotest e2e lab bench clean

build: $(BIN)

$(BIN): go.mod go.sum $(shell find . -name '*.go' -not -path './bench/*' -not -name '*_test.go') $(shell find kernels -type f)
	CGO_ENABLED=0 $(GO) build -ldflags "-X main.version=$(VERSION)" -o $(BIN) .

# Installs the kernelspec for this user: Jupyter then lists "Go (gossl)".
install: $(BIN)
	$(BIN) install --user

# The main job: run the tutorial end to end (gossl exec: the kernel's Go
# session and display code, no Jupyter needed) after installing the
# kernelspec; the executed notebook and an HTML page with its plots land in
# build/notebooks.
tutorial: install
	mkdir -p build/notebooks
	$(BIN) exec notebooks/01-simclr-tour.ipynb -o build/notebooks/01-simclr-tour.ipynb \
		--html build/notebooks/01-simclr-tour.html
	@echo "executed notebook and HTML page are in build/notebooks"

# Re-executes every notebook in place so the stored outputs stay current
# (GOSSL_FULL=1 for the long budgets).
notebooks: $(BIN)
	for nb in notebooks/*.ipynb; do $(BIN) exec "$$nb" -o "$$nb" || exit 1; done

test: check gotest e2e

check:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...

# sslkit's numerics run twice: on OpenBLAS (loaded at run time when
# present) and on the pure-Go GEMM that machines without it use.
GEMM_PKGS := ./sslkit/gemm/... ./sslkit/nn/... ./sslkit/loss/... ./sslkit/head/... \
	./sslkit/backbone/... ./sslkit/method/... ./sslkit/train/... ./sslkit/eval/...

gotest:
	$(GO) test -count=1 ./...
	GOSSL_GEMM=gonum $(GO) test -count=1 $(GEMM_PKGS)

# JupyterLab 3.6's front end for the browser test, built from npm's pinned
# packages; kept in $(LAB)/build and rebuilt only when its inputs change.
LAB := tests/e2e/jupyterlab
lab:
	bash $(LAB)/build.sh

# End-to-end tests through Jupyter's own clients, against the built binary.
e2e: $(BIN) lab
	GOSSL_BIN=$(CURDIR)/$(BIN) $(PYTHON) -m pytest -q -p no:cacheprovider tests/e2e

bench: $(BIN)
	GOSSL_BIN=$(CURDIR)/$(BIN) $(PYTHON) bench/kernel_latency.py
	$(GO) run ./bench/train

clean:
	rm -rf bin build
