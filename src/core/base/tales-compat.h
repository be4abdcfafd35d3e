/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Small helpers newer GLib has and Debian 12's GLib 2.74 lacks. */

#include <glib.h>

G_BEGIN_DECLS

/* g_set_str() arrived in GLib 2.76: replaces *@str_pointer with a copy of
 * @new_str and says whether it changed. */
static inline gboolean
tales_set_str (char **str_pointer, const char *new_str)
{
  char *copy;

  if (*str_pointer == new_str || g_strcmp0 (*str_pointer, new_str) == 0)
    return FALSE;
  copy = g_strdup (new_str);
  g_free (*str_pointer);
  *str_pointer = copy;
  return TRUE;
}

/* The same for a GDateTime field: takes a reference to @new_date and says
 * whether the date changed. */
static inline gboolean
tales_set_date_time (GDateTime **date_pointer, GDateTime *new_date)
{
  if (*date_pointer == new_date ||
      (*date_pointer && new_date && g_date_time_equal (*date_pointer, new_date)))
    return FALSE;
  if (new_date)
    g_date_time_ref (new_date);
  g_clear_pointer (date_pointer, g_date_time_unref);
  *date_pointer = new_date;
  return TRUE;
}

G_END_DECLS
