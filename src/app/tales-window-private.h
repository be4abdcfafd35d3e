#pragma once

/* What the window's files (tales-window.c: list, selection, search,
 * read/star; tales-window-refresh.c: refresh, network, offline backfill;
 * tales-window-feeds.c: add, rename, remove, OPML; tales-window-layout.c:
 * the leaflets, panes, zoom, printing and keyboard focus;
 * tales-window-capture.c: screenshot mode) share. */

#include "tales-pane.h"
#include "tales-post-list.h"
#include "tales-post-list-view.h"
#include "tales-library-refresher.h"
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

  /* refresh (tales-window-refresh.c) */
  TalesLibraryRefresher *refresher;
  GNetworkMonitor *monitor;
  gboolean refreshing;
  gboolean backfilling;
  gboolean background_refresh;
  gboolean offline;
  guint unread_before;
  guint reload_source;
  guint auto_refresh_source;

  /* layout (tales-window-layout.c) */
  int drag_start_width;
  guint header_source;
  WebKitPrintOperation *print_operation;

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
/* Reloads both now, reading the library in worker threads. */
void     tales_window_reload_async     (TalesWindow          *self,
                                        GAsyncReadyCallback   callback,
                                        gpointer              user_data);
gboolean tales_window_reload_finish    (TalesWindow          *self,
                                        GAsyncResult         *result,
                                        GError              **error);
void tales_window_show_error           (TalesWindow  *self,
                                        const char   *what,
                                        const GError *error);
void tales_window_emit_refresh_finished (TalesWindow *self);

/* Shows whether the library has subscriptions, and why the list is
 * empty when it is. */
void tales_window_update_library_state (TalesWindow *self);
void tales_window_update_list_state    (TalesWindow *self);

/* tales-window-layout.c */
void tales_window_layout_init          (TalesWindow *self);
void tales_window_layout_dispose       (TalesWindow *self);
void tales_window_layout_class_init    (GtkWidgetClass *widget_class);
/* Shows the post (@article) or the "Select a Post" page, and in a folded
 * window goes to it or back to the list. */
void tales_window_show_content         (TalesWindow *self,
                                        gboolean     article);
/* A row was opened (clicked in a folded window, or Enter). */
void tales_window_post_activated       (TalesWindow *self);
void tales_window_sidebar_activated    (TalesWindow *self);

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
TalesPost *tales_window_get_shown_post (TalesWindow *self);
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
