/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* What every tales-cli command shares: how failures reach the person, and
 * waiting for one async call. */

#include <gio/gio.h>

#include "tales-store.h"

G_BEGIN_DECLS

/* Prints @error as one sentence on stderr; returns the exit status 1. */
int tales_cli_fail       (const GError *error);
/* Prints the usage of one command ("fetch URL"); returns the exit status 2. */
int tales_cli_fail_usage (const char *usage);
/* Prints a JSON document and a newline on stdout, with nothing in it a
 * terminal would obey (see tales_cli_escape_json()). */
void tales_cli_print_json (const char *json);
/* A preference of the app's (a uint key of its GSettings schema), or
 * @fallback when the schema is not installed (a build tree, a server). */
guint tales_cli_get_preference (const char *key, guint fallback);
/* The library, with the person's limit on posts per feed. */
TalesStore *tales_cli_open_store (GError **error);
/* Brings the image cache under the person's budget after a command that
 * downloaded images; a failure is reported on stderr and is not fatal. */
void tales_cli_apply_image_budget (TalesStore *store);

/* Waiting for one async call: pass tales_cli_wait_cb and the TalesCliWait
 * as its callback and data, then tales_cli_wait() runs @loop until the
 * call completes. */
typedef struct {
  GMainLoop *loop;
  GAsyncResult *result;
} TalesCliWait;

void          tales_cli_wait_cb (GObject *source, GAsyncResult *result, gpointer user_data);
/* Returns (transfer full): the result, once the loop has run to it. */
GAsyncResult *tales_cli_wait    (TalesCliWait *wait);

G_END_DECLS
