/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* What the sidebar (tales-sidebar.c) and tests see of its rows. Not part
 * of the app's API: every function here starts with _tales_. */

#include "tales-core.h"
#include "tales-sidebar-row.h"

G_BEGIN_DECLS

/* The sidebar's sections, in order; each but the first under a heading. */
typedef enum {
  TALES_SIDEBAR_SECTION_LIBRARY,
  TALES_SIDEBAR_SECTION_FEEDS,
  TALES_SIDEBAR_SECTION_CATEGORIES,
} TalesSidebarSection;

/* What one row shows; the sidebar compares these to update in place. */
typedef struct {
  TalesFilterKind kind;
  gint64 feed_id;
  char *category;
  char *title;
  char *error;
  char *status;
  char *url;
  guint count;
} TalesSidebarRowSpec;

void         _tales_sidebar_row_spec_clear  (TalesSidebarRowSpec *spec);
/* What tells rows apart: "all", "feed:ID", "category:" + the case-folded
 * name… (transfer full) */
char        *_tales_sidebar_row_key         (TalesFilterKind      kind,
                                             gint64               feed_id,
                                             const char          *category);

/* A row showing @spec, whose contents it takes (@spec is left empty). */
GtkWidget   *_tales_sidebar_row_new         (TalesSidebarRowSpec *spec);
/* Shows @spec, taking its contents, unless the row shows that already. */
void         _tales_sidebar_row_update      (TalesSidebarRow     *self,
                                             TalesSidebarRowSpec *spec);
const TalesSidebarRowSpec *_tales_sidebar_row_get_spec (TalesSidebarRow *self);
const char  *_tales_sidebar_row_get_key     (TalesSidebarRow     *self);
TalesSidebarSection _tales_sidebar_row_get_section (TalesSidebarRow *self);

/* For tests. */
const char  *_tales_sidebar_row_get_title   (TalesSidebarRow     *self);
/* Unread posts for All, Unread and feeds; starred posts for Starred;
 * posts for a category. */
guint        _tales_sidebar_row_get_count   (TalesSidebarRow     *self);
/* (nullable): the feed's last refresh error */
const char  *_tales_sidebar_row_get_error   (TalesSidebarRow     *self);

G_END_DECLS
