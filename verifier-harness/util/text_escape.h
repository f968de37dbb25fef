/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * text_escape.h: untrusted text made safe for where it is shown, one function per
 * target. Program, section and object names, BTF strings, verifier logs and the
 * output of guests and child processes may hold anything: an escape sequence
 * would drive the reader's terminal, a '|' or '<' would break a Markdown table,
 * a control character makes an XML file unreadable. JSON keeps the exact text
 * (json_writer.c escapes it the JSON way).
 *
 * Every function takes any bytes (NULL is ""), writes to f, and never lets
 * through a C0 control (except where kept below), DEL, a C1 control (U+0080 to
 * U+009F, CSI among them) or a byte that is not UTF-8.
 */
#ifndef BPFGATE_TEXT_ESCAPE_H
#define BPFGATE_TEXT_ESCAPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/*
 * For a terminal. One line (multiline false): tab, CR and LF become spaces,
 * other controls '?'. Multi-line text such as a verifier log (multiline true):
 * LF and tab are kept, everything else as for one line but CR becomes '?'.
 */
void vh_escape__term(FILE *f, const char *s, bool multiline);
/* Terminal columns vh_escape__term(f, s, false) takes: one per character. */
size_t vh_escape__term_width(const char *s);

/* Inside a Markdown paragraph or table cell: Markdown and HTML punctuation
 * (| < > & ` * _ [ ] ...) backslash-escaped, line breaks and controls cannot end
 * the cell. */
void vh_escape__markdown(FILE *f, const char *s);
/* The body of a fenced code block: LF and tab kept, other controls '?' (the
 * caller chooses a fence longer than any run of backticks in s). */
void vh_escape__markdown_code(FILE *f, const char *s);

/* XML 1.0 character data (attr false) or a double-quoted attribute value (attr
 * true: LF, CR and tab as character references). Characters XML cannot carry
 * (most controls, U+FFFE, U+FFFF, bytes that are not UTF-8) become U+FFFD. */
void vh_escape__xml(FILE *f, const char *s, bool attr);

/* GitHub Actions workflow command data (property false) or property value
 * (property true): % CR LF (and : , in properties) percent-encoded, other
 * controls '?'. */
void vh_escape__gh(FILE *f, const char *s, bool property);

/*
 * In place, for a one-line message built in a buffer (not written to f): every C0
 * control and DEL becomes '?'. The other bytes are left for the message's writer.
 */
void vh_escape__controls(char *s);

#endif
