# SPDX-License-Identifier: BSD-2-Clause
# tests/tests.mk: the test suite behind `make check` (included by the top Makefile).
#
# Tests are found, never registered:
#   tests/unit/test_NAME.c     Check unit tests of verifier-harness/ internals; each
#                              links every harness object but main.o
#   tests/functional/test_NAME.c  Check tests of programs/ through their skeletons
#                              (BPF_PROG_TEST_RUN, real events); helpers in lib_*.c
#                              and the loaders' programs/common/loader.c
#   tests/*/test_NAME.sh       build, end-to-end, functional and VM tests (shell);
#                              exit 0 pass, 77 skip (with a reason on stdout), else fail
#   tests/bpf/*.bpf.c          BPF programs that exercise the harness (expectations
#                              tagged with compiler/bpfgate.h), built like any folder
#   tests/fuzz/fuzz_NAME.c     libFuzzer targets; `make check` replays their seed
#                              corpus under ASan/UBSan, `make fuzz` explores
# tests/run.sh runs them all and prints one line per test and a summary.

UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(O)/tests/unit/%,$(UNIT_SRCS))
FUNC_SRCS := $(wildcard tests/functional/test_*.c)
FUNC_BINS := $(patsubst tests/functional/%.c,$(O)/tests/functional/%,$(FUNC_SRCS))
# the helpers every functional test links (a change rebuilds the tests), and the
# kernel BTF parsed once per test (verifier-harness/host/vmlinux_btf.c, which reads
# it with btf_index.c): each of a test's loads would parse all of it again, 70-120
# ms in a TCG guest
FUNC_LIB_SRCS := $(wildcard tests/functional/lib_*.c) verifier-harness/host/vmlinux_btf.c \
	verifier-harness/host/btf_index.c \
	verifier-harness/util/fs_util.c
FUNC_INCS := -I$(O)/programs -Iprograms -Itests/functional -Iverifier-harness/host \
	-Iverifier-harness/util
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS := $(patsubst tests/fuzz/%.c,$(O)/tests/fuzz/%,$(FUZZ_SRCS))
CHECK_LIBS = $(shell $(PKG_CONFIG) --libs check)
TEST_BPF_OUT := $(O)/tests
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
FUZZ_CC ?= clang
FUZZ_TIME ?= 60

$(O)/tests/unit/%: tests/unit/%.c $(HARNESS_LIB_OBJS)
	@mkdir -p $(@D)
	$(qcc)$(CC) $(HOST_CFLAGS) $(HARNESS_INCLUDES) -MMD -MP -MF $@.d $< $(HARNESS_LIB_OBJS) \
		-o $@ $(LIBS) $(CHECK_LIBS)

# Functional tests of the programs: Check tests on the programs' skeletons.
$(O)/tests/functional/%: tests/functional/%.c $(FUNC_LIB_SRCS) $(BPF_SKELS)
	@mkdir -p $(@D)
	$(qcc)$(CC) $(HOST_CFLAGS) $(FUNC_INCS) -MMD -MP -MF $@.d \
		$< $(FUNC_LIB_SRCS) programs/common/loader.c -o $@ $(LIBS) $(CHECK_LIBS)

# Fuzz targets link the harness sources built with clang and the fuzzer runtime.
$(O)/tests/fuzz/%: tests/fuzz/%.c $(filter-out verifier-harness/cli/main.c,$(HARNESS_SRCS))
	@mkdir -p $(@D)
	$(qcc)$(FUZZ_CC) $(WARN) -std=gnu11 -D_GNU_SOURCE -DBPFGATE_VERSION='"$(VERSION)"' -g -O1 \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all $(HARNESS_INCLUDES) \
		$^ -o $@ $(LIBS)

.PHONY: run-tests test-bpf unit-tests fuzz-bins fuzz sanitize
unit-tests: $(UNIT_BINS) $(FUNC_BINS)
fuzz-bins: $(FUZZ_BINS)

# The harness's own BPF test programs, built by the same rules as any folder.
test-bpf:
	@$(MAKE) -f Makefile PROGRAMS_DIR=tests/bpf O=$(TEST_BPF_OUT) bpf-objs

# bpfgate and the unit tests again, with ASan and UBSan.
sanitize:
	@$(MAKE) -f Makefile O=$(O)/san EXTRA_CFLAGS="$(SAN_FLAGS)" LDFLAGS="$(SAN_FLAGS)" \
		$(O)/san/bpfgate $(patsubst $(O)/%,$(O)/san/%,$(UNIT_BINS))

run-tests: all test-bpf unit-tests fuzz-bins sanitize
	@O=$(abspath $(O)) BPFGATE=$(abspath $(BPFGATE)) CLANG=$(CLANG) tests/run.sh $(if $(T),-t '$(T)')

# Explore with each fuzz target for FUZZ_TIME seconds (not part of make check); one
# line per target (executions, corpus size, crashes) in $(O)/fuzz/summary.txt.
fuzz: fuzz-bins
	@tests/fuzz/explore.sh $(FUZZ_TIME) $(O)/fuzz $(FUZZ_BINS)

# The same functional tests linked statically, so that the qemu backend's initramfs
# (busybox and nothing else) can run them inside every kernel of the matrix:
# bpfgate verify --test $(O)/tests/functional-static/test_NAME.
FUNC_STATIC_BINS := $(patsubst tests/functional/%.c,$(O)/tests/functional-static/%,$(FUNC_SRCS))
CHECK_STATIC_LIBS = $(shell $(PKG_CONFIG) --static --libs check)

$(O)/tests/functional-static/%: tests/functional/%.c $(FUNC_LIB_SRCS) $(BPF_SKELS) \
		$(O)/harness/vm-static/eu_search.o
	@mkdir -p $(@D)
	$(qcc)$(CC) $(HOST_CFLAGS) -static $(FUNC_INCS) -MMD -MP \
		-MF $@.d $< $(FUNC_LIB_SRCS) programs/common/loader.c \
		$(O)/harness/vm-static/eu_search.o \
		-o $@ $(STATIC_WRAP) -lbpf -lelf -lz -lzstd $(CHECK_STATIC_LIBS) $(LDFLAGS)

.PHONY: functional-static
functional-static: $(FUNC_STATIC_BINS)
unit-tests: $(FUNC_STATIC_BINS)
-include $(wildcard $(O)/tests/functional-static/*.d)
