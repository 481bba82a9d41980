# sgdsde — build, test, benchmark and demo targets.
GO      ?= go
BIN     := bin/sgdsde
PKGS    := ./...
VERSION := $(shell sed -n 's/^const version = "\(.*\)"/\1/p' cmd/sgdsde/root.go)
IMAGE   ?= localhost/sgdsde:$(VERSION)

.PHONY: all build test test-slurm image test-image bench bench-peers stress demo serve lint fuzz clean

all: build

## build: compile the sgdsde command into bin/sgdsde
build:
	$(GO) build -o $(BIN) ./cmd/sgdsde

## test: vet, then run every test (fuzz seed corpora included)
test:
	$(GO) vet $(PKGS)
	$(GO) test -count=1 $(PKGS)

## test-slurm: docs/slurm-sweep.sh on a real one-node Slurm cluster (scripts/slurm-cluster.sh; as root;
## skipped when Slurm is not installed, installed under CI=true)
test-slurm: build
	bash scripts/test-slurm.sh

## image: the container image $(IMAGE): a static sgdsde (CGO_ENABLED=0) FROM scratch (Containerfile), with Debian's podman
image:
	@command -v podman >/dev/null || { echo "make image: needs podman (apt-get install podman)" >&2; exit 1; }
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags='-s -w' -o bin/image/sgdsde ./cmd/sgdsde
	podman build --pull=never -f Containerfile -t $(IMAGE) bin/image
	@podman image ls $(IMAGE)

## test-image: the image runs the sweep of docs/k8s-sweep.yaml as 4 containers (JOB_COMPLETION_INDEX=0..3) into one bind-mounted directory, merged byte-identical to the unsharded run
## (skipped when podman is not installed, except under CI=true; it runs make image first)
test-image: build
	IMAGE=$(IMAGE) bash scripts/test-image.sh

## bench: the speed benchmarks (ensemble throughput, formula evaluation, steady state)
bench:
	$(GO) test -run '^$$' -bench . -benchtime 5x ./sde/
	$(GO) test -run '^$$' -bench . ./potentials/...
	$(GO) test -run '^$$' -bench . -benchtime 3x ./fokkerplanck/
	$(GO) test -run '^$$' -bench . -benchtime 20x ./internal/serve/

## bench-peers: the NumPy and SciPy peer programs of the README's Speed table (needs python3-numpy, python3-scipy)
bench-peers:
	/usr/bin/python3 bench/numpy_em.py 100000 200
	/usr/bin/python3 bench/scipy_fp.py 256
	/usr/bin/python3 bench/scipy_fp.py 512
	/usr/bin/python3 bench/scipy_fp.py 1024

## stress: the steady-state stress suite on every grid from 32^2 to 1024^2, with its table
stress:
	$(GO) test -count=1 -run '^TestStress$$' -v -timeout 60m ./fokkerplanck/ -stress

## demo: the teaching gallery (out/demo/index.html and its figures; opens offline)
demo: build
	./$(BIN) demo --out out/demo

## serve: the interactive demo in the browser at http://127.0.0.1:8080/ (Ctrl-C stops)
serve: build
	./$(BIN) serve

## lint: gofmt and go vet must be clean
lint:
	@f=$$(gofmt -l .); if [ -n "$$f" ]; then echo "gofmt needed:"; echo "$$f"; exit 1; fi
	$(GO) vet $(PKGS)

## fuzz: run the formula parser fuzzer for a minute
fuzz:
	$(GO) test -run '^$$' -fuzz FuzzParse -fuzztime 60s ./potentials/expr/

clean:
	rm -rf bin out
