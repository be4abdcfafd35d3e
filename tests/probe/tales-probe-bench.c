/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The probe build-aux/bench-library runs the real app with (tales-probe
 * bench, or bench-refresh). It sees the window through public getters and
 * signals only: the post list is the selection's model, the list view and
 * the search field are found among the window's widgets.
 *
 * Time zero is the process start: TALES_BENCH_T0_NS, the CLOCK_MONOTONIC
 * time in nanoseconds the benchmark read just before it started this
 * process (exact, and the clock g_get_monotonic_time() reads on Linux);
 * without it, the start time the kernel gives in /proc/self/stat, which
 * counts in ticks of 10 ms.
 *
 * "Painted" means the frame clock's after-paint of the frame that shows
 * it: a timing runs from the call that changes the list to the end of the
 * first frame that draws the result. The search timing is the query alone
 * (from the search text to the model having changed), the figure the
 * README quotes for search, and its frame is printed beside it. */

#define G_LOG_DOMAIN "tales-probe"

#include "config.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "tales-post-list-private.h"
#include "tales-post-list-view-private.h"
#include "tales-post-row.h"
#include "tales-probe.h"

#define GIVE_UP_S 900
#define POLL_MS 50
/* Quiet after the start-up refresh, before the timed steps. */
#define SETTLE_MS 500
/* A change that paints nothing gets a redraw after this, then gives up. */
#define FRAME_NUDGE_MS 1000
#define FRAME_GIVE_UP_MS 10000
#define TICK_MS 5
#define LONG_GAP_MS 50

typedef struct _Bench Bench;
typedef gboolean (*FrameCheck) (Bench *bench);
typedef void (*Step) (Bench *bench);

struct _Bench
{
  TalesWindow *window;      /* unowned: the bench is the window's data */
  TalesPostList *posts;     /* the window's, unowned */
  TalesPostListView *list_view;
  GtkEditable *search_entry;
  gboolean refresh_mode;
  gint64 t0_us;             /* process start, monotonic */

  /* Waiting for a painted frame */
  GdkFrameClock *clock;
  gulong paint_handler;
  FrameCheck waiting_for;
  Step then;
  char *step_name;
  gint64 step_start_us;
  guint frame_timeout;
  gboolean nudged;

  char **words;
  guint next_word;
  char *category;
  gint64 last_id;

  /* When the post list last said it changed: its query is done then, and
   * the list view has not yet rebound its rows. */
  gint64 model_changed_us;
  gulong hook;
  guint page_loads;         /* the list's count at the start of a step */

  guint poll_source;
  guint give_up_source;

  /* refresh mode */
  guint tick_source;
  gulong refresh_handler;
  gint64 last_tick_us;
  gint64 max_gap_us;
  gint64 max_gap_at_us;
  guint n_long_gaps;
  guint n_ticks;
};

static void step_search (Bench *bench);
static void step_refresh (Bench *bench);

static double
ms_since (gint64 start_us)
{
  return (g_get_monotonic_time () - start_us) / 1000.0;
}

static void
emit (const char *name, const char *format, ...) G_GNUC_PRINTF (2, 3);

static void
emit (const char *name, const char *format, ...)
{
  va_list args;

  printf ("%s=", name);
  va_start (args, format);
  vprintf (format, args);
  va_end (args);
  printf ("\n");
  fflush (stdout);
}

/* The monotonic time this process started at. */
static gint64
process_start_us (void)
{
  const char *given = g_getenv ("TALES_BENCH_T0_NS");
  g_autofree char *stat = NULL;
  struct timespec boot;
  guint64 ns, ticks;
  const char *fields;
  g_auto(GStrv) words = NULL;

  if (given != NULL && g_ascii_string_to_unsigned (given, 10, 0, G_MAXUINT64, &ns, NULL))
    return ns / 1000;

  /* Field 22, after the command name in brackets: start time since boot. */
  if (!g_file_get_contents ("/proc/self/stat", &stat, NULL, NULL) ||
      (fields = strrchr (stat, ')')) == NULL)
    return g_get_monotonic_time ();
  words = g_strsplit (fields + 2, " ", -1);
  if (g_strv_length (words) < 20 ||
      !g_ascii_string_to_unsigned (words[19], 10, 0, G_MAXUINT64, &ticks, NULL))
    return g_get_monotonic_time ();
  clock_gettime (CLOCK_BOOTTIME, &boot);
  return g_get_monotonic_time () -
         ((gint64) boot.tv_sec * G_USEC_PER_SEC + boot.tv_nsec / 1000 -
          (gint64) (ticks * G_USEC_PER_SEC / sysconf (_SC_CLK_TCK)));
}

/* VmRSS and VmHWM of this process, in kB. */
static void
emit_memory (void)
{
  g_autofree char *status = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return;
  lines = g_strsplit (status, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      guint64 kb = g_ascii_strtoull (lines[i] + strcspn (lines[i], "0123456789"), NULL, 10);

      if (g_str_has_prefix (lines[i], "VmRSS:"))
        emit ("rss-kb", "%" G_GUINT64_FORMAT, kb);
      else if (g_str_has_prefix (lines[i], "VmHWM:"))
        emit ("hwm-kb", "%" G_GUINT64_FORMAT, kb);
    }
}

static void
quit (Bench *bench)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (bench->window));

  emit ("bench-done", "1");
  if (app != NULL)
    g_application_quit (G_APPLICATION (app));
}

static gboolean
quit_cb (gpointer user_data)
{
  quit (user_data);
  return G_SOURCE_REMOVE;
}

/* What is on screen ---------------------------------------------------- */

/* The post rows the list view shows now, whose box lies (at least partly)
 * inside the list's own. */
static GPtrArray *
visible_rows (Bench *bench)
{
  GtkWidget *list = GTK_WIDGET (bench->list_view);
  GPtrArray *rows = g_ptr_array_new ();
  int height = gtk_widget_get_height (list);

  for (GtkWidget *row = gtk_widget_get_first_child (list); row != NULL;
       row = gtk_widget_get_next_sibling (row))
    {
      graphene_rect_t bounds;

      if (row == NULL || !TALES_IS_POST_ROW (row) || !gtk_widget_get_mapped (row) ||
          tales_post_row_get_post (TALES_POST_ROW (row)) == NULL ||
          !gtk_widget_compute_bounds (row, list, &bounds))
        continue;
      if (bounds.origin.y + bounds.size.height > 0 && bounds.origin.y < height)
        g_ptr_array_add (rows, row);
    }
  return rows;
}

/* How many row widgets the list view keeps, on screen or not. */
static guint
count_row_widgets (Bench *bench)
{
  return _tales_post_list_view_get_n_row_widgets (bench->list_view);
}

static gboolean
shows_rows (Bench *bench)
{
  g_autoptr(GPtrArray) rows = NULL;

  /* The list's page is not on screen (no posts yet): its rows are unmapped. */
  rows = visible_rows (bench);
  return rows->len > 0;
}

/* Any frame: the list shows rows, or says it has none. */
static gboolean
shows_anything (Bench *bench)
{
  return TRUE;
}

static gboolean
shows_last (Bench *bench)
{
  g_autoptr(GPtrArray) rows = visible_rows (bench);

  for (guint i = 0; i < rows->len; i++)
    if (tales_post_get_db_id (tales_post_row_get_post (rows->pdata[i])) == bench->last_id)
      return TRUE;
  return FALSE;
}

/* An emission hook runs before every handler of "items-changed", so before
 * the list view's. */
static gboolean
items_changed_hook (GSignalInvocationHint *hint,
                    guint                  n_params,
                    const GValue          *params,
                    gpointer               user_data)
{
  Bench *bench = user_data;

  if (n_params > 0 && g_value_get_object (&params[0]) == (gpointer) bench->posts &&
      bench->model_changed_us == 0)
    bench->model_changed_us = g_get_monotonic_time ();
  return TRUE;
}

/* Prints @prefix-ms (the query: until the model said it changed) and
 * @prefix-sync-ms (until the list view had rebound its rows too). */
static void
emit_change (Bench *bench, const char *prefix, gint64 start_us)
{
  g_autofree char *query = g_strdup_printf ("%s-ms", prefix);
  g_autofree char *sync = g_strdup_printf ("%s-sync-ms", prefix);
  g_autofree char *n_items = g_strdup_printf ("%s-n-items", prefix);

  if (bench->model_changed_us != 0)
    emit (query, "%.1f", (bench->model_changed_us - start_us) / 1000.0);
  else
    emit (query, "unchanged");
  emit (sync, "%.1f", ms_since (start_us));
  g_autofree char *pages = g_strdup_printf ("%s-page-loads", prefix);

  emit (n_items, "%u", g_list_model_get_n_items (G_LIST_MODEL (bench->posts)));
  /* Pages of 50 rows read from the store while the list view rebound. */
  emit (pages, "%u", tales_post_list_get_n_page_loads (bench->posts) - bench->page_loads);
  bench->model_changed_us = 0;
}

/* Waiting for frames ---------------------------------------------------- */

static gboolean
run_step_cb (gpointer user_data)
{
  Bench *bench = user_data;
  Step then = bench->then;

  bench->then = NULL;
  then (bench);
  return G_SOURCE_REMOVE;
}

static void
frame_done (Bench *bench, const char *value)
{
  emit (bench->step_name, "%s", value);
  bench->waiting_for = NULL;
  g_clear_handle_id (&bench->frame_timeout, g_source_remove);
  g_idle_add (run_step_cb, bench);
}

static void
after_paint_cb (GdkFrameClock *clock,
                Bench         *bench)
{
  g_autofree char *value = NULL;

  if (bench->waiting_for == NULL || !bench->waiting_for (bench))
    return;
  value = g_strdup_printf ("%.1f", ms_since (bench->step_start_us));
  frame_done (bench, value);
}

static gboolean
frame_timeout_cb (gpointer user_data)
{
  Bench *bench = user_data;

  if (!bench->nudged)
    {
      /* Nothing changed on screen, so nothing was painted: ask for a frame. */
      bench->nudged = TRUE;
      gtk_widget_queue_draw (GTK_WIDGET (bench->window));
      bench->frame_timeout = g_timeout_add (FRAME_GIVE_UP_MS, frame_timeout_cb, bench);
      return G_SOURCE_REMOVE;
    }
  bench->frame_timeout = 0;
  frame_done (bench, "timeout");
  return G_SOURCE_REMOVE;
}

/* Prints @name=<ms from @start_us> at the first painted frame that @check
 * accepts, then runs @then. */
static void
wait_for_frame (Bench       *bench,
                const char  *name,
                gint64       start_us,
                FrameCheck   check,
                Step         then)
{
  g_free (bench->step_name);
  bench->step_name = g_strdup (name);
  bench->step_start_us = start_us;
  bench->waiting_for = check;
  bench->then = then;
  bench->nudged = FALSE;
  g_clear_handle_id (&bench->frame_timeout, g_source_remove);
  bench->frame_timeout = g_timeout_add (FRAME_NUDGE_MS, frame_timeout_cb, bench);
}

static void
window_realize_cb (GtkWidget *widget,
                   Bench     *bench)
{
  bench->clock = g_object_ref (gtk_widget_get_frame_clock (widget));
  bench->paint_handler = g_signal_connect (bench->clock, "after-paint", G_CALLBACK (after_paint_cb), bench);
}

/* Steps ------------------------------------------------------------------- */

static void
step_done (Bench *bench)
{
  quit (bench);
}

static void
step_jump (Bench *bench)
{
  GListModel *posts = G_LIST_MODEL (bench->posts);
  guint n = g_list_model_get_n_items (posts);
  g_autoptr(TalesPost) last = NULL;

  if (n == 0)
    {
      emit ("jump-ms", "empty");
      quit (bench);
      return;
    }
  /* Which post is last is known before the clock starts: a person sees it
   * only once it is drawn. */
  last = g_list_model_get_item (posts, n - 1);
  bench->last_id = tales_post_get_db_id (last);
  emit ("jump-n-items", "%u", n);
  /* Scrolls as the End key does, without selecting the post. */
  wait_for_frame (bench, "jump-ms", g_get_monotonic_time (), shows_last, step_done);
  tales_post_list_view_scroll_to (bench->list_view, n - 1);
}

static void
step_all (Bench *bench)
{
  gint64 start = g_get_monotonic_time ();

  bench->model_changed_us = 0;
  bench->page_loads = tales_post_list_get_n_page_loads (bench->posts);
  wait_for_frame (bench, "all-frame-ms", start, shows_rows, step_jump);
  tales_sidebar_select (tales_window_get_sidebar (bench->window), TALES_FILTER_ALL, 0, NULL);
  emit_change (bench, "all", start);
}

static void
step_category (Bench *bench)
{
  gint64 start = g_get_monotonic_time ();

  if (bench->category == NULL)
    {
      step_jump (bench);
      return;
    }
  bench->model_changed_us = 0;
  bench->page_loads = tales_post_list_get_n_page_loads (bench->posts);
  wait_for_frame (bench, "category-frame-ms", start, shows_rows, step_all);
  if (!tales_sidebar_select (tales_window_get_sidebar (bench->window), TALES_FILTER_CATEGORY, 0, bench->category))
    {
      bench->waiting_for = NULL;
      g_clear_handle_id (&bench->frame_timeout, g_source_remove);
      emit ("category-frame-ms", "missing");
      step_jump (bench);
      return;
    }
  emit_change (bench, "category", start);
}

/* Sets the search text as typing it would, without the entry's delay. */
static void
search_for (Bench *bench, const char *text)
{
  gtk_editable_set_text (bench->search_entry, text);
  g_signal_emit_by_name (bench->search_entry, "search-changed");
}

static void
step_search (Bench *bench)
{
  const char *word = bench->words != NULL ? bench->words[bench->next_word] : NULL;
  g_autofree char *name = NULL;
  gint64 start;

  if (word == NULL)
    {
      /* Clearing the search goes back to the whole list. */
      wait_for_frame (bench, "search-clear-ms", g_get_monotonic_time (), shows_rows, step_category);
      search_for (bench, "");
      return;
    }
  bench->next_word++;

  bench->model_changed_us = 0;
  bench->page_loads = tales_post_list_get_n_page_loads (bench->posts);
  start = g_get_monotonic_time ();
  search_for (bench, word);
  name = g_strdup_printf ("search-%s", word);
  emit_change (bench, name, start);
  g_free (name);
  name = g_strdup_printf ("search-%s-frame-ms", word);
  wait_for_frame (bench, name, start, shows_anything, step_search);
}

/* Refresh mode: a 5 ms tick measures how long the main loop stalls. */

static gboolean
tick_cb (gpointer user_data)
{
  Bench *bench = user_data;
  gint64 now = g_get_monotonic_time ();
  gint64 gap = now - bench->last_tick_us;

  if (gap > bench->max_gap_us)
    {
      bench->max_gap_us = gap;
      bench->max_gap_at_us = now;
    }
  if (gap > LONG_GAP_MS * 1000)
    {
      bench->n_long_gaps++;
      /* Where, to line up with a profile (perf record -k CLOCK_MONOTONIC). */
      if (bench->refresh_handler != 0)
        emit ("refresh-long-gap", "%.1f ms ending at monotonic %.6f s", gap / 1000.0, now / 1e6);
    }
  bench->n_ticks++;
  bench->last_tick_us = now;
  return G_SOURCE_CONTINUE;
}

static void
refresh_finished_cb (TalesWindow *window,
                     Bench       *bench)
{
  gint64 start = bench->step_start_us;

  /* The tick that the end of the refresh delayed counts too. */
  tick_cb (bench);
  g_clear_handle_id (&bench->tick_source, g_source_remove);
  g_clear_signal_handler (&bench->refresh_handler, window);
  emit ("refresh-ms", "%.1f", ms_since (start));
  emit ("refresh-stall-ms", "%.1f", bench->max_gap_us / 1000.0);
  emit ("refresh-stall-at-ms", "%.1f", (bench->max_gap_at_us - start) / 1000.0);
  emit ("refresh-long-gaps", "%u", bench->n_long_gaps);
  emit ("refresh-ticks", "%u", bench->n_ticks);
  emit ("refresh-n-items", "%u", g_list_model_get_n_items (G_LIST_MODEL (bench->posts)));
  emit_memory ();
  quit (bench);
}

static void
step_refresh (Bench *bench)
{
  bench->step_start_us = g_get_monotonic_time ();
  bench->last_tick_us = bench->step_start_us;
  bench->refresh_handler = g_signal_connect (bench->window, "refresh-finished",
                                             G_CALLBACK (refresh_finished_cb), bench);
  bench->tick_source = g_timeout_add (TICK_MS, tick_cb, bench);
  tales_window_refresh (bench->window);
}

/* Start ------------------------------------------------------------------- */

static gboolean
settled_cb (gpointer user_data)
{
  Bench *bench = user_data;

  bench->poll_source = 0;
  if (bench->refresh_mode)
    step_refresh (bench);
  else
    step_search (bench);
  return G_SOURCE_REMOVE;
}

/* The start-up refresh (the welcome feed, the default blog) and its list
 * reload run before the timed steps, so they do not count in them. */
static gboolean
poll_quiet_cb (gpointer user_data)
{
  Bench *bench = user_data;

  /* The reload a refresh had queued is dropped when it ends (for one last
   * reload, which SETTLE_MS lets land). */
  if (tales_window_is_refreshing (bench->window))
    return G_SOURCE_CONTINUE;
  bench->poll_source = g_timeout_add (SETTLE_MS, settled_cb, bench);
  return G_SOURCE_REMOVE;
}

static void
step_settle (Bench *bench)
{
  g_autoptr(GPtrArray) visible = visible_rows (bench);

  emit_memory ();
  emit ("n-items", "%u", g_list_model_get_n_items (G_LIST_MODEL (bench->posts)));
  emit ("page-loads", "%u", tales_post_list_get_n_page_loads (bench->posts));
  emit ("row-widgets", "%u", count_row_widgets (bench));
  emit ("rows-on-screen", "%u", visible->len);
  bench->poll_source = g_timeout_add (POLL_MS, poll_quiet_cb, bench);
}

static gboolean
give_up_cb (gpointer user_data)
{
  Bench *bench = user_data;

  bench->give_up_source = 0;
  emit ("bench-error", "gave up after %d s", GIVE_UP_S);
  quit (bench);
  return G_SOURCE_REMOVE;
}

static void
bench_free (Bench *bench)
{
  g_clear_handle_id (&bench->frame_timeout, g_source_remove);
  g_clear_handle_id (&bench->poll_source, g_source_remove);
  g_clear_handle_id (&bench->give_up_source, g_source_remove);
  g_clear_handle_id (&bench->tick_source, g_source_remove);
  if (bench->hook != 0)
    g_signal_remove_emission_hook (g_signal_lookup ("items-changed", G_TYPE_LIST_MODEL), bench->hook);
  if (bench->clock != NULL)
    g_clear_signal_handler (&bench->paint_handler, bench->clock);
  g_clear_object (&bench->clock);
  g_clear_pointer (&bench->words, g_strfreev);
  g_free (bench->category);
  g_free (bench->step_name);
  g_free (bench);
}

/* The first widget of @type under @widget, depth first. */
static GtkWidget *
find_widget (GtkWidget *widget,
             GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget (child, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

void
tales_probe_bench_attach (TalesWindow *window,
                          gboolean     refresh_mode)
{
  const char *words = g_getenv ("TALES_BENCH_SEARCH");
  const char *category = g_getenv ("TALES_BENCH_CATEGORY");
  GtkSingleSelection *selection;
  Bench *bench;

  g_return_if_fail (TALES_IS_WINDOW (window));

  bench = g_new0 (Bench, 1);
  bench->window = window;
  g_object_set_data_full (G_OBJECT (window), "tales-probe-bench", bench, (GDestroyNotify) bench_free);
  bench->give_up_source = g_timeout_add_seconds (GIVE_UP_S, give_up_cb, bench);

  /* No selection: the library could not be opened. */
  selection = tales_window_get_selection (window);
  bench->posts = selection != NULL ? TALES_POST_LIST (gtk_single_selection_get_model (selection)) : NULL;
  bench->list_view = TALES_POST_LIST_VIEW (find_widget (GTK_WIDGET (window), TALES_TYPE_POST_LIST_VIEW));
  bench->search_entry = GTK_EDITABLE (find_widget (GTK_WIDGET (window), GTK_TYPE_SEARCH_ENTRY));
  if (bench->posts == NULL || bench->list_view == NULL || bench->search_entry == NULL)
    {
      emit ("bench-error", "the window has no post list or search field");
      g_idle_add (quit_cb, bench);
      return;
    }

  bench->refresh_mode = refresh_mode;
  bench->t0_us = process_start_us ();
  bench->words = g_strsplit (words != NULL && *words != '\0' ? words : "kubernetes", ",", -1);
  bench->category = category != NULL && *category != '\0' ? g_strdup (category) : NULL;

  g_signal_connect_after (window, "realize", G_CALLBACK (window_realize_cb), bench);
  bench->hook = g_signal_add_emission_hook (g_signal_lookup ("items-changed", G_TYPE_LIST_MODEL), 0,
                                            items_changed_hook, bench, NULL);
  wait_for_frame (bench, "first-rows-ms", bench->t0_us, shows_rows, step_settle);
  /* However long the start takes, only the give-up ends it. */
  g_clear_handle_id (&bench->frame_timeout, g_source_remove);
}
