/* SPDX-License-Identifier: BSD-2-Clause */
/* line_info.h: the source line of an instruction, from the object's BTF line info. */
#ifndef BPFGATE_LINE_INFO_H
#define BPFGATE_LINE_INFO_H

int vh_line_info__locate(const char *obj_path, const char *section, const char *prog_name,
			 const char *hint_text, char **file_line, char **text);

#endif
