/* SPDX-License-Identifier: BSD-2-Clause */
/* line_info.h: the source line of a failure, from the object's BTF line info. */
#ifndef BPFGATE_LINE_INFO_H
#define BPFGATE_LINE_INFO_H

/*
 * Kernels before 6.x annotate the verifier log with the source text only
 * ("; *v += 1;"), newer ones add "@ file.bpf.c:18". For the old ones the
 * object's .BTF.ext line info, which the kernel printed the text from, gives
 * the line back: the record whose text is hint_text, preferring records inside
 * prog_name's function in section, then the section, then any section (static
 * subprograms live in .text).
 *
 * On success *file_line is "file.bpf.c:LINE" (the file's base name, as newer
 * kernels print it) and *text the trimmed source line, read from the source
 * file when it exists (the path recorded in BTF, relative to the current
 * directory or to the object's directory), the text from BTF otherwise.
 * Returns 0, -ENOENT (no BTF, no match, bad input) or -ENOMEM; never crashes on
 * a hostile object. Both outputs are NULL on failure.
 */
int vh_line_info__locate(const char *obj_path, const char *section, const char *prog_name,
			 const char *hint_text, char **file_line, char **text);

#endif
