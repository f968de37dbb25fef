# SPDX-License-Identifier: BSD-2-Clause
# compiler/bpf.mk: turn a folder of eBPF programs into CO-RE objects and skeletons.
#
# Contract. Include this file from any Makefile:
#
#	PROGRAMS_DIR := path/to/programs	# default: programs
#	O := build				# output folder, default: build
#	include path/to/compiler/bpf.mk
#
# Every PROGRAMS_DIR/NAME.bpf.c, and every folder PROGRAMS_DIR/NAME/ of *.bpf.c files
# (one program spread over several files), becomes
#	$(O)/programs/NAME.bpf.o	BTF and CO-RE relocations, linked by bpftool gen object
#	$(O)/programs/NAME.skel.h	bpftool gen skeleton
# Each source is compiled with clang -g -O2 -target bpf, its header dependencies are
# tracked (-MMD -MP), and the objects are byte-for-byte reproducible (no absolute
# paths, no timestamps).
#
# Provides the variables BPF_OBJS, BPF_SKELS, BPF_NAMES and the targets bpf-objs,
# bpf-skels. Variables a caller may set:
#	CLANG		BPF compiler (default: the newest clang-NN >= 14 installed)
#	BPFTOOL		bpftool (default: bpftool on PATH)
#	BPF_CFLAGS	extra flags for every BPF compile
#	BPF_CFLAGS_NAME	extra flags for the compile units of program NAME only
#	BPF_WERROR	1: compile with -Wall -Werror (the project sets it for its own programs)
#	BPF_INCLUDES	extra -I flags
#	BPF_EXCLUDE	names of programs in PROGRAMS_DIR not to build
#	BPF_CONFIG	the project's bpfgate.conf (default: the nearest one in PROGRAMS_DIR
#			or up to 3 folders above it, when there is one)
#	BPFGATE		the bpfgate that reads BPF_CONFIG (default: bpfgate on PATH)
#	BPF_CONFIG_DEPS	what to make before reading the config (the includer's rule
#			that builds BPFGATE, if it has one)
#	V		1: show full commands
#
# Header search order: the programs folder, BPF_INCLUDES, the config's includes,
# then $(O)/programs and this folder (bpfgate's vmlinux.h and bpfgate.h), then
# clang's own system folders (-idirafter): a project's own vmlinux.h wins.
#
# The config: make cannot parse it, so 'bpfgate config make' prints it as make
# variables into $(O)/.config/KEY.mk, which is included here (make remakes it, after
# BPF_CONFIG_DEPS, whenever the config changes).
# Its values are defaults: variables given on the command line win.
ifndef BPF_MK_INCLUDED
BPF_MK_INCLUDED := 1

# Leave the includer's default goal alone (the rules below define targets).
BPF_MK_SAVED_GOAL := $(.DEFAULT_GOAL)
BPF_MK_DIR := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))
PROGRAMS_DIR ?= programs
O ?= build
BPF_OUT := $(O)/programs
BPFGATE ?= bpfgate

ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-8s %s\n' '$(1)' '$(2)';
endif

# The project's config, read through bpfgate (one parser), for every goal but these:
# BPF_CONFIG, else the nearest bpfgate.conf in PROGRAMS_DIR or up to 3 folders above
# it (parents taken by name: make's wildcard does not resolve "..").
bpf_parent = $(patsubst %/,%,$(dir $(patsubst %/,%,$(1))))
BPF_CONFIG ?= $(firstword $(wildcard $(addsuffix /bpfgate.conf,$(PROGRAMS_DIR) \
	$(call bpf_parent,$(PROGRAMS_DIR)) $(call bpf_parent,$(call bpf_parent,$(PROGRAMS_DIR))) \
	$(call bpf_parent,$(call bpf_parent,$(call bpf_parent,$(PROGRAMS_DIR)))))))
BPF_CONFIG_NO_GOALS ?= clean help deps
ifneq ($(strip $(BPF_CONFIG)),)
ifneq ($(filter-out $(BPF_CONFIG_NO_GOALS),$(or $(MAKECMDGOALS),all)),)
BPF_PROGRAMS_DIR_GIVEN := $(PROGRAMS_DIR)
# one generated file per config and programs folder, so that switching never reads
# another project's variables
BPF_CONFIG_MK := $(O)/.config/$(firstword $(shell printf '%s %s' \
	'$(abspath $(BPF_CONFIG))' '$(abspath $(PROGRAMS_DIR))' | cksum)).mk
$(BPF_CONFIG_MK): $(BPF_CONFIG) $(BPF_CONFIG_DEPS)
	$(call msg,CONFIG,$<)
	@mkdir -p $(@D)
	$(Q)$(BPFGATE) config --config $< make --programs-dir $(BPF_PROGRAMS_DIR_GIVEN) >$@.tmp \
		|| { rm -f $@.tmp; exit 2; }
	$(Q)mv $@.tmp $@
include $(BPF_CONFIG_MK)
endif
endif

# The newest clang >= 14 unless the caller chose one.
ifeq ($(origin CLANG),undefined)
CLANG := $(firstword $(foreach v,22 21 20 19 18 17 16 15 14,$(wildcard /usr/bin/clang-$(v))) \
	   $(shell command -v clang 2>/dev/null))
endif
BPFTOOL ?= $(shell command -v bpftool 2>/dev/null || echo /usr/sbin/bpftool)
BPF_ARCH ?= x86

# clang's own system include dirs, after everything else (as libbpf-bootstrap does):
# without them a program that includes <linux/types.h> cannot find <asm/types.h>.
BPF_SYS_INCLUDES = $(shell $(CLANG) -v -E - </dev/null 2>&1 | \
	sed -n '/<...> search starts here:/,/End of search list./{ s| \(/.*\)|-idirafter \1|p }') \
	-idirafter /usr/include/$(shell uname -m)-linux-gnu

# Reproducible: no absolute path of the build reaches debug info or BTF, wherever the
# sources are, and clang's command line is the same string in every checkout. clang 19
# orders a few BTF types by where its strings land in memory, so even the length of a
# path on the command line changes the object's bytes (docs/releasing.md): every path
# inside the build folder is passed relative to it (bpf_rel), the folder itself never.
# Each folder outside it that sources or headers come from (PROGRAMS_DIR=/some/folder,
# O, includes, this folder once installed) becomes its own name; clang 15+ applies the
# last matching map and clang 14 the longest, so the specific maps come last. clang
# runs with PWD=/proc/self/cwd (LLVM takes $PWD as the working folder when it is that
# folder), the same string everywhere.
BPF_CC_PWD := PWD=/proc/self/cwd
bpf_rel = $(patsubst $(CURDIR)/%,%,$(patsubst $(CURDIR),.,$(abspath $(1))))
bpf_rel_includes = $(foreach f,$(1),$(if $(filter -I%,$(f)),-I$(call bpf_rel,$(f:-I%=%)),$(f)))
bpf_outside_dirs = $(sort $(filter-out $(CURDIR) $(CURDIR)/%,$(abspath $(PROGRAMS_DIR) $(BPF_OUT) \
	$(BPF_MK_DIR) $(patsubst -I%,%,$(filter -I%,$(BPF_INCLUDES) $(BPF_CONFIG_INCLUDES))))))
BPF_PREFIX_MAP = -ffile-prefix-map=/proc/self/cwd/= -fdebug-compilation-dir=. \
	$(foreach d,$(bpf_outside_dirs),-ffile-prefix-map=$(d)=$(notdir $(d)))
BPF_BASE_CFLAGS = -g -O2 -target bpf -D__TARGET_ARCH_$(BPF_ARCH) \
	$(if $(filter 1,$(BPF_WERROR)),-Wall -Werror)
BPF_ALL_CFLAGS = $(BPF_BASE_CFLAGS) \
	$(call bpf_rel_includes,-I$(PROGRAMS_DIR) $(BPF_INCLUDES) $(BPF_CONFIG_INCLUDES) \
		-I$(BPF_OUT) -I$(BPF_MK_DIR)) \
	$(BPF_SYS_INCLUDES) $(BPF_PREFIX_MAP) $(BPF_CONFIG_CFLAGS) $(BPF_CFLAGS)
# The flags that shape the code, without include folders and path maps (a release's
# manifest records them).
BPF_CODE_CFLAGS = $(BPF_BASE_CFLAGS) $(BPF_CONFIG_CFLAGS) $(BPF_CFLAGS)
# Flags of one program (ARG: a unit's stem, NAME or NAME/FILE): the config's, then
# the make variable BPF_CFLAGS_NAME.
bpf_prog_cflags = $(foreach n,$(firstword $(subst /, ,$(1))),\
	$(BPF_CONFIG_CFLAGS_$(n)) $(BPF_CFLAGS_$(n)))

# Programs: single files and multi-file folders.
BPF_SINGLE := $(filter-out $(patsubst %,$(PROGRAMS_DIR)/%.bpf.c,$(BPF_EXCLUDE)),\
	$(wildcard $(PROGRAMS_DIR)/*.bpf.c))
BPF_MULTI := $(filter-out $(addprefix $(PROGRAMS_DIR)/,$(BPF_EXCLUDE)),\
	$(patsubst %/,%,$(sort $(dir $(wildcard $(PROGRAMS_DIR)/*/*.bpf.c)))))
BPF_NAMES := $(patsubst $(PROGRAMS_DIR)/%.bpf.c,%,$(BPF_SINGLE)) $(notdir $(BPF_MULTI))
BPF_OBJS := $(patsubst %,$(BPF_OUT)/%.bpf.o,$(BPF_NAMES))
BPF_SKELS := $(patsubst %,$(BPF_OUT)/%.skel.h,$(BPF_NAMES))

# One compile unit per source file, under .unit/ so a unit never shadows a program.
# (The config's variables are a prerequisite: a changed flag rebuilds.)
$(BPF_OUT)/.unit/%.bpf.o: $(PROGRAMS_DIR)/%.bpf.c $(BPF_CONFIG_MK) | bpf-toolcheck
	$(call msg,CLANG,$<)
	@mkdir -p $(@D)
	$(Q)$(BPF_CC_PWD) $(CLANG) $(BPF_ALL_CFLAGS) $(call bpf_prog_cflags,$*) \
		-MMD -MP -MF $(call bpf_rel,$(@:.o=.d)) -MT $(call bpf_rel,$@) \
		-c $(call bpf_rel,$<) -o $(call bpf_rel,$@)
	$(if $(filter-out $(call bpf_rel,$@),$@),$(Q)sed -i '1s|^$(call bpf_rel,$@):|$@:|' $(@:.o=.d))

# Link: all units of a program through bpftool's static linker.
define bpf_link_rule
$(BPF_OUT)/$(1).bpf.o: $(2) | bpf-toolcheck
	$$(call msg,BPF,$$@)
	$(Q)$$(BPFTOOL) gen object $$@ $$^ >/dev/null
endef
$(foreach n,$(patsubst $(PROGRAMS_DIR)/%.bpf.c,%,$(BPF_SINGLE)),\
	$(eval $(call bpf_link_rule,$(n),$(BPF_OUT)/.unit/$(n).bpf.o)))
$(foreach d,$(BPF_MULTI),\
	$(eval $(call bpf_link_rule,$(notdir $(d)),\
		$(patsubst $(PROGRAMS_DIR)/%.bpf.c,$(BPF_OUT)/.unit/%.bpf.o,$(wildcard $(d)/*.bpf.c)))))

# Skeleton, named after the program (NAME__open_and_load(), ...).
$(BPF_OUT)/%.skel.h: $(BPF_OUT)/%.bpf.o | bpf-toolcheck
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $(subst -,_,$*) > $@.tmp && mv $@.tmp $@

.PHONY: bpf-objs bpf-skels bpf-toolcheck
bpf-objs: bpf-toolcheck $(BPF_OBJS)
bpf-skels: bpf-toolcheck $(BPF_SKELS)

# One clear line per missing tool, pointing at the installer.
bpf-toolcheck:
	@test -n "$(strip $(BPF_NAMES))" || { echo "bpfgate: $(PROGRAMS_DIR): no eBPF programs (*.bpf.c) found" >&2; exit 2; }
	@test -n "$(CLANG)" && command -v $(CLANG) >/dev/null || { echo "bpfgate: clang: not found (run 'make deps' to install it)" >&2; exit 2; }
	@command -v $(BPFTOOL) >/dev/null || { echo "bpfgate: bpftool: not found (run 'make deps' to install it)" >&2; exit 2; }
	@test -r /usr/include/bpf/bpf_helpers.h -o -n "$(BPF_INCLUDES)" || { echo "bpfgate: libbpf: headers not found (run 'make deps' to install libbpf-dev)" >&2; exit 2; }

.DELETE_ON_ERROR:
.SECONDARY:

-include $(wildcard $(BPF_OUT)/.unit/*.d $(BPF_OUT)/.unit/*/*.d)

.DEFAULT_GOAL := $(BPF_MK_SAVED_GOAL)

endif
