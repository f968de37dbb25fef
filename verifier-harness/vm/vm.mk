# SPDX-License-Identifier: BSD-2-Clause
# verifier-harness/vm/vm.mk: what the kernel matrix needs beyond bpfgate (included by the top Makefile).
#
#   $(O)/bpfgate.static   bpfgate linked statically (libbpf.a, libelf.a, libz.a, libzstd.a):
#                         the qemu backend puts it into each guest's initramfs
#   install-matrix        (part of `make install`) the static bpfgate in libexec/bpfgate/,
#                         ci/kernels.conf, ci/kernels.sh and ci/apt-suites.sh in share/bpfgate/ci/
#
# kernel_cache.o knows the source tree's ci/ folder, so a bpfgate run from any build
# folder finds ci/kernels.conf (BPFGATE_DATADIR overrides, see docs/matrix.md).

BPFGATE_STATIC := $(O)/bpfgate.static
STATIC_LDFLAGS := -static
# libbpf.a's own calls for the kernel BTF and its lookups by name reach
# bpfgate's (host/vmlinux_btf.c)
STATIC_WRAP := -Wl,--wrap=btf__load_vmlinux_btf -Wl,--wrap=btf__find_by_name_kind

$(O)/harness/vm/kernel_cache.o: HOST_CFLAGS += -DBPFGATE_CI_DIR='"$(CURDIR)/ci"'

# Debian's libelf.a calls libeu's search-tree functions without containing them.
$(O)/harness/vm-static/eu_search.o: verifier-harness/vm/vm-static/eu_search.c
	@mkdir -p $(@D)
	$(qcc)$(CC) $(HOST_CFLAGS) -c $< -o $@

$(BPFGATE_STATIC): $(HARNESS_OBJS) $(O)/harness/vm-static/eu_search.o
	$(call msg,LINK,$@)
	$(Q)$(CC) $(HOST_CFLAGS) $(STATIC_LDFLAGS) $^ -o $@ $(STATIC_WRAP) -lbpf -lelf -lz -lzstd $(LDFLAGS)

all: $(BPFGATE_STATIC)

.PHONY: install-matrix
install: install-matrix
install-matrix: $(BPFGATE_STATIC)
	install -d $(DESTDIR)$(PREFIX)/libexec/bpfgate $(DESTDIR)$(PREFIX)/share/bpfgate/ci
	install -m 0755 $(BPFGATE_STATIC) $(DESTDIR)$(PREFIX)/libexec/bpfgate/bpfgate.static
	install -m 0644 ci/kernels.conf ci/apt-suites.sh $(DESTDIR)$(PREFIX)/share/bpfgate/ci/
	install -m 0755 ci/kernels.sh $(DESTDIR)$(PREFIX)/share/bpfgate/ci/
