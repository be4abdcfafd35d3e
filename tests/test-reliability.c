/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The library survives what a desktop does to it: the process killed at
 * any moment of a refresh or an import, a full disk, a data folder it may
 * not write, and a second process writing the same file.
 *
 * Each case forks: the child does the work on a real SQLite file and is
 * killed (SIGKILL) or fails, and the parent then opens the file itself and
 * checks it with a raw connection (PRAGMA integrity_check) and the store's
 * own counts. */

#define G_LOG_DOMAIN "test-reliability"

#include "config.h"

#include <errno.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "tales-core.h"
#include "tales-test-utils.h"

#define KILL_ROUNDS 10
#define IMPORT_ROUNDS 6
#define OPML_FEEDS 2000
/* The refresh child's feed grows by this many items a round, up to the cap,
 * so most of its time is spent inside merges that write. */
#define FEED_STEP 250
#define FEED_CAP 1500
/* Under AddressSanitizer, which records every allocation's stack, the
 * disk-full child's merge of 3,000 posts alone took 20-30 s on this
 * machine: the bound stretches there, still well under the suite's. */
#if defined(__SANITIZE_ADDRESS__)
#define CHILD_TIMEOUT_MS 90000
#else
#define CHILD_TIMEOUT_MS 30000
#endif

/* Helpers ------------------------------------------------------------------- */

typedef struct {
  char *dir;
  char *path;
} Library;

static void
library_init (Library *library)
{
  g_autoptr(GError) error = NULL;

  library->dir = g_dir_make_tmp ("tales-reliability-XXXXXX", &error);
  g_assert_no_error (error);
  library->path = g_build_filename (library->dir, "tales.db", NULL);
}

static void
library_clear (Library *library)
{
  g_chmod (library->dir, 0700);
  tales_test_remove_tree (library->dir);
  g_clear_pointer (&library->dir, g_free);
  g_clear_pointer (&library->path, g_free);
}

/* PRAGMA integrity_check on a connection of our own, as another program
 * would open the file after a crash (which also recovers the WAL). */
static void
assert_integrity (const char *path)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL);
  g_assert_cmpint (rc, ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  rc = sqlite3_prepare_v2 (db, "PRAGMA integrity_check", -1, &stmt, NULL);
  g_assert_cmpint (rc, ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "ok");
  /* Only one row, "ok", when nothing is wrong. */
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  sqlite3_finalize (stmt);

  /* The search index agrees with the text it indexes (once the schema is
   * there: a kill may come before the store created it). */
  rc = sqlite3_prepare_v2 (db, "SELECT 1 FROM sqlite_master WHERE name = 'post_search'", -1, &stmt, NULL);
  g_assert_cmpint (rc, ==, SQLITE_OK);
  rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  if (rc == SQLITE_ROW)
    {
      rc = sqlite3_exec (db, "INSERT INTO post_search (post_search) VALUES ('integrity-check')",
                         NULL, NULL, NULL);
      g_assert_cmpint (rc, ==, SQLITE_OK);
    }
  sqlite3_close (db);
}

/* An RSS 2.0 feed of @n items, the first @n_revised of them retitled
 * ("Post 3 retitled 7" for @revision 7), each with a body of a few hundred bytes and categories. */
static char *
make_feed (guint n, guint n_revised, guint revision)
{
  GString *xml = g_string_new ("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel>"
                               "<title>Kill test</title><link>https://kill.example.test/</link>");
  g_autofree char *retitled = g_strdup_printf (" retitled %u", revision);

  for (guint i = 0; i < n; i++)
    g_string_append_printf (xml,
                            "<item><title>Post %u%s</title>"
                            "<guid>post-%u</guid><link>https://kill.example.test/%u</link>"
                            "<pubDate>Mon, 02 Sep 2024 %02u:%02u:00 GMT</pubDate>"
                            "<category>Python</category><category>Reliability %u</category>"
                            "<description><![CDATA[<p>Body of post %u, about "
                            "transactions, journals, checkpoints and what a kill leaves "
                            "behind. The write-ahead log keeps every commit whole.</p>"
                            "<p>Version %u of the text, padded so that a merge writes "
                            "pages: lorem ipsum dolor sit amet, consectetur adipiscing "
                            "elit, sed do eiusmod tempor incididunt ut labore.</p>]]>"
                            "</description></item>",
                            i, i < n_revised ? retitled : "",
                            i, i, (i / 60) % 24, i % 60, i % 7, i,
                            i < n_revised ? revision : 0);
  g_string_append (xml, "</channel></rss>");
  return g_string_free (xml, FALSE);
}

/* Parses @xml as a refresh would and merges its posts into @feed_id. */
static gboolean
refresh_from_xml (TalesStore *store, gint64 feed_id, const char *xml, GError **error)
{
  g_autoptr(TalesParseResult) result = tales_parse (xml, strlen (xml), "https://kill.example.test/feed",
                                                    NULL, NULL, error);

  return result != NULL &&
         tales_store_merge_posts (store, feed_id, result->posts, NULL, NULL, error);
}

static gint64
ensure_feed (TalesStore *store, const char *url)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TalesFeed) feed = tales_store_ensure_feed (store, url, &error);

  g_assert_no_error (error);
  return tales_feed_get_db_id (feed);
}

/* Waits for @pid (killing it after CHILD_TIMEOUT_MS: a child that hangs
 * fails the test instead of the suite's timeout); returns its exit status,
 * or -signal. */
static int
wait_child (pid_t pid)
{
  gint64 deadline = g_get_monotonic_time () + CHILD_TIMEOUT_MS * 1000;
  int status = 0;
  pid_t done;

  while ((done = waitpid (pid, &status, WNOHANG)) == 0 && g_get_monotonic_time () < deadline)
    g_usleep (2000);
  if (done == 0)
    {
      kill (pid, SIGKILL);
      g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
      g_error ("child %d did not finish within %d ms", (int) pid, CHILD_TIMEOUT_MS);
    }
  g_assert_cmpint (done, ==, pid);
  if (WIFSIGNALED (status))
    return -WTERMSIG (status);
  g_assert_true (WIFEXITED (status));
  return WEXITSTATUS (status);
}

static void
kill_child (pid_t pid)
{
  kill (pid, SIGKILL);
  g_assert_cmpint (wait_child (pid), ==, -SIGKILL);
}

/* Starts this test program again as a child that does @kind's work (see
 * child_main()). A fresh exec, not a bare fork: the store may run worker
 * threads, which a forked child would not have. The ack pipe, when there
 * is one, is inherited by number. */
static pid_t
spawn_child (const char *kind, const char *path, const char *arg, int ack_fd)
{
  g_autofree char *fd_text = g_strdup_printf ("%d", ack_fd);
  const char *argv[] = { "/proc/self/exe", "--child", kind, path, arg, fd_text, NULL };
  pid_t pid = fork ();

  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      execv (argv[0], (char **) argv);
      _exit (127);
    }
  return pid;
}

/* Reads every whole gint32 the child wrote to @fd before it died. */
static int
last_ack (int fd)
{
  gint32 value, last = -1;

  while (read (fd, &value, sizeof value) == sizeof value)
    last = value;
  return last;
}

/* Waits for the child's next gint32; -1 when it died first. */
static int
read_ack (int fd)
{
  gint32 value;

  return read (fd, &value, sizeof value) == sizeof value ? value : -1;
}

static void
write_ack (int fd, gint32 value)
{
  if (write (fd, &value, sizeof value) != sizeof value)
    _exit (3);
}

/* (a) SIGKILL during refresh ------------------------------------------------ */

/* The child: refreshes one feed again and again, the feed growing by
 * FEED_STEP items and half of it retitled each time, and after each commit
 * tells the parent how many posts the feed now has. */
G_GNUC_NORETURN static void
refresh_child (const char *path, const char *url, int ack_fd)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TalesStore) store = tales_store_open (path, &error);
  gint64 feed_id;

  if (store == NULL)
    _exit (4);
  feed_id = ensure_feed (store, url);
  for (guint round = 1; round < 1000; round++)
    {
      guint n = MIN (round * FEED_STEP, FEED_CAP);
      g_autofree char *xml = make_feed (n, n / 2, round);

      if (!refresh_from_xml (store, feed_id, xml, &error))
        _exit (5);
      write_ack (ack_fd, n);
    }
  _exit (0);
}

static void
test_kill_during_refresh (void)
{
  Library library;
  guint committed[KILL_ROUNDS] = { 0 };
  guint n_mid_merge = 0;

  library_init (&library);
  for (guint round = 0; round < KILL_ROUNDS; round++)
    {
      g_autofree char *url = g_strdup_printf ("https://kill.example.test/feed/%u", round);
      int fds[2];
      pid_t pid;
      int acked = -1, later;
      guint delay_ms = g_test_rand_int_range (0, 300);
      gint64 merge_us = 0;

      g_assert_cmpint (pipe (fds), ==, 0);
      pid = spawn_child ("refresh", library.path, url, fds[1]);
      close (fds[1]);

      /* Even rounds: any moment from the fork on (opening, the schema, the
       * first merge). Odd rounds: after one or two merges, somewhere in
       * the next, which updates half of the posts it merged before. */
      if (round % 2 == 1)
        {
          guint n_merges = g_test_rand_int_range (1, 3);
          gint64 last = g_get_monotonic_time ();

          for (guint m = 0; m < n_merges; m++)
            {
              gint64 now;

              acked = read_ack (fds[0]);
              g_assert_cmpint (acked, >, 0);
              now = g_get_monotonic_time ();
              merge_us = now - last;
              last = now;
            }
          delay_ms = g_test_rand_int_range (0, merge_us / 1000 + 2);
        }
      g_usleep (delay_ms * 1000);
      kill_child (pid);
      /* The acknowledgements the child wrote since the last one read. */
      later = last_ack (fds[0]);
      acked = MAX (acked, later);
      close (fds[0]);
      committed[round] = acked > 0 ? (guint) acked : 0;

      /* Killed before the child even created the library: then nothing can
       * have been committed, in this round or before. */
      if (!g_file_test (library.path, G_FILE_TEST_EXISTS))
        {
          for (guint r = 0; r <= round; r++)
            g_assert_cmpuint (committed[r], ==, 0);
          continue;
        }
      assert_integrity (library.path);
      {
        g_autoptr(TalesStore) store = tales_test_open_store (library.path);

        for (guint r = 0; r <= round; r++)
          {
            g_autofree char *u = g_strdup_printf ("https://kill.example.test/feed/%u", r);
            g_autoptr(TalesFeed) feed = tales_store_find_feed_by_url (store, u, NULL);
            guint n = feed != NULL ? tales_test_count_posts (store, tales_feed_get_db_id (feed)) : 0;

            /* Every post committed before is there; a merge the kill cut
             * short left nothing of itself (sizes go by FEED_STEP). */
            g_assert_cmpuint (n, >=, committed[r]);
            g_assert_cmpuint (n % FEED_STEP, ==, 0);
            g_assert_cmpuint (n, <=, MIN (committed[r] + FEED_STEP, FEED_CAP));
            if (r == round && n == committed[r] && n < FEED_CAP)
              n_mid_merge++;
          }
      }
      g_test_message ("round %u: killed %u ms %s, %u posts committed", round, delay_ms,
                      round % 2 == 1 ? "into a merge" : "after the fork", committed[round]);
    }
  g_test_message ("%u of %d kills came before the child's next commit", n_mid_merge, KILL_ROUNDS);
  library_clear (&library);
}

/* (b) SIGKILL during an OPML import ------------------------------------------ */

static char *
make_opml (guint round, guint n)
{
  GString *opml = g_string_new ("<?xml version=\"1.0\"?><opml version=\"2.0\"><head/><body>"
                                "<outline text=\"Folder\">");

  for (guint i = 0; i < n; i++)
    g_string_append_printf (opml, "<outline type=\"rss\" text=\"Feed %u\" "
                            "xmlUrl=\"https://import.example.test/%u/%u.xml\"/>", i, round, i);
  g_string_append (opml, "</outline></body></opml>");
  return g_string_free (opml, FALSE);
}

static gint64
import_opml (TalesStore *store, const char *opml)
{
  g_autoptr(GError) error = NULL;
  guint n_added = 0;
  gint64 start = g_get_monotonic_time ();

  g_assert_true (tales_opml_import (store, opml, strlen (opml), &n_added, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_added, ==, OPML_FEEDS);
  return g_get_monotonic_time () - start;
}

/* The child: imports the OPML of @round and is killed somewhere in it. */
G_GNUC_NORETURN static void
import_child (const char *path, guint round, int ack_fd)
{
  g_autoptr(TalesStore) store = tales_store_open (path, NULL);
  g_autofree char *opml = make_opml (round, OPML_FEEDS);

  if (store == NULL)
    _exit (4);
  write_ack (ack_fd, 1);
  _exit (tales_opml_import (store, opml, strlen (opml), NULL, NULL) ? 0 : 5);
}

static void
test_kill_during_import (void)
{
  Library library;
  guint before, n_whole = 0, n_none = 0;
  gint64 import_us;

  library_init (&library);
  {
    /* One import the child is not killed in: how long one takes here. */
    g_autoptr(TalesStore) store = tales_test_open_store (library.path);
    g_autofree char *opml = make_opml (999, OPML_FEEDS);

    import_us = import_opml (store, opml);
    before = tales_test_count_feeds (store);
    g_test_message ("an import of %d feeds takes %.1f ms", OPML_FEEDS, import_us / 1000.0);
  }

  for (guint round = 0; round < IMPORT_ROUNDS; round++)
    {
      g_autofree char *round_text = g_strdup_printf ("%u", round);
      int fds[2];
      pid_t pid;
      guint delay_us;
      guint after;

      g_assert_cmpint (pipe (fds), ==, 0);
      pid = spawn_child ("import", library.path, round_text, fds[1]);
      close (fds[1]);

      /* From the moment the child starts its import to a little past the
       * time one takes. */
      g_assert_cmpint (read_ack (fds[0]), ==, 1);
      close (fds[0]);
      delay_us = g_test_rand_int_range (0, import_us * 5 / 4 + 1);
      g_usleep (delay_us);
      kill (pid, SIGKILL);
      g_assert_cmpint (wait_child (pid), !=, 5);

      assert_integrity (library.path);
      {
        g_autoptr(TalesStore) store = tales_test_open_store (library.path);

        after = tales_test_count_feeds (store);
      }
      /* All or nothing. */
      g_assert_true (after == before || after == before + OPML_FEEDS);
      if (after == before)
        n_none++;
      else
        n_whole++;
      g_test_message ("round %u: killed %.1f ms into the import: %s", round, delay_us / 1000.0,
                      after == before ? "nothing imported" : "all imported");
      before = after;
    }
  g_test_message ("%u kills before the commit, %u after", n_none, n_whole);
  library_clear (&library);
}

/* (c) A full disk --------------------------------------------------------------- */

static guint64
file_size (const char *path)
{
  GStatBuf st;

  return g_stat (path, &st) == 0 ? (guint64) st.st_size : 0;
}

/* A library with one feed of @n posts, closed cleanly. */
static gint64
fill_library (const char *path, guint n)
{
  g_autoptr(TalesStore) store = tales_test_open_store (path);
  g_autofree char *xml = make_feed (n, 0, 0);
  g_autoptr(GError) error = NULL;
  gint64 feed_id = ensure_feed (store, "https://kill.example.test/full");

  g_assert_true (refresh_from_xml (store, feed_id, xml, &error));
  g_assert_no_error (error);
  return feed_id;
}

/* The child's verdict on a write that failed, as its exit status. */
enum {
  CHILD_WROTE = 0,
  CHILD_CLEAR_ERROR = 10,
  CHILD_UNCLEAR_ERROR = 11,
  CHILD_STILL_READS = 12,
};

/* Posts in the merge that the file-size limit cuts short: enough for
 * SQLite to write pages in the middle of the transaction, or few enough
 * that the first write is the commit's (whose errno SQLite loses). */
#define DISK_FULL_MID_MERGE 3000
#define DISK_FULL_AT_COMMIT 600

/* The child: a merge of @n_posts that the file-size limit cuts short. */
G_GNUC_NORETURN static void
disk_full_child (const char *path, gint64 feed_id, guint n_posts)
{
  g_autoptr(TalesStore) store = tales_store_open (path, NULL);
  g_autofree char *xml = make_feed (n_posts, n_posts, 7);
  g_autoptr(GError) error = NULL;
  struct rlimit limit;
  gboolean clear;

  if (store == NULL)
    _exit (4);
  /* No file may grow past a few pages more than the database has now:
   * the WAL hits the limit in the middle of the merge. SIGXFSZ would
   * kill us; ignored, write() fails with EFBIG instead. */
  signal (SIGXFSZ, SIG_IGN);
  limit.rlim_cur = limit.rlim_max = file_size (path) + 64 * 1024;
  if (setrlimit (RLIMIT_FSIZE, &limit) != 0)
    _exit (6);
  if (refresh_from_xml (store, feed_id, xml, &error))
    _exit (CHILD_WROTE);

  /* The store says the disk is full, in a sentence. */
  clear = g_error_matches (error, TALES_STORE_ERROR, TALES_STORE_ERROR_FULL) &&
          strlen (error->message) > 20;
  g_printerr ("full disk: %s (code %d)\n", error->message, error->code);
  g_clear_error (&error);
  /* The store still reads what it has. */
  if (tales_store_count_posts (store, feed_id, &error) != 300)
    _exit (CHILD_STILL_READS);
  _exit (clear ? CHILD_CLEAR_ERROR : CHILD_UNCLEAR_ERROR);
}

static void
test_disk_full (gconstpointer data)
{
  guint n_posts = GPOINTER_TO_UINT (data);
  Library library;
  g_autofree char *child_arg = NULL;
  gint64 feed_id;
  pid_t pid;
  int status;

  library_init (&library);
  feed_id = fill_library (library.path, 300);

  child_arg = g_strdup_printf ("%" G_GINT64_FORMAT ":%u", feed_id, n_posts);
  pid = spawn_child ("disk-full", library.path, child_arg, -1);
  status = wait_child (pid);
  g_assert_cmpint (status, ==, CHILD_CLEAR_ERROR);

  assert_integrity (library.path);
  {
    g_autoptr(TalesStore) store = tales_test_open_store (library.path);
    g_autoptr(GError) error = NULL;
    g_autoptr(GArray) ids = NULL;
    TalesPostFilter search = { .kind = TALES_FILTER_ALL, .search = "retitled" };

    /* Nothing of the failed merge: 300 posts, none retitled. */
    g_assert_cmpuint (tales_test_count_posts (store, feed_id), ==, 300);
    ids = tales_store_query_post_ids (store, &search, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (ids->len, ==, 0);
  }
  library_clear (&library);
}

/* (d) A data folder Tales may not write ------------------------------------------ */

#define NOBODY 65534

/* The child: as someone who may not write the library, tries to. */
G_GNUC_NORETURN static void
read_only_child (const char *path, gint64 feed_id)
{
  g_autoptr(TalesStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *xml = make_feed (80, 80, 3);

  /* root writes anywhere: the child gives that up first. */
  if (geteuid () == 0 && (setgid (NOBODY) != 0 || setuid (NOBODY) != 0))
    _exit (6);
  if (access (path, W_OK) == 0)
    _exit (7);

  store = tales_store_open (path, &error);
  if (store != NULL)
    refresh_from_xml (store, feed_id, xml, &error);
  if (error == NULL)
    _exit (CHILD_WROTE);
  g_printerr ("read-only: %s (code %d)\n", error->message, error->code);
  _exit (error->domain == TALES_STORE_ERROR &&
         (error->code == TALES_STORE_ERROR_READ_ONLY || error->code == TALES_STORE_ERROR_OPEN) &&
         strlen (error->message) > 20 ? CHILD_CLEAR_ERROR : CHILD_UNCLEAR_ERROR);
}

static void
test_read_only_dir (void)
{
  Library library;
  g_autofree char *feed_text = NULL;
  gint64 feed_id;
  pid_t pid;
  int status;

  library_init (&library);
  feed_id = fill_library (library.path, 50);
  g_assert_cmpint (g_chmod (library.path, 0444), ==, 0);
  g_assert_cmpint (g_chmod (library.dir, 0555), ==, 0);

  feed_text = g_strdup_printf ("%" G_GINT64_FORMAT, feed_id);
  pid = spawn_child ("read-only", library.path, feed_text, -1);
  status = wait_child (pid);
  if (status == 7)
    {
      g_test_skip ("the read-only folder is writable here");
      library_clear (&library);
      return;
    }
  g_assert_cmpint (status, ==, CHILD_CLEAR_ERROR);

  g_assert_cmpint (g_chmod (library.dir, 0700), ==, 0);
  g_assert_cmpint (g_chmod (library.path, 0600), ==, 0);
  assert_integrity (library.path);
  {
    g_autoptr(TalesStore) store = tales_test_open_store (library.path);

    g_assert_cmpuint (tales_test_count_posts (store, feed_id), ==, 50);
  }
  library_clear (&library);
}

/* (e) Two processes writing one library -------------------------------------------- */

#define WRITER_MERGES 10
#define WRITER_STEP 40

/* Each writer merges its own feed and a feed both share, in turns. Exit 0:
 * every merge committed; 10: one failed with the store's "another program
 * is using the library"; anything else is a failure. */
/* A writer's verdict on @error: the store's "another program is using the
 * library" is the clear error the case allows; anything else fails. */
G_GNUC_NORETURN static void
writer_failed (guint writer, const GError *error)
{
  g_printerr ("writer %u: %s\n", writer, error->message);
  _exit (error->domain == TALES_STORE_ERROR && strstr (error->message, "another program") != NULL
         ? CHILD_CLEAR_ERROR : CHILD_UNCLEAR_ERROR);
}

/* Each writer merges its own feed and a feed both share, in turns. Exit 0:
 * every merge committed; CHILD_CLEAR_ERROR: one waited for the other longer
 * than the store's busy timeout and said so. */
G_GNUC_NORETURN static void
writer_child (const char *path, guint writer)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TalesStore) store = tales_store_open (path, &error);
  g_autofree char *own_url = g_strdup_printf ("https://two.example.test/%u", writer);
  g_autoptr(TalesFeed) own = NULL;
  g_autoptr(TalesFeed) shared = NULL;

  if (store == NULL ||
      (own = tales_store_ensure_feed (store, own_url, &error)) == NULL ||
      (shared = tales_store_ensure_feed (store, "https://two.example.test/shared", &error)) == NULL)
    writer_failed (writer, error);
  for (guint i = 1; i <= WRITER_MERGES; i++)
    {
      g_autofree char *xml = make_feed (i * WRITER_STEP, i * WRITER_STEP / 2, writer * 100 + i);

      if (!refresh_from_xml (store, tales_feed_get_db_id (i % 2 ? own : shared), xml, &error))
        writer_failed (writer, error);
    }
  _exit (0);
}

static void
test_two_writers (void)
{
  Library library;
  pid_t pids[2];
  int status[2];

  library_init (&library);
  {
    /* The schema exists before both start, as it would for a second
     * window on a library already in use. */
    g_autoptr(TalesStore) store = tales_test_open_store (library.path);
  }

  for (guint w = 0; w < 2; w++)
    {
      g_autofree char *writer = g_strdup_printf ("%u", w);

      pids[w] = spawn_child ("writer", library.path, writer, -1);
    }
  for (guint w = 0; w < 2; w++)
    {
      status[w] = wait_child (pids[w]);
      g_assert_true (status[w] == 0 || status[w] == CHILD_CLEAR_ERROR);
    }
  /* Waiting is allowed to fail; two writers stuck on each other is not. */
  g_assert_true (status[0] == 0 || status[1] == 0);

  assert_integrity (library.path);
  {
    g_autoptr(TalesStore) store = tales_test_open_store (library.path);
    g_autoptr(TalesFeed) shared = tales_store_find_feed_by_url (store, "https://two.example.test/shared", NULL);

    for (guint w = 0; w < 2; w++)
      {
        g_autofree char *url = g_strdup_printf ("https://two.example.test/%u", w);
        g_autoptr(TalesFeed) own = tales_store_find_feed_by_url (store, url, NULL);

        /* A writer that finished merged its own feed last at i = 9. */
        if (status[w] == 0)
          {
            g_assert_nonnull (own);
            g_assert_cmpuint (tales_test_count_posts (store, tales_feed_get_db_id (own)), ==, (WRITER_MERGES - 1) * WRITER_STEP);
          }
      }
      {
        g_assert_nonnull (shared);
        g_assert_cmpuint (tales_test_count_posts (store, tales_feed_get_db_id (shared)), ==, WRITER_MERGES * WRITER_STEP);
      }
    g_test_message ("writers: %s, %s", status[0] == 0 ? "committed everything" : "gave up, saying why",
                    status[1] == 0 ? "committed everything" : "gave up, saying why");
  }
  library_clear (&library);
}

/* tests/test-reliability --child KIND PATH ARG FD: one child's work. */
static int
child_main (char **argv)
{
  const char *kind = argv[2], *path = argv[3], *arg = argv[4];
  int fd = atoi (argv[5]);

  tales_core_init ();
  if (g_str_equal (kind, "refresh"))
    refresh_child (path, arg, fd);
  if (g_str_equal (kind, "import"))
    import_child (path, atoi (arg), fd);
  if (g_str_equal (kind, "disk-full"))
    {
      char *n_posts = strchr (arg, ':');

      disk_full_child (path, g_ascii_strtoll (arg, NULL, 10), n_posts != NULL ? atoi (n_posts + 1) : 0);
    }
  if (g_str_equal (kind, "read-only"))
    read_only_child (path, g_ascii_strtoll (arg, NULL, 10));
  if (g_str_equal (kind, "writer"))
    writer_child (path, atoi (arg));
  return 127;
}

int
main (int argc, char *argv[])
{
  if (argc == 6 && g_str_equal (argv[1], "--child"))
    return child_main (argv);

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  tales_core_init ();

  g_test_add_func ("/tales/reliability/kill-during-refresh", test_kill_during_refresh);
  g_test_add_func ("/tales/reliability/kill-during-import", test_kill_during_import);
  g_test_add_data_func ("/tales/reliability/disk-full", GUINT_TO_POINTER (DISK_FULL_MID_MERGE), test_disk_full);
  g_test_add_data_func ("/tales/reliability/disk-full-at-commit", GUINT_TO_POINTER (DISK_FULL_AT_COMMIT),
                        test_disk_full);
  g_test_add_func ("/tales/reliability/read-only-dir", test_read_only_dir);
  g_test_add_func ("/tales/reliability/two-writers", test_two_writers);

  return g_test_run ();
}
