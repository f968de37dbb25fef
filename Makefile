# SPDX-License-Identifier: BSD-2-Clause
# bpfgate: build, verify and ship eBPF programs. `make help` lists the targets.
VERSION := 0.1.0

O ?= build
PREFIX ?= /usr/local
DESTDIR ?=
KERNELS ?=
JOBS ?=
MAKEFLAGS += --no-print-directory

# The project's own programs are built with -Wall -Werror; another folder is built
# as it is (PROGRAMS_DIR=/some/folder).
ifeq ($(origin PROGRAMS_DIR),undefined)
PROGRAMS_DIR := programs
BPF_WERROR := 1
OWN_PROGRAMS := 1
endif
# bpf.mk reads a project's bpfgate.conf through this bpfgate, built first (unless
# BPFGATE= names one); the wrapper targets leave it to the make they start.
BPFGATE := $(O)/bpfgate
BPF_CONFIG_DEPS := $(if $(filter command line,$(origin BPFGATE)),,$(BPFGATE))
BPF_CONFIG_NO_GOALS := clean help deps verify check matrix
include compiler/bpf.mk

CC ?= cc
ifeq ($(origin CC),default)
CC := gcc
endif
PKG_CONFIG ?= pkg-config
WARN := -Wall -Wextra -Werror
CFLAGS ?= -O2 -g
HOST_CFLAGS := $(WARN) -std=gnu11 -D_GNU_SOURCE -DBPFGATE_VERSION='"$(VERSION)"' \
	$(CFLAGS) $(EXTRA_CFLAGS)
LIBS := -lbpf -lelf -lz

ifeq ($(V),1)
qcc :=
else
qcc = @printf '  %-8s %s\n' CC $@;
endif

# --- bpfgate (verifier-harness/) -------------------------------------------------
# One folder a module (docs/architecture.md); a header is included by its name alone.
HARNESS_SRCS := $(wildcard verifier-harness/*/*.c)
HARNESS_OBJS := $(patsubst verifier-harness/%.c,$(O)/harness/%.o,$(HARNESS_SRCS))
HARNESS_LIB_OBJS := $(filter-out $(O)/harness/cli/main.o,$(HARNESS_OBJS))
HARNESS_INCLUDES := $(addprefix -I,$(sort $(patsubst %/,%,$(dir $(HARNESS_SRCS)))))

$(O)/harness/%.o: verifier-harness/%.c
	@mkdir -p $(@D)
	$(qcc)$(CC) $(HOST_CFLAGS) $(HARNESS_INCLUDES) -MMD -MP -c $< -o $@

$(BPFGATE): $(HARNESS_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(HOST_CFLAGS) $^ -o $@ $(LIBS) $(LDFLAGS)

# --- user-space loaders of the project's programs (programs/NAME.c) --------------
LOADER_SRCS := $(if $(filter programs,$(PROGRAMS_DIR)),$(wildcard programs/*.c))
LOADERS := $(patsubst programs/%.c,$(O)/programs/%,$(filter-out %.bpf.c,$(LOADER_SRCS)))

LOADER_COMMON := $(wildcard programs/common/*.c)
$(O)/programs/%: programs/%.c $(O)/programs/%.skel.h $(LOADER_COMMON)
	$(qcc)$(CC) $(HOST_CFLAGS) -I$(O)/programs -Iprograms -Iprograms/common -MMD -MP -MF $@.d \
		$< $(LOADER_COMMON) -o $@ $(LIBS)

# --- targets ---------------------------------------------------------------------
.DEFAULT_GOAL := all
.PHONY: all help deps verify verify-host baseline check matrix release install clean vmlinux

all: bpf-objs bpf-skels $(BPFGATE) $(LOADERS)

help:
	@sed -n 's/^## \{0,1\}//p' $(firstword $(MAKEFILE_LIST))

## Targets:
##   all (default)  build the programs' objects and skeletons, bpfgate, the loaders
##   verify         install what is missing, build, verify every program on the host
##                  kernel (KERNELS="5.10 6.1" verifies inside VMs of those kernels and
##                  runs the functional tests on each)
##   verify-host    verify without installing anything first (what verify runs)
##   check          install what is missing and run every test
##   run-tests      run the tests without installing anything (T='unit/test_x*' some)
##   matrix         verify and run the functional tests on every kernel of ci/kernels.conf
##   baseline       refresh the baseline (BASELINE) with the host and every kernel of
##                  ci/kernels.conf (KERNELS="..." chooses them; other kernels' rows stay)
##   release        verify first (bpfgate core-check, then the matrix with the functional
##                  tests and the gate, reused when unchanged), then $(O)/release/NAME-VERSION
##                  .tar.gz: objects, skeletons, minimal CO-RE BTF per kernel, report,
##                  MANIFEST.json (docs/releasing.md); refused when a check fails or the
##                  work tree is dirty
##   deps           install missing dependencies (ci/deps.sh, Debian packages)
##   vmlinux        regenerate compiler/vmlinux.h from VMLINUX_BTF=PATH
##   skel-layout    re-pin the layout of the programs' shared structs (docs/skeletons.md)
##   install        install bpfgate, man pages, compiler/bpf.mk and vmlinux.h
##   clean          remove the output folder
##   help           this list
##   fuzz           run each fuzz target for FUZZ_TIME seconds; summary in $(O)/fuzz
## Parts of the above, for when only one is needed:
##   bpf-objs       the programs' objects      bpf-skels       their skeleton headers
##   bpf-toolcheck  check clang and bpftool    test-bpf        tests/bpf's objects
##   unit-tests     the Check unit tests       fuzz-bins       the fuzz targets
##   sanitize       bpfgate and the unit tests with ASan and UBSan in $(O)/san
##   functional-static    the functional tests linked statically (for VM guests)
##   line-info-fixtures   the objects of tests/fixtures/logs (explain's tests)
##   skel-consumers       the skeleton consumer tests (C, C++, light skeletons)
##   skel-consumers-static   the same linked statically (for VM guests)
##   install-matrix       (part of install) the static bpfgate and busybox for VM guests
## Variables:
##   O=DIR          output folder (default build/)
##   V=1            show full commands; verify prints every program and the full comparison
##   CLANG=clang-14 BPF compiler (default: newest clang >= 14 installed)
##   PROGRAMS_DIR=  build another folder of *.bpf.c with the same rules
##   PREFIX=/usr/local DESTDIR=   install locations
##   KERNELS="..."  kernels for verify (series from ci/kernels.conf, host, or a path); with
##                  it, verify runs bpfgate core-check against their BTF first
##   RELEASE_KERNELS="..."  kernels of a release (default: KERNELS, else the project's
##                  bpfgate.conf kernels, else ci/kernels.conf without host)
##   RELEASE_BTF=DIR  more kernels a release targets without booting them: raw BTF or
##                  vmlinux files, or a BTFHub-like tree DISTRO/VERSION/ARCH/RELEASE.btf.tar.xz
##   ALLOW_DIRTY=1  release a work tree with uncommitted changes (recorded in the manifest)
##   JOBS=N         programs verified at once (default: one per CPU)
##   NO_CACHE=1     verify verifies every object again (host results are kept in
##                  ~/.cache/bpfgate/results: an unchanged object is not loaded again)
##   BASELINE=FILE  the gate's baseline (default ci/baseline.json; with PROGRAMS_DIR=D, the
##                  one its bpfgate.conf names, else D/bpfgate-baseline.json); verify gates
##                  on it when it exists
##   MAX_GROWTH=10% the gate: largest growth of a program's instructions processed
##   MAX_SHARE=25%  the gate: no program may process more of the 1M instruction limit
##   BASELINE_MISSING=error|warn  a baseline without the kernels run: error, or a
##                  warning (the default for the host kernel alone)
##   BPF_CONFIG=FILE      the project's bpfgate.conf (default: found in or above
##                  PROGRAMS_DIR); BPF_CONFIG_NO_GOALS: goals that do not read it
##   BPF_CFLAGS= BPF_INCLUDES=    extra flags and -I folders for every BPF program
##   BPF_CFLAGS_NAME=     extra flags for program NAME only
##   BPF_EXCLUDE="a b"    programs of PROGRAMS_DIR not to build
##   BPF_ARCH=x86   the target architecture of the programs (__TARGET_ARCH_...)
##   BPFTOOL= BPFGATE=    the bpftool and bpfgate the rules run
##   VMLINUX_BTF=PATH     kernel BTF for make vmlinux (raw BTF, image or vmlinux)
##   T='GLOB'       the tests run-tests and check run (tests/run.sh -t)
##   FUZZ_TIME=60 FUZZ_CC=clang   seconds per fuzz target, and its compiler
##   CC= CFLAGS= EXTRA_CFLAGS= LDFLAGS= PKG_CONFIG=   the host compiler and its flags
##   SKEL_CXX=g++   the C++ compiler of the skeleton consumers

deps:
	@ci/deps.sh

# verify and check run in a second make so that tools installed by deps are seen.
verify: deps
	@$(MAKE) verify-host

# The baseline belongs to the project verified: bpfgate's own in ci/, another
# folder's where its bpfgate.conf says, else beside its programs. verify gates on
# the default one when it exists, on one given as BASELINE=FILE always.
BASELINE ?= $(or $(BPF_CONFIG_BASELINE),$(if $(OWN_PROGRAMS),ci/baseline.json,$(PROGRAMS_DIR)/bpfgate-baseline.json))
GATE_BASELINE = $(if $(filter file,$(origin BASELINE)),$(wildcard $(BASELINE)),$(BASELINE))
# The gate's thresholds are bpfgate's defaults (or the config's) unless given here.
MAX_GROWTH ?= 10%
MAX_SHARE ?= 25%
# A developer's own host kernel is rarely in a baseline: a warning there (unless
# the config says); the matrix's kernels are strict, a release's too.
strict_kernels = $(filter-out host,$(KERNELS) \
	$(if $(filter release,$(MAKECMDGOALS)),$(or $(RELEASE_KERNELS),matrix)))
BASELINE_MISSING ?= $(if $(BPF_CONFIG_BASELINE_MISSING),,$(if $(strict_kernels),error,warn))
given = $(filter command line environment,$(origin $(1)))
GATE_FLAGS = --baseline $(GATE_BASELINE) \
	$(if $(call given,MAX_GROWTH),--max-growth $(MAX_GROWTH)) \
	$(if $(call given,MAX_SHARE),--max-share $(MAX_SHARE)) \
	$(if $(BASELINE_MISSING),--baseline-missing=$(BASELINE_MISSING))
# With KERNELS, the functional tests run on every kernel too; statically linked,
# since the qemu backend's guest holds only busybox.
# (bpfgate's own tests: another project's come from its bpfgate.conf)
VERIFY_TESTS = $(if $(and $(KERNELS),$(OWN_PROGRAMS)),$(FUNC_STATIC_BINS))
verify-host: all $(if $(and $(KERNELS),$(OWN_PROGRAMS)),functional-static)
	$(call msg,VERIFY,$(words $(BPF_OBJS)) objects$(if $(strip $(VERIFY_TESTS)), and functional tests))
	$(if $(GATE_BASELINE)$(BPF_CONFIG_BASELINE),,@echo "  no baseline $(BASELINE): not gated ('make baseline' writes it)")
	$(if $(KERNELS),$(Q)RELEASE_BTF="$(RELEASE_BTF)" \
		compiler/release-core-check.sh $(BPFGATE) $(O)/core-check $(KERNELS) -- $(BPF_OBJS))
	$(Q)$(BPFGATE) verify $(if $(BPF_CONFIG),--config $(BPF_CONFIG)) \
		$(if $(KERNELS),$(foreach k,$(KERNELS),--kernel $(k)),--kernel host) \
		$(foreach t,$(VERIFY_TESTS),--test $(t)) \
		$(if $(JOBS),--jobs $(JOBS)) $(if $(GATE_BASELINE),$(GATE_FLAGS)) \
		$(if $(filter 1,$(NO_CACHE)),--no-cache) \
		$(if $(filter 1,$(V)),--table) $(BPF_OBJS)

# Every kernel's statistics, so that `make matrix` is gated on each of them too; the
# rows of kernels not run this time stay (bpfgate baseline update).
baseline: all
	$(Q)k="$(or $(KERNELS),host $$(ci/kernels.sh list))"; \
	$(BPFGATE) verify --json $$(for x in $$k; do printf -- '--kernel %s ' "$$x"; done) \
		$(BPF_OBJS) > $(O)/baseline-run.json || { rm -f $(O)/baseline-run.json; exit 1; }
	$(Q)$(BPFGATE) baseline update $(BASELINE) $(O)/baseline-run.json
	$(Q)rm -f $(O)/baseline-run.json
	$(call msg,BASELINE,$(BASELINE))

# Only what was verified ships (compiler/release.sh, docs/releasing.md): the kernels
# are RELEASE_KERNELS, else KERNELS, else the project's (its bpfgate.conf's, else
# ci/kernels.conf's), never the build machine unless one of them says host.
RELEASE_KERNELS ?= $(or $(KERNELS),$(BPF_CONFIG_KERNELS))
# What runs on every kernel besides verification: bpfgate's own functional tests (and
# its skeleton consumers, tests/skeleton/skeleton.mk); another project's come from its
# bpfgate.conf.
RELEASE_TEST_BINS = $(if $(OWN_PROGRAMS),$(FUNC_STATIC_BINS))
release: all $(if $(OWN_PROGRAMS),functional-static)
	$(Q)k="$(RELEASE_KERNELS)"; \
	[ -n "$$k" ] || k=$$(ci/kernels.sh list | tr ' ' '\n' | grep -vx host | xargs); \
	RELEASE_KERNELS="$$k" RELEASE_BTF="$(RELEASE_BTF)" ALLOW_DIRTY="$(ALLOW_DIRTY)" \
	RELEASE_NAME="$(BPF_CONFIG_NAME)" RELEASE_TESTS="$(strip $(RELEASE_TEST_BINS))" \
	RELEASE_VERIFY="$(if $(BPF_CONFIG),--config $(BPF_CONFIG)) $(if $(GATE_BASELINE),$(GATE_FLAGS))" \
	RELEASE_HEADERS="$(filter-out %/vmlinux.h,$(wildcard $(PROGRAMS_DIR)/*.h))" \
	RELEASE_CFLAGS="$(strip $(BPF_CODE_CFLAGS))" CLANG=$(CLANG) BPFTOOL=$(BPFTOOL) \
		compiler/release.sh $(O)/release $(BPFGATE) $(BPF_OBJS)

check: deps
	@$(MAKE) run-tests

matrix: deps
	@$(MAKE) verify-host KERNELS="$$(ci/kernels.sh list)"

vmlinux:
	@test -n "$(VMLINUX_BTF)" || { echo "bpfgate: vmlinux: set VMLINUX_BTF=PATH (raw BTF, vmlinux or vmlinuz)" >&2; exit 2; }
	$(Q)BPFTOOL=$(BPFTOOL) compiler/gen-vmlinux-h.sh $(VMLINUX_BTF) compiler/vmlinux.h

install: $(BPFGATE)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/bpfgate/compiler \
		$(DESTDIR)$(PREFIX)/share/man/man8
	install -m 0755 $(BPFGATE) $(DESTDIR)$(PREFIX)/bin/bpfgate
	install -m 0644 compiler/bpf.mk $(wildcard compiler/*.h) \
		$(DESTDIR)$(PREFIX)/share/bpfgate/compiler/
	install -m 0755 compiler/gen-vmlinux-h.sh compiler/kernel-btf.sh compiler/release*.sh \
		$(DESTDIR)$(PREFIX)/share/bpfgate/compiler/
	install -m 0644 $(wildcard docs/*.8) $(DESTDIR)$(PREFIX)/share/man/man8/

clean:
	$(call msg,CLEAN,$(O))
	$(Q)rm -rf $(O)

include tests/tests.mk
# Extra rules of the parts (e.g. the static bpfgate for VM images).
include $(wildcard verifier-harness/*/*.mk ci/*.mk tests/skeleton/*.mk)

-include $(wildcard $(O)/harness/*/*.d $(O)/programs/*.d)
