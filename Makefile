# sst-rs — build:  make [OPENSIPS=/path/to/opensips]      -> ./sst.so
#           install: make install [OPENSIPS=...] [MODULES_DIR=...] [DESTDIR=...]
#                    (also install-debug, uninstall; README: Installation)
#           test:    make test [OPENSIPS=/path/to/opensips]
#
# OPENSIPS points at the server binary the module is for: the build reads
# `opensips -V` to match its version, flags and SCM type. Without it the
# module is built for OpenSIPS 3.6.8 with default flags. Cross builds:
# SST_OSIPS_VERSION=3.6.8 [SST_OSIPS_FLAGS="..."] [SST_OSIPS_SCM=unknown].

OPENSIPS ?=
CARGO ?= cargo
export OPENSIPS

.PHONY: all deps build install install-debug uninstall deb test unit build-checks harness real-server clean

all: build

deps:
	@./scripts/install-deps.sh

build: deps
	$(CARGO) build --release
	cp target/release/libsst.so sst.so
	@echo "built ./sst.so"

# make install / install-debug / uninstall: what `make` built (./sst.so), never
# a rebuild, so `sudo make install` needs no cargo. The modules folder is
# MODULES_DIR, else found from the server the way it finds it
# (scripts/find-opensips-dir.sh); DESTDIR is a staging root. The server's own
# sst.so is kept aside as sst.so.c-module and put back by uninstall.
MODULES_DIR ?=
DESTDIR ?=
export MODULES_DIR DESTDIR

install:
	@./scripts/install-module.sh install

install-debug:
	@./scripts/install-module.sh install-debug

uninstall:
	@./scripts/install-module.sh uninstall

# A Debian package (opensips-sst-rs) of ./sst.so for the server it was built
# for: build it with OPENSIPS=/usr/sbin/opensips first. README: Installation.
deb:
	@./scripts/make-deb.sh sst.so build

# Every supported server release: unit + layout tests and the host harness
# run once per target (cross builds, each in its own target folder).
VERSIONS := 3.4.18 3.6.8 4.0.1

unit: deps
	@set -e; for v in $(VERSIONS); do \
	  echo "== unit and layout tests for OpenSIPS $$v"; \
	  SST_OSIPS_VERSION=$$v $(CARGO) test --release --target-dir target/v$$v; \
	done
	@echo "== micro-benchmarks, quick mode (each benchmark runs once)"
	$(CARGO) test --release --target-dir target/v3.6.8 --bench parse_and_decide
	@echo "== fuzz targets: build and replay the seed corpus (fuzz/README.md runs them)"
	$(CARGO) build --manifest-path fuzz/Cargo.toml --bins
	@mkdir -p fuzz/artifacts; for t in session_expires gather_and_policy state_record script_values; do \
	  fuzz/target/debug/$$t -runs=0 -artifact_prefix=fuzz/artifacts/ fuzz/corpus/$$t || exit 1; done

harness: deps
	@set -e; mkdir -p build; for v in $(VERSIONS); do \
	  echo "== host harness for OpenSIPS $$v"; \
	  SST_OSIPS_VERSION=$$v $(CARGO) build --release --target-dir target/v$$v; \
	  abi=$$(SST_OSIPS_VERSION=$$v ./scripts/target-abi.sh); \
	  cc -O1 -g -Wall -rdynamic -DOSIPS_VER=$$abi -Iinclude \
	    opensips-tests/harness/host.c -ldl -o build/sst-host-$$v; \
	  ./build/sst-host-$$v target/v$$v/release/libsst.so; \
	done

# How the build treats unknown, unmeasured and given target servers.
build-checks: deps
	./scripts/check-build-targets.sh

real-server: build
	@./scripts/install-deps.sh --test
	python3 opensips-tests/run.py

# The README's test command: everything CI runs.
test: unit build-checks real-server harness

clean:
	$(CARGO) clean
	rm -rf build sst.so
