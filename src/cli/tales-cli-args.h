/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* How every tales-cli command reads its arguments: options ("--json",
 * "--html", "--force") may come before, between or after the operands, as
 * GNU tools accept them, and "--" ends the options. */

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  GPtrArray *options;   /* const char *, borrowed from argv: the known options given */
  GPtrArray *operands;  /* const char *, borrowed from argv, in order */
} TalesCliArgs;

/* Splits @argv (argv[0] is the command name, skipped) into @args. @known
 * lists the options the command takes (NULL-terminated, may be NULL for
 * none). Returns FALSE, with @args cleared, when an argument before "--"
 * starts with "-" (and is not "-" itself, which names stdin) but is none
 * of @known: the caller then prints its usage. */
gboolean tales_cli_args_split (int                 argc,
                               char              **argv,
                               const char * const *known,
                               TalesCliArgs       *args);
/* Whether @option (e.g. "--json") was given. */
gboolean tales_cli_args_has   (const TalesCliArgs *args,
                               const char         *option);
/* The @index-th operand. */
const char *tales_cli_args_operand (const TalesCliArgs *args,
                                    guint               index);
void     tales_cli_args_clear (TalesCliArgs *args);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (TalesCliArgs, tales_cli_args_clear)

G_END_DECLS
