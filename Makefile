# sst-rs — build:  make [OPENSIPS=/path/to/opensips]      -> ./sst.so
#           install: make install [OPENSIPS=...] [MODULES_DIR=...] [DESTDIR=...]
#                    (also install-debug, uninstall; packages: deb, rpm;
#                    README: Installation)
#           test:    make test [OPENSIPS=/path/to/opensips | OPENSIPS_SRC="archive-or-folder ..."]
#
# OPENSIPS points at the server binary the module is for: the build reads
# `opensips -V` to match its version, flags and SCM type. Without it the
# module is built for OpenSIPS 3.6.8 with default flags. Cross builds:
# SST_OSIPS_VERSION=3.6.8 [SST_OSIPS_FLAGS="..."] [SST_OSIPS_SCM=unknown]
# [SST_OSIPS_REV=unknown]. A release without layout facts (abi/facts/) is
# refused.

OPENSIPS ?=
CARGO ?= cargo
export OPENSIPS

.PHONY: all deps build install install-debug uninstall deb rpm test unit build-checks harness install-checks real-server clean

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

# An RPM (opensips-sst-rs) of ./sst.so for a RHEL-family server running the
# opensips RPM: the module goes to /usr/lib64/opensips/sst-rs/sst.so, and the
# config loads it by that path. Needs rpmbuild (Debian package rpm).
rpm:
	@./scripts/make-rpm.sh sst.so build

# The test layers (scripts/test-all.sh runs them, keeps cargo's and
# libFuzzer's output in build/test-logs/ and ends with a summary table):
# unit + layout tests and the host harness run once per supported release
# (cross builds, each in its own target folder); VERSIONS="3.6.8" narrows it.
unit:
	@./scripts/test-all.sh unit bench fuzz

harness:
	@./scripts/test-all.sh harness

# How the build treats unknown, unmeasured and given target servers.
build-checks:
	@./scripts/test-all.sh build-checks

# Folder search, make install/uninstall, make deb and make rpm, against stand-ins.
install-checks:
	@./scripts/test-all.sh install-checks

real-server:
	@./scripts/test-all.sh real-server

# The README's test command: everything CI runs.
test:
	@./scripts/test-all.sh

clean:
	$(CARGO) clean
	rm -rf build sst.so
