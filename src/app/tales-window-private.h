/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* What the window's files (tales-window.c: list, selection, search,
 * read/star; tales-window-refresh.c: what refreshing, the network and the
 * offline backfill look like, while TalesScheduler decides when;
 * tales-window-feeds.c: add, rename, remove, OPML; tales-window-layout.c:
 * the leaflets, panes, zoom, printing and keyboard focus) share, and what
 * tests may see. Not the window's API (that is tales-window.h): every
 * function here starts with _tales_. */

#include "tales-pane.h"
#include "tales-post-list.h"
#include "tales-post-list-view.h"
#include "tales-scheduler.h"
#include "tales-sidebar.h"
#include "tales-window.h"

G_BEGIN_DECLS

struct _TalesWindow
{
  AdwApplicationWindow parent_instance;

  /* template */
  AdwToastOverlay *toast_overlay;
  GtkStack *refresh_stack;
  GtkSpinner *spinner;
  GtkLabel *progress_label;
  GtkWidget *offline_label;
  GtkToggleButton *search_button;
  GtkSearchBar *search_bar;
  GtkSearchEntry *search_entry;
  GtkWidget *back_button;
  GtkWidget *add_button;
  GtkStack *main_stack;
  AdwLeaflet *outer_leaflet;
  AdwLeaflet *inner_leaflet;
  TalesPane *sidebar_pane;
  TalesPane *list_pane;
  GtkWidget *sidebar_handle;
  GtkWidget *list_handle;
  TalesSidebar *sidebar;
  GtkStack *list_stack;
  AdwStatusPage *list_empty_page;
  TalesPostListView *list_view;
  GtkStack *content_stack;
  AdwBin *article_bin;
  /* NULL until a post is first shown: use tales_window_get_article_view(). */
  TalesArticleView *article_view;
  AdwStatusPage *error_page;
  AdwStatusPage *no_feeds_page;

  TalesStore *store;
  TalesFetcher *fetcher;
  TalesImageCache *image_cache;
  GSettings *settings;
  GCancellable *cancellable;

  TalesPostList *posts;
  GtkSingleSelection *selection;
  gint64 shown_post_id;
  gboolean reloading;
  char *search_text;

  /* refresh (tales-window-refresh.c); when and whether is the scheduler's */
  TalesScheduler *scheduler;
  gboolean offline;          /* what the offline label says */
  guint reload_source;

  /* layout (tales-window-layout.c) */
  int drag_start_width;
  guint header_source;
  WebKitPrintOperation *print_operation;
};

/* tales-window.c */
void     _tales_window_reload_sidebar        (TalesWindow          *self);
/* Reloads the list and the sidebar a moment later, once for a burst. */
void     _tales_window_queue_reload          (TalesWindow          *self);
/* Reloads both now, reading the library in worker threads. */
void     _tales_window_reload_async          (TalesWindow          *self,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
gboolean _tales_window_reload_finish         (TalesWindow          *self,
                                              GAsyncResult         *result,
                                              GError              **error);
void     _tales_window_show_error            (TalesWindow          *self,
                                              const char           *what,
                                              const GError         *error);
void     _tales_window_emit_refresh_finished (TalesWindow          *self);

/* Shows whether the library has subscriptions, and why the list is
 * empty when it is. */
void     _tales_window_update_library_state  (TalesWindow          *self);
void     _tales_window_update_list_state     (TalesWindow          *self);

/* (transfer none) (nullable): the post in the article pane, if any */
TalesPost   *_tales_window_get_shown_post    (TalesWindow          *self);
/* (transfer none): the search field (results follow "search-changed");
 * for tests. */
GtkEditable *_tales_window_get_search_entry  (TalesWindow          *self);

/* tales-window-layout.c */
void     _tales_window_layout_init           (TalesWindow          *self);
void     _tales_window_layout_dispose        (TalesWindow          *self);
void     _tales_window_layout_class_init     (GtkWidgetClass       *widget_class);
/* Shows the post (@article) or the "Select a Post" page, and in a folded
 * window goes to it or back to the list. */
void     _tales_window_show_content          (TalesWindow          *self,
                                              gboolean              article);
/* A row was opened (clicked in a folded window, or Enter). */
void     _tales_window_post_activated        (TalesWindow          *self);
void     _tales_window_sidebar_activated     (TalesWindow          *self);

/* tales-window-refresh.c */
void     _tales_window_refresh_init          (TalesWindow          *self);
void     _tales_window_refresh_dispose       (TalesWindow          *self);
/* Asks the scheduler for a refresh (see tales_scheduler_refresh()). */
void     _tales_window_refresh_all           (TalesWindow          *self,
                                              gboolean              force,
                                              gboolean              background);
/* Refreshes one feed right away (a new subscription). */
void     _tales_window_refresh_feed          (TalesWindow          *self,
                                              const char           *url);
void     _tales_window_refresh_class_init    (GtkWidgetClass       *widget_class);

/* tales-window-feeds.c */
void     _tales_window_feeds_class_init      (GtkWidgetClass       *widget_class);

G_END_DECLS
