// SPDX-License-Identifier: BSD-2-Clause
/* line_info.c: source location from BTF line info (kernels without "@ file:line"). */
#include <errno.h>

#include "line_info.h"

int vh_line_info__locate(const char *obj_path, const char *section, const char *prog_name,
			 const char *hint_text, char **file_line, char **text)
{
	(void)obj_path;
	(void)section;
	(void)prog_name;
	(void)hint_text;
	(void)file_line;
	(void)text;
	return -ENOENT;
}
