# SPDX-License-Identifier: BSD-2-Clause
# verifier-harness/log/line_info.mk: objects of the verifier-log fixture programs
# (tests/fixtures/logs/src), which tests/unit/test_line_info reads BTF line info from.
LINE_INFO_FIXTURES := $(O)/fixtures

.PHONY: line-info-fixtures
line-info-fixtures:
	@$(MAKE) -f Makefile PROGRAMS_DIR=tests/fixtures/logs/src O=$(LINE_INFO_FIXTURES) bpf-objs

unit-tests: line-info-fixtures
