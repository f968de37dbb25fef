// SPDX-License-Identifier: GPL-2.0
/* broken: does not compile; the project's config excludes it. */
#error "excluded programs are not built"
