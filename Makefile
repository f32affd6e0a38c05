# Two entry points an operator or CI needs:
#   sudo make demo   build everything and run the demo lab
#   sudo make test   install test dependencies and run every test
#   (make test ends with test-kernels: the kernel tests on this kernel and
#   on stock Debian kernels booted under QEMU, one table)
GO ?= go
BIN := bin

.PHONY: all build demo test test-go test-unit-nonroot test-race test-kernels fuzz lint check-generated web deps geo install-geo clean

all: build

build:
	$(GO) build -o $(BIN)/ ./cmd/...

deps:
	bash scripts/deps.sh

web:
	cd web && npm ci --no-audit --no-fund && npm run build

# IP data for lqosd (ASN, country, city): the ASN MMDB is built from the
# pinned open CSV, the DB-IP lite city files are placed as they are, with
# their licences (NOTICE.txt). bin/lqosd finds bin/geo beside itself;
# install-geo puts it where an installed lqosd looks (lqos.conf [geo]).
geo:
	$(GO) run ./cmd/lqos_geodb -from web/node_modules -out $(BIN)/geo

install-geo: geo
	install -d /usr/share/lqos/geo
	install -m 0644 $(BIN)/geo/* /usr/share/lqos/geo/

demo:
	bash scripts/demo.sh

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' | grep -v '_bpfe[lb].go$$')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

check-generated:
	bash scripts/check-generated.sh

# One test binary at a time: the kernel, traffic and browser tests measure
# real rates and should not compete with each other for the two CPUs.
# Kernel tests record the paths this kernel cannot run (a missing eBPF
# feature or qdisc) in bin/not-exercised.txt; the summary is printed at the end.
test-go:
	@mkdir -p $(BIN) && rm -f $(BIN)/not-exercised.txt
	LQOS_NOT_EXERCISED_FILE=$(CURDIR)/$(BIN)/not-exercised.txt $(GO) test -p 1 -count=1 -timeout 45m ./...
	@if [ -s $(BIN)/not-exercised.txt ]; then echo "Not exercised on this kernel (the other path was tested; make test-kernels runs them on stock kernels):"; sed 's/^/  /' $(BIN)/not-exercised.txt; fi

# Every package's tests as uid 65534 (nobody), in their package directory
# with a HOME and TMPDIR of their own: control-plane tests need no root,
# and kernel tests may skip only for want of it (kerneltest.RequireRoot).
# The shipped IP databases are built first (as the caller): the tests as
# nobody read them but cannot write the repository.
test-unit-nonroot: geo
	bash scripts/test-unit.sh nonroot

# go test -race of the packages whose tests need no kernel (listed by
# `bash scripts/test-unit.sh packages`).
test-race:
	bash scripts/test-unit.sh race

# Each fuzz target runs briefly: enough to catch a panic on odd input.
# 21 targets x 8 s plus instrumented builds stays under ~6 minutes.
fuzz:
	bash scripts/fuzz.sh 8s

test: deps lint check-generated test-unit-nonroot test-race test-go fuzz test-kernels

# The kernel matrix (scripts/kernel-matrix): kernels from apt-get download,
# booted under QEMU (KVM when it works, else TCG); any failing kernel or
# kernel package that cannot be fetched fails the target.
test-kernels:
	bash scripts/kernel-matrix/deps.sh
	$(GO) run ./scripts/kernel-matrix

clean:
	rm -rf $(BIN)
