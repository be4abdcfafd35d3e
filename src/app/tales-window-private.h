#pragma once

/* What the window's files (tales-window.c: list, selection, search,
 * read/star; tales-window-refresh.c: refresh, network, offline backfill;
 * tales-window-feeds.c: add, rename, remove, OPML; tales-window-capture.c:
 * screenshot mode) share. */

#include "tales-post-list.h"
#include "tales-refresher.h"
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
  GtkStack *main_stack;
  GtkPaned *outer_paned;
  GtkPaned *paned;
  TalesSidebar *sidebar;
  GtkStack *list_stack;
  AdwStatusPage *list_empty_page;
  GtkListView *list_view;
  GtkStack *content_stack;
  TalesArticleView *article_view;
  AdwStatusPage *error_page;

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

  /* refresh (tales-window-refresh.c) */
  TalesRefresher *refresher;
  GNetworkMonitor *monitor;
  gboolean refreshing;
  gboolean backfilling;
  gboolean background_refresh;
  gboolean offline;
  guint unread_before;
  guint reload_source;
  guint auto_refresh_source;

  /* screenshot mode (tales-window-capture.c) */
  char *capture_path;
  guint capture_source;
  guint capture_give_up_source;
  gboolean capture_waiting;
};

/* tales-window.c */
void tales_window_reload_sidebar       (TalesWindow *self);
/* Reloads the list and the sidebar a moment later, once for a burst. */
void tales_window_queue_reload         (TalesWindow *self);
void tales_window_show_error           (TalesWindow  *self,
                                        const char   *what,
                                        const GError *error);
void tales_window_emit_refresh_finished (TalesWindow *self);

/* tales-window-refresh.c */
void tales_window_refresh_init         (TalesWindow *self);
void tales_window_refresh_dispose      (TalesWindow *self);
void tales_window_refresh_all          (TalesWindow *self,
                                        gboolean     force,
                                        gboolean     background);
/* Refreshes one feed right away (a new subscription). */
void tales_window_refresh_feed         (TalesWindow *self,
                                        const char  *url);
void tales_window_refresh_class_init   (GtkWidgetClass *widget_class);

/* tales-window-feeds.c */
void tales_window_feeds_class_init     (GtkWidgetClass *widget_class);

/* tales-window-capture.c */
void tales_window_capture_after_refresh (TalesWindow *self);
void tales_window_capture_article_loaded (TalesWindow *self);
void tales_window_capture_dispose      (TalesWindow *self);

/* Runs @func (store, post_id, flag, error) in a worker: the store's
 * writes wait for the refresh's transactions, never the main loop. */
typedef gboolean (*TalesStoreFlagFunc) (TalesStore *store,
                                        gint64      post_id,
                                        gboolean    flag,
                                        GError    **error);
void tales_window_store_write_async    (TalesWindow        *self,
                                        TalesStoreFlagFunc  func,
                                        gint64              post_id,
                                        gboolean            flag);

G_END_DECLS
