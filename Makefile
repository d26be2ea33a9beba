# sst-rs — build:  make [OPENSIPS=/path/to/opensips]      -> ./sst.so
#           install: make install [OPENSIPS=...] [MODULES_DIR=...]
#           test:    make test [OPENSIPS=/path/to/opensips]
#
# OPENSIPS points at the server binary the module is for: the build reads
# `opensips -V` to match its version, flags and SCM type. Without it the
# module is built for OpenSIPS 3.6.8 with default flags. Cross builds:
# SST_OSIPS_VERSION=3.6.8 [SST_OSIPS_FLAGS="..."] [SST_OSIPS_SCM=unknown].

OPENSIPS ?=
CARGO ?= cargo
export OPENSIPS

.PHONY: all deps build install test unit harness real-server clean

all: build

deps:
	@./scripts/install-deps.sh

build: deps
	$(CARGO) build --release
	cp target/release/libsst.so sst.so
	@echo "built ./sst.so"

# Modules folder: given, or next to the server binary (<prefix>/sbin/opensips
# -> <prefix>/lib64/opensips/modules or <prefix>/lib/opensips/modules).
MODULES_DIR ?= $(shell p="$(OPENSIPS)"; [ -n "$$p" ] || p=$$(command -v opensips 2>/dev/null); \
	[ -n "$$p" ] && pre=$$(dirname $$(dirname $$(readlink -f $$p))) && \
	for d in $$pre/lib64/opensips/modules $$pre/lib/opensips/modules; do \
	  [ -d $$d ] && { echo $$d; break; }; done)

install: build
	@[ -n "$(MODULES_DIR)" ] || { echo "no modules folder: give MODULES_DIR=... or OPENSIPS=/path/to/opensips"; exit 1; }
	install -m 0755 sst.so $(MODULES_DIR)/sst.so
	@echo "installed $(MODULES_DIR)/sst.so"

unit: deps
	$(CARGO) test --release

build/sst-host: opensips-tests/harness/host.c include/sst_abi.h
	@mkdir -p build
	cc -O1 -g -Wall -rdynamic -DOSIPS_VER=$$(./scripts/target-abi.sh) -Iinclude \
		opensips-tests/harness/host.c -ldl -o $@

harness: build build/sst-host
	./build/sst-host ./sst.so

real-server: build
	@./scripts/install-deps.sh --test
	python3 opensips-tests/run.py

# The README's test command: everything CI runs.
test: unit harness real-server

clean:
	$(CARGO) clean
	rm -rf build sst.so
