/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Tests for the SQLite store, each on a real database file in a fresh
 * temporary folder. */

#include "tales-core.h"
#include "tales-test-utils.h"
#include "tales-store-merge.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <sqlite3.h>

/* The number of migrations in tales-store.c: a new one raises it. */
#define SCHEMA_VERSION 5

typedef struct {
  char *dir;
  char *path;   /* a database in a folder that does not exist yet */
} Fixture;

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("tales-store-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->path = g_build_filename (fixture->dir, "library", "nested", "tales.db", NULL);
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  tales_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->path);
}

static TalesPost *
make_post (const char *guid, const char *link, const char *title, gint64 published)
{
  TalesPost *post = tales_test_make_post (guid, title, published);

  tales_post_set_link (post, link);
  tales_post_set_author (post, "Ada");
  tales_post_set_summary (post, "A short summary.");
  tales_post_set_content (post, "<p>The whole text.</p>");
  return post;
}

/* Posts g1..g@n, published a day apart. */
static GPtrArray *
make_posts (guint n)
{
  GPtrArray *posts = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 1; i <= n; i++)
    {
      g_autofree char *guid = g_strdup_printf ("g%u", i);
      g_autofree char *link = g_strdup_printf ("https://example.com/%u", i);
      g_autofree char *title = g_strdup_printf ("Post %u", i);

      g_ptr_array_add (posts, make_post (guid, link, title, 1700000000 + i * 86400));
    }
  return posts;
}

static void
merge (TalesStore *store, gint64 feed_id, GPtrArray *posts, guint expect_new, guint expect_updated)
{
  guint n_updated = 99;

  g_assert_cmpuint (tales_test_merge (store, feed_id, posts, &n_updated), ==, expect_new);
  g_assert_cmpuint (n_updated, ==, expect_updated);
}

static TalesPost *
load (TalesStore *store, gint64 post_id)
{
  g_autoptr(GError) error = NULL;
  TalesPost *post = tales_store_load_post (store, post_id, &error);

  g_assert_no_error (error);
  g_assert_nonnull (post);
  return post;
}

/* Opening */

static void
test_open (Fixture *fixture, gconstpointer data)
{
  g_autoptr(TalesStore) store = tales_test_open_store (fixture->path);
  g_autoptr(GPtrArray) posts = make_posts (2);
  g_autoptr(TalesFeed) feed = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *mode = NULL;
  sqlite3 *raw;
  gint64 feed_id;

  g_assert_true (g_file_test (fixture->path, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpstr (tales_store_get_path (store), ==, fixture->path);

  feed_id = tales_test_add_feed (store, "https://example.com/feed.xml", "Example");
  merge (store, feed_id, posts, 2, 0);

  raw = tales_test_open_raw (fixture->path);
  mode = tales_test_raw_text (raw, "PRAGMA journal_mode");
  g_assert_cmpstr (mode, ==, "wal");
  g_assert_cmpint (tales_test_raw_int (raw, "PRAGMA user_version"), ==, SCHEMA_VERSION);
  g_assert_cmpint (tales_test_raw_int (raw, "SELECT count(*) FROM posts"), ==, 2);
  sqlite3_close (raw);

  /* Closed and opened again, the library is all there. */
  g_clear_object (&store);
  store = tales_test_open_store (fixture->path);
  g_assert_cmpuint (tales_test_count_posts (store, 0), ==, 2);
  feed = tales_store_find_feed_by_url (store, "https://example.com/feed.xml", &error);
  g_assert_no_error (error);
  g_assert_cmpint (tales_feed_get_db_id (feed), ==, feed_id);
  g_assert_cmpstr (tales_feed_get_title (feed), ==, "Example");
}

static void
test_open_default (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TalesStore) store = tales_store_open_default (&error);
  g_autofree char *expected = g_build_filename (g_get_user_data_dir (), "tales", "tales.db", NULL);

  g_assert_no_error (error);
  g_assert_cmpstr (tales_store_get_path (store), ==, expected);
  g_assert_true (g_file_test (expected, G_FILE_TEST_IS_REGULAR));
}

static void
test_open_not_a_database (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TalesStore) store = NULL;
  g_autofree char *dir = g_path_get_dirname (fixture->path);
  g_autofree char *junk = g_strnfill (8192, 'x');

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (fixture->path, junk, -1, NULL));

  store = tales_store_open (fixture->path, &error);
  g_assert_null (store);
  g_assert_error (error, TALES_STORE_ERROR, TALES_STORE_ERROR_CORRUPT);
  g_test_message ("%s", error->message);
}

static void
test_open_impossible_folder (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TalesStore) store = NULL;
  g_autofree char *file = g_build_filename (fixture->dir, "a-file", NULL);
  g_autofree char *path = g_build_filename (file, "tales.db", NULL);

  /* A plain file where the folder should be: even root cannot do that. */
  g_assert_true (g_file_set_contents (file, "", -1, NULL));
  store = tales_store_open (path, &error);
  g_assert_null (store);
  g_assert_error (error, TALES_STORE_ERROR, TALES_STORE_ERROR_OPEN);
}

/* Feeds */

static void
test_feeds (Fixture *fixture, gconstpointer data)
{
  g_autoptr(TalesStore) store = tales_test_open_store (fixture->path);
  g_autoptr(GError) error = NULL;
  g_autoptr(TalesFeed) first = tales_store_ensure_feed (store, "https://b.example/rss", &error);
  g_autoptr(TalesFeed) again = NULL;
  g_autoptr(TalesFeed) stored = NULL;
  g_autoptr(TalesFeed) missing = NULL;
  g_autoptr(GPtrArray) feeds = NULL;
  g_autoptr(GDateTime) refreshed = g_date_time_new_from_unix_utc (1710000000);
  g_autoptr(GDateTime) updated = g_date_time_new_from_unix_utc (1709000000);

  g_assert_no_error (error);
  g_assert_cmpint (tales_feed_get_db_id (first), >, 0);
  g_assert_cmpstr (tales_feed_get_url (first), ==, "https://b.example/rss");
  again = tales_store_ensure_feed (store, "https://b.example/rss", &error);
  g_assert_no_error (error);
  g_assert_cmpint (tales_feed_get_db_id (again), ==, tales_feed_get_db_id (first));

  tales_feed_set_title (first, "Bee");
  tales_feed_set_link (first, "https://b.example/");
  tales_feed_set_subtitle (first, "All about bees");
  tales_feed_set_image_url (first, "https://b.example/logo.png");
  tales_feed_set_language (first, "en");
  tales_feed_set_etag (first, "W/\"abc\"");
  tales_feed_set_last_modified (first, "Tue, 12 Mar 2024 10:00:00 GMT");
  tales_feed_set_last_refresh (first, refreshed);
  tales_feed_set_last_error (first, "The server did not answer.");
  tales_feed_set_updated (first, updated);
  g_assert_true (tales_store_update_feed (store, first, &error));
  g_assert_no_error (error);

  stored = tales_store_get_feed (store, tales_feed_get_db_id (first), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (tales_feed_get_title (stored), ==, "Bee");
  g_assert_cmpstr (tales_feed_get_link (stored), ==, "https://b.example/");
  g_assert_cmpstr (tales_feed_get_subtitle (stored), ==, "All about bees");
  g_assert_cmpstr (tales_feed_get_image_url (stored), ==, "https://b.example/logo.png");
  g_assert_cmpstr (tales_feed_get_language (stored), ==, "en");
  g_assert_cmpstr (tales_feed_get_etag (stored), ==, "W/\"abc\"");
  g_assert_cmpstr (tales_feed_get_last_modified (stored), ==, "Tue, 12 Mar 2024 10:00:00 GMT");
  g_assert_cmpstr (tales_feed_get_last_error (stored), ==, "The server did not answer.");
  g_assert_cmpint (g_date_time_to_unix (tales_feed_get_last_refresh (stored)), ==, 1710000000);
  g_assert_cmpint (g_date_time_to_unix (tales_feed_get_updated (stored)), ==, 1709000000);

  /* A refresh that works clears the error. */
  tales_feed_set_last_error (first, NULL);
  g_assert_true (tales_store_update_feed (store, first, &error));
  g_clear_object (&stored);
  stored = tales_store_get_feed (store, tales_feed_get_db_id (first), &error);
  g_assert_null (tales_feed_get_last_error (stored));

  tales_test_add_feed (store, "https://a.example/atom", "Ant");
  feeds = tales_store_list_feeds (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (feeds->len, ==, 2);
  g_assert_cmpstr (tales_feed_get_title (g_ptr_array_index (feeds, 0)), ==, "Ant");
  g_assert_cmpstr (tales_feed_get_title (g_ptr_array_index (feeds, 1)), ==, "Bee");

  missing = tales_store_get_feed (store, 4242, &error);
  g_assert_null (missing);
  g_assert_error (error, TALES_STORE_ERROR, TALES_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  missing = tales_store_find_feed_by_url (store, "https://nowhere.example/", &error);
  g_assert_null (missing);
  g_assert_error (error, TALES_STORE_ERROR, TALES_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  tales_feed_set_db_id (first, 4242);
  g_assert_false (tales_store_update_feed (store, first, &error));
  g_assert_error (error, TALES_STORE_ERROR, TALES_STORE_ERROR_NOT_FOUND);
}

/* Merging */

static void
test_merge (Fixture *fixture, gconstpointer data)
{
  g_autoptr(TalesStore) store = tales_test_open_store (fixture->path);
  g_autoptr(GPtrArray) posts = make_posts (4);
  g_autoptr(GPtrArray) same = make_posts (4);
  g_autoptr(GPtrArray) changed = make_posts (4);
  g_autoptr(GPtrArray) fewer = make_posts (3);
  g_autoptr(TalesPost) stored = NULL;
  gint64 feed_id = tales_test_add_feed (store, "https://example.com/feed.xml", "Example");
  gint64 ids[4];

  merge (store, feed_id, posts, 4, 0);
  g_assert_cmpuint (tales_test_count_posts (store, feed_id), ==, 4);
  for (guint i = 0; i < 4; i++)
    {
      ids[i] = tales_post_get_db_id (g_ptr_array_index (posts, i));
      g_assert_cmpint (ids[i], >, 0);
      g_assert_cmpint (tales_post_get_feed_id (g_ptr_array_index (posts, i)), ==, feed_id);
      for (guint j = 0; j < i; j++)
        g_assert_cmpint (ids[i], !=, ids[j]);
    }

  /* The same posts again: nothing new, nothing changed, same ids. */
  merge (store, feed_id, same, 0, 0);
  g_assert_cmpuint (tales_test_count_posts (store, feed_id), ==, 4);
  for (guint i = 0; i < 4; i++)
    g_assert_cmpint (tales_post_get_db_id (g_ptr_array_index (same, i)), ==, ids[i]);

  tales_post_set_title (g_ptr_array_index (changed, 1), "Post 2, corrected");
  merge (store, feed_id, changed, 0, 1);
  stored = load (store, ids[1]);
  g_assert_cmpstr (tales_post_get_title (stored), ==, "Post 2, corrected");

  /* Post 4 left the feed; it stays in the library. */
  tales_post_set_title (g_ptr_array_index (fewer, 1), "Post 2, corrected");
  merge (store, feed_id, fewer, 0, 0);
  g_assert_cmpuint (tales_test_count_posts (store, feed_id), ==, 4);
  g_clear_object (&stored);
  stored = load (store, ids[3]);
  g_assert_cmpstr (tales_post_get_title (stored), ==, "Post 4");
}

static void
test_merge_keys (Fixture *fixture, gconstpointer data)
{
  g_autoptr(TalesStore) store = tales_test_open_store (fixture->path);
  g_autoptr(GPtrArray) batch = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(TalesPost) stored = NULL;
  gint64 feed_id = tales_test_add_feed (store, "https://example.com/feed.xml", "Example");
  gint64 by_link, by_hash;

  /* No guid: the link is the key. */
  g_ptr_array_add (batch, make_post (NULL, "https://example.com/a", "A", 0));
  merge (store, feed_id, batch, 1, 0);
  by_link = tales_post_get_db_id (g_ptr_array_index (batch, 0));
  g_ptr_array_set_size (batch, 0);
  g_ptr_array_add (batch, make_post (NULL, "https://example.com/a", "A, retitled", 0));
  merge (store, feed_id, batch, 0, 1);
  g_assert_cmpint (tales_post_get_db_id (g_ptr_array_index (batch, 0)), ==, by_link);

  /* Neither guid nor link: the title and body are the key. */
  g_ptr_array_set_size (batch, 0);
  g_ptr_array_add (batch, make_post (NULL, NULL, "Untitled thought", 0));
  merge (store, feed_id, batch, 1, 0);
  by_hash = tales_post_get_db_id (g_ptr_array_index (batch, 0));
  g_ptr_array_set_size (batch, 0);
  g_ptr_array_add (batch, make_post (NULL, NULL, "Untitled thought", 0));
  merge (store, feed_id, batch, 0, 0);
  g_assert_cmpint (tales_post_get_db_id (g_ptr_array_index (batch, 0)), ==, by_hash);
  g_assert_cmpuint (tales_test_count_posts (store, feed_id), ==, 2);

  /* A change of the author alone is an update of the same post. */
  tales_post_set_author (g_ptr_array_index (batch, 0), "Grace");
  merge (store, feed_id, batch, 0, 1);
  stored = load (store, by_hash);
  g_assert_cmpstr (tales_post_get_author (stored), ==, "Grace");

  /* A feed that lists one post twice stores it once. */
  g_ptr_array_set_size (batch, 0);
  g_ptr_array_add (batch, make_post ("dup", NULL, "Twice", 0));
  g_ptr_array_add (batch, make_post ("dup", NULL, "Twice", 0));
  merge (store, feed_id, batch, 1, 0);
  g_assert_cmpint (tales_post_get_db_id (g_ptr_array_index (batch, 0)), ==,
                   tales_post_get_db_id (g_ptr_array_index (batch, 1)));
  g_assert_cmpuint (tales_test_count_posts (store, feed_id), ==, 3);
}

static void
test_merge_keeps_state (Fixture *fixture, gconstpointer data)
{
  g_autoptr(TalesStore) store = tales_test_open_store (fixture->path);
  g_autoptr(GPtrArray) posts = make_posts (2);
  g_autoptr(GPtrArray) changed = make_posts (2);
  g_autofree char *sql = NULL;
  g_autoptr(GError) error = NULL;
  gint64 feed_id = tales_test_add_feed (store, "https://example.com/feed.xml", "Example");
  gint64 post_id, first_seen;
  sqlite3 *raw;

  merge (store, feed_id, posts, 2, 0);
  post_id = tales_post_get_db_id (g_ptr_array_index (posts, 0));

  /* The reader's state through the store; first_seen, which only a merge
   * writes, moved back by hand so that a rewrite of it would show. */
  g_assert_true (tales_store_set_read (store, post_id, TRUE, &error));
  g_assert_true (tales_store_set_starred (store, post_id, TRUE, &error));
  g_assert_no_error (error);
  raw = tales_test_open_raw (fixture->path);
  sql = g_strdup_printf ("UPDATE posts SET first_seen = 12345 WHERE id = %" G_GINT64_FORMAT, post_id);
  tales_test_raw_exec (raw, sql);

  tales_post_set_title (g_ptr_array_index (changed, 0), "Retitled");
  tales_post_add_tag (g_ptr_array_index (changed, 0), "news", NULL, NULL);
  merge (store, feed_id, changed, 0, 1);

  g_clear_pointer (&sql, g_free);
  sql = g_strdup_printf ("SELECT is_read + is_starred FROM posts WHERE id = %" G_GINT64_FORMAT, post_id);
  g_assert_cmpint (tales_test_raw_int (raw, sql), ==, 2);
  g_clear_pointer (&sql, g_free);
  sql = g_strdup_printf ("SELECT first_seen FROM posts WHERE id = %" G_GINT64_FORMAT, post_id);
  first_seen = tales_test_raw_int (raw, sql);
  g_assert_cmpint (first_seen, ==, 12345);
  sqlite3_close (raw);
}

static void
test_merge_unknown_feed (Fixture *fixture, gconstpointer data)
{
  g_autoptr(TalesStore) store = tales_test_open_store (fixture->path);
  g_autoptr(GPtrArray) posts = make_posts (1);
  g_autoptr(GError) error = NULL;

  g_assert_false (tales_store_merge_posts (store, 777, posts, NULL, NULL, &error));
  g_assert_error (error, TALES_STORE_ERROR, TALES_STORE_ERROR_NOT_FOUND);
  g_assert_cmpint (tales_post_get_db_id (g_ptr_array_index (posts, 0)), ==, 0);
}

/* Reading */

static TalesPost *
list_item (GListModel *model, guint position)
{
  g_autoptr(TalesPost) post = g_list_model_get_item (model, position);

  return post; /* the model keeps it alive */
}

static void
assert_tag (TalesPost *post, guint index, const char *term, const char *scheme, const char *label)
{
  TalesTag *tag;

  g_assert_cmpuint (tales_post_get_tags (post)->len, >, index);
  tag = g_ptr_array_index (tales_post_get_tags (post), index);
  g_assert_cmpstr (tag->term, ==, term);
  g_assert_cmpstr (tag->scheme, ==, scheme);
  g_assert_cmpstr (tag->label, ==, label);
}

static void
test_list_and_load (Fixture *fixture, gconstpointer data)
{
  g_autoptr(TalesStore) store = tales_test_open_store (fixture->path);
  g_autoptr(GPtrArray) batch = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) other = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GListModel) all = NULL;
  g_autoptr(GListModel) one_feed = NULL;
  g_autoptr(TalesPost) full = NULL;
  g_autoptr(TalesPost) missing = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) updated = g_date_time_new_from_unix_utc (1650000000);
  gint64 feed_a = tales_test_add_feed (store, "https://a.example/rss", "Feed A");
  gint64 feed_b = tales_test_add_feed (store, "https://b.example/rss", "Feed B");
  TalesPost *post, *tagged;
  TalesEnclosure *enclosure;
  sqlite3 *raw;

  g_ptr_array_add (batch, make_post ("old", NULL, "Old", 1577836800));      /* 2020 */
  g_ptr_array_add (batch, make_post ("new", NULL, "New", 1704067200));      /* 2024 */
  g_ptr_array_add (batch, make_post ("undated", NULL, "Undated", 0));       /* first seen: now */
  g_ptr_array_add (batch, make_post ("upd", NULL, "Updated only", 0));      /* 2022 by updated */
  tales_post_set_updated (g_ptr_array_index (batch, 3), updated);
  tagged = g_ptr_array_index (batch, 1);
  tales_post_set_cover_url (tagged, "https://a.example/cover.png");
  tales_post_set_published_text (tagged, "Mon, 01 Jan 2024 00:00:00 GMT");
  tales_post_add_tag (tagged, "Tech Lead", "https://hashnode.com/tags", "Tech Leadership");
  tales_post_add_tag (tagged, "C", NULL, NULL);
  tales_post_add_tag (tagged, "GNOME", NULL, "The desktop");
  tales_post_add_enclosure (tagged, "https://a.example/cover.png", "image/png", 12345);
  tales_post_add_enclosure (tagged, "https://a.example/talk.ogg", NULL, 0);
  merge (store, feed_a, batch, 4, 0);

  g_ptr_array_add (other, make_post ("b1", NULL, "From B", 1672531200));    /* 2023 */
  tales_post_add_tag (g_ptr_array_index (other, 0), "gnome", NULL, NULL);
  merge (store, feed_b, other, 1, 0);

  all = tales_store_list_posts (store, 0, &error);
  g_assert_no_error (error);
  g_assert_true (g_list_model_get_item_type (all) == TALES_TYPE_POST);
  g_assert_cmpuint (g_list_model_get_n_items (all), ==, 5);
  g_assert_cmpstr (tales_post_get_title (list_item (all, 0)), ==, "Undated");
  g_assert_cmpstr (tales_post_get_title (list_item (all, 1)), ==, "New");
  g_assert_cmpstr (tales_post_get_title (list_item (all, 2)), ==, "From B");
  g_assert_cmpstr (tales_post_get_title (list_item (all, 3)), ==, "Updated only");
  g_assert_cmpstr (tales_post_get_title (list_item (all, 4)), ==, "Old");

  post = list_item (all, 1);
  g_assert_cmpint (tales_post_get_db_id (post), ==, tales_post_get_db_id (tagged));
  g_assert_cmpint (tales_post_get_feed_id (post), ==, feed_a);
  g_assert_cmpstr (tales_post_get_guid (post), ==, "new");
  g_assert_cmpstr (tales_post_get_author (post), ==, "Ada");
  g_assert_cmpstr (tales_post_get_feed_title (post), ==, "Feed A");
  g_assert_cmpstr (tales_post_get_cover_url (post), ==, "https://a.example/cover.png");
  g_assert_cmpstr (tales_post_get_published_text (post), ==, "Mon, 01 Jan 2024 00:00:00 GMT");
  g_assert_cmpint (g_date_time_to_unix (tales_post_get_published (post)), ==, 1704067200);
  g_assert_null (tales_post_get_summary (post));
  g_assert_null (tales_post_get_content (post));
  g_assert_cmpuint (tales_post_get_tags (post)->len, ==, 3);
  assert_tag (post, 0, "Tech Lead", "https://hashnode.com/tags", "Tech Leadership");
  assert_tag (post, 1, "C", NULL, NULL);
  assert_tag (post, 2, "GNOME", NULL, "The desktop");
  g_assert_cmpstrv (tales_post_get_categories (post),
                    ((const char * const[]) { "Tech Lead", "C", "GNOME", NULL }));
  g_assert_cmpuint (tales_post_get_enclosures (post)->len, ==, 0);
  g_assert_cmpint (g_date_time_to_unix (tales_post_get_updated (list_item (all, 3))), ==, 1650000000);
  g_assert_cmpstr (tales_post_get_feed_title (list_item (all, 2)), ==, "Feed B");
  assert_tag (list_item (all, 2), 0, "gnome", NULL, NULL);

  /* "GNOME" and "gnome" are one category, each post keeping its spelling. */
  raw = tales_test_open_raw (fixture->path);
  g_assert_cmpint (tales_test_raw_int (raw, "SELECT count(*) FROM categories"), ==, 3);
  sqlite3_close (raw);

  one_feed = tales_store_list_posts (store, feed_b, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (one_feed), ==, 1);
  assert_tag (list_item (one_feed, 0), 0, "gnome", NULL, NULL);

  full = load (store, tales_post_get_db_id (tagged));
  g_assert_cmpstr (tales_post_get_title (full), ==, "New");
  g_assert_cmpstr (tales_post_get_summary (full), ==, "A short summary.");
  g_assert_cmpstr (tales_post_get_content (full), ==, "<p>The whole text.</p>");
  g_assert_cmpstr (tales_post_get_feed_title (full), ==, "Feed A");
  g_assert_cmpstr (tales_post_get_cover_url (full), ==, "https://a.example/cover.png");
  assert_tag (full, 0, "Tech Lead", "https://hashnode.com/tags", "Tech Leadership");
  assert_tag (full, 2, "GNOME", NULL, "The desktop");
  g_assert_cmpuint (tales_post_get_enclosures (full)->len, ==, 2);
  enclosure = g_ptr_array_index (tales_post_get_enclosures (full), 0);
  g_assert_cmpstr (enclosure->href, ==, "https://a.example/cover.png");
  g_assert_cmpstr (enclosure->type, ==, "image/png");
  g_assert_cmpint (enclosure->length, ==, 12345);
  enclosure = g_ptr_array_index (tales_post_get_enclosures (full), 1);
  g_assert_cmpstr (enclosure->href, ==, "https://a.example/talk.ogg");
  g_assert_null (enclosure->type);
  g_assert_cmpint (enclosure->length, ==, 0);

  missing = tales_store_load_post (store, 999999, &error);
  g_assert_null (missing);
  g_assert_error (error, TALES_STORE_ERROR, TALES_STORE_ERROR_NOT_FOUND);
}

static void
test_tags_replaced (Fixture *fixture, gconstpointer data)
{
  g_autoptr(TalesStore) store = tales_test_open_store (fixture->path);
  g_autoptr(GPtrArray) first = make_posts (1);
  g_autoptr(GPtrArray) second = make_posts (1);
  g_autoptr(TalesPost) stored = NULL;
  gint64 feed_id = tales_test_add_feed (store, "https://example.com/feed.xml", "Example");

  tales_post_add_tag (g_ptr_array_index (first, 0), "one", NULL, NULL);
  tales_post_add_tag (g_ptr_array_index (first, 0), "two", NULL, NULL);
  tales_post_add_enclosure (g_ptr_array_index (first, 0), "https://e.example/a.mp3", "audio/mpeg", 1);
  merge (store, feed_id, first, 1, 0);

  tales_post_add_tag (g_ptr_array_index (second, 0), "two", NULL, NULL);
  merge (store, feed_id, second, 0, 1);
  stored = load (store, tales_post_get_db_id (g_ptr_array_index (second, 0)));
  g_assert_cmpuint (tales_post_get_tags (stored)->len, ==, 1);
  assert_tag (stored, 0, "two", NULL, NULL);
  g_assert_cmpuint (tales_post_get_enclosures (stored)->len, ==, 0);
}

/* Images */

static void
assert_image (TalesImageRecord *record, const char *url, TalesImageState state,
              const char *path, const char *mime_type, const char *reason)
{
  g_assert_nonnull (record);
  g_assert_cmpstr (record->url, ==, url);
  g_assert_cmpint (record->state, ==, state);
  g_assert_cmpstr (record->path, ==, path);
  g_assert_cmpstr (record->mime_type, ==, mime_type);
  g_assert_cmpstr (record->error, ==, reason);
}

static void
test_images (Fixture *fixture, gconstpointer data)
{
  g_autoptr(TalesStore) store = tales_test_open_store (fixture->path);
  g_autoptr(GPtrArray) posts = make_posts (1);
  g_autoptr(GPtrArray) urls = g_ptr_array_new ();
  g_autoptr(GPtrArray) listed = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TalesImageRecord) record = NULL;
  g_autofree char *hash = NULL;
  gint64 feed_id = tales_test_add_feed (store, "https://example.com/feed.xml", "Example");
  gint64 post_id;
  const char *a = "https://img.example/a.png";
  const char *b = "https://img.example/b.jpg";
  const char *c = "https://img.example/c.gif";

  merge (store, feed_id, posts, 1, 0);
  post_id = tales_post_get_db_id (g_ptr_array_index (posts, 0));

  g_ptr_array_add (urls, (char *) a);
  g_ptr_array_add (urls, (char *) b);
  g_ptr_array_add (urls, (char *) a);
  g_ptr_array_add (urls, (char *) c);
  g_assert_true (tales_store_link_post_images (store, post_id, urls, &error));
  g_assert_no_error (error);
  listed = tales_store_list_post_images (store, post_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (listed->len, ==, 3);
  g_assert_cmpstr (g_ptr_array_index (listed, 0), ==, a);
  g_assert_cmpstr (g_ptr_array_index (listed, 1), ==, b);
  g_assert_cmpstr (g_ptr_array_index (listed, 2), ==, c);

  record = tales_store_get_image (store, a, &error);
  g_assert_no_error (error);
  assert_image (record, a, TALES_IMAGE_PENDING, NULL, NULL, NULL);
  g_clear_pointer (&record, tales_image_record_free);

  g_assert_true (tales_store_set_image_cached (store, a, "ab/abcdef.png", "image/png", &error));
  g_assert_no_error (error);
  g_assert_true (tales_store_set_image_failed (store, b, "The server answered 404 Not Found.", &error));
  g_assert_no_error (error);

  record = tales_store_get_image (store, a, &error);
  assert_image (record, a, TALES_IMAGE_CACHED, "ab/abcdef.png", "image/png", NULL);
  g_clear_pointer (&record, tales_image_record_free);
  hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, a, -1);
  record = tales_store_get_image_by_url_hash (store, hash, &error);
  g_assert_no_error (error);
  assert_image (record, a, TALES_IMAGE_CACHED, "ab/abcdef.png", "image/png", NULL);
  g_clear_pointer (&record, tales_image_record_free);
  record = tales_store_get_image (store, b, &error);
  assert_image (record, b, TALES_IMAGE_FAILED, NULL, NULL, "The server answered 404 Not Found.");
  g_clear_pointer (&record, tales_image_record_free);

  /* Linking again replaces the list but never forgets a cached file. */
  g_ptr_array_set_size (urls, 0);
  g_ptr_array_add (urls, (char *) c);
  g_ptr_array_add (urls, (char *) a);
  g_assert_true (tales_store_link_post_images (store, post_id, urls, &error));
  g_clear_pointer (&listed, g_ptr_array_unref);
  listed = tales_store_list_post_images (store, post_id, &error);
  g_assert_cmpuint (listed->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (listed, 0), ==, c);
  g_assert_cmpstr (g_ptr_array_index (listed, 1), ==, a);
  record = tales_store_get_image (store, a, &error);
  assert_image (record, a, TALES_IMAGE_CACHED, "ab/abcdef.png", "image/png", NULL);
  g_clear_pointer (&record, tales_image_record_free);

  /* A failed image that later downloads becomes cached. */
  g_assert_true (tales_store_set_image_cached (store, b, "cd/b.jpg", "image/jpeg", &error));
  record = tales_store_get_image (store, b, &error);
  assert_image (record, b, TALES_IMAGE_CACHED, "cd/b.jpg", "image/jpeg", NULL);
  g_clear_pointer (&record, tales_image_record_free);

  /* An image no post named yet can still be recorded. */
  g_assert_true (tales_store_set_image_cached (store, "https://img.example/lone.webp",
                                               "ef/lone.webp", "image/webp", &error));
  g_assert_no_error (error);

  record = tales_store_get_image (store, "https://img.example/unknown.png", &error);
  g_assert_no_error (error);
  g_assert_null (record);
  record = tales_store_get_image_by_url_hash (store, "0000", &error);
  g_assert_no_error (error);
  g_assert_null (record);

  g_assert_false (tales_store_link_post_images (store, 31337, urls, &error));
  g_assert_error (error, TALES_STORE_ERROR, TALES_STORE_ERROR_NOT_FOUND);
}

/* Failures */

static void
test_failure_changes_nothing (Fixture *fixture, gconstpointer data)
{
  g_autoptr(TalesStore) store = tales_test_open_store (fixture->path);
  g_autoptr(GPtrArray) posts = make_posts (4);
  g_autoptr(GPtrArray) batch = make_posts (7);
  g_autoptr(GListModel) before = NULL;
  g_autoptr(GListModel) after = NULL;
  g_autoptr(TalesPost) first = NULL;
  g_autoptr(GError) error = NULL;
  gint64 feed_id = tales_test_add_feed (store, "https://example.com/feed.xml", "Example");
  guint n_new = 99, n_updated = 99;
  sqlite3 *raw;

  tales_post_add_tag (g_ptr_array_index (posts, 0), "kept", NULL, NULL);
  merge (store, feed_id, posts, 4, 0);
  before = tales_store_list_posts (store, 0, &error);
  g_assert_no_error (error);

  /* Another program makes the sixth post of the next batch fail, after the
   * first five have been written inside the transaction. */
  raw = tales_test_open_raw (fixture->path);
  tales_test_raw_exec (raw, "CREATE TRIGGER refuse BEFORE INSERT ON posts WHEN NEW.title = 'Poison' "
                 "BEGIN SELECT RAISE (ABORT, 'refused by the test'); END");
  tales_post_set_title (g_ptr_array_index (batch, 0), "Post 1, changed");
  tales_post_add_tag (g_ptr_array_index (batch, 0), "replaced", NULL, NULL);
  tales_post_set_title (g_ptr_array_index (batch, 5), "Poison");

  g_assert_false (tales_store_merge_posts (store, feed_id, batch, &n_new, &n_updated, &error));
  g_assert_error (error, TALES_STORE_ERROR, TALES_STORE_ERROR_FAILED);
  g_test_message ("%s", error->message);
  g_clear_error (&error);
  g_assert_cmpuint (n_new, ==, 0);
  g_assert_cmpuint (n_updated, ==, 0);
  g_assert_cmpint (tales_post_get_db_id (g_ptr_array_index (batch, 4)), ==, 0);

  g_assert_cmpuint (tales_test_count_posts (store, 0), ==, 4);
  after = tales_store_list_posts (store, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (after), ==, g_list_model_get_n_items (before));
  for (guint i = 0; i < g_list_model_get_n_items (after); i++)
    g_assert_cmpstr (tales_post_get_title (list_item (after, i)), ==,
                     tales_post_get_title (list_item (before, i)));
  first = load (store, tales_post_get_db_id (g_ptr_array_index (posts, 0)));
  g_assert_cmpstr (tales_post_get_title (first), ==, "Post 1");
  g_assert_cmpuint (tales_post_get_tags (first)->len, ==, 1);
  assert_tag (first, 0, "kept", NULL, NULL);

  /* The store is still good: without the trigger the same batch goes in. */
  tales_test_raw_exec (raw, "DROP TRIGGER refuse");
  sqlite3_close (raw);
  merge (store, feed_id, batch, 3, 1);
  g_assert_cmpuint (tales_test_count_posts (store, 0), ==, 7);
}

#define KILL_BATCH 50

static GPtrArray *
make_batch (guint index)
{
  GPtrArray *posts = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *body = g_strnfill (2000, 'w');

  for (guint i = 0; i < KILL_BATCH; i++)
    {
      g_autofree char *guid = g_strdup_printf ("batch-%u-post-%u", index, i);
      TalesPost *post = make_post (guid, NULL, guid, 1700000000 + index * KILL_BATCH + i);

      tales_post_set_content (post, body);
      tales_post_add_tag (post, "load", NULL, NULL);
      g_ptr_array_add (posts, post);
    }
  return posts;
}

/* In the child: merge batch after batch until killed. Never returns. */
static void
write_until_killed (const char *path, int ready_fd)
{
  g_autoptr(TalesStore) store = tales_store_open (path, NULL);
  g_autoptr(TalesFeed) feed = NULL;

  if (store == NULL || (feed = tales_store_ensure_feed (store, "https://k.example/", NULL)) == NULL)
    _exit (2);
  for (guint i = 0; i < 100000; i++)
    {
      g_autoptr(GPtrArray) batch = make_batch (i);

      if (!tales_store_merge_posts (store, tales_feed_get_db_id (feed), batch, NULL, NULL, NULL))
        _exit (3);
      if (i == 0 && write (ready_fd, "r", 1) != 1)
        _exit (4);
    }
  _exit (0);
}

static void
test_killed_mid_write (Fixture *fixture, gconstpointer data)
{
  g_autoptr(TalesStore) store = NULL;
  g_autofree char *integrity = NULL;
  int fds[2];
  char ready;
  pid_t pid;
  int status;
  guint n;
  sqlite3 *raw;

  g_assert_cmpint (pipe (fds), ==, 0);
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      close (fds[0]);
      write_until_killed (fixture->path, fds[1]);
    }
  close (fds[1]);

  /* Once the first batch is in, give it ~100 ms more, then kill -9. */
  g_assert_cmpint (read (fds[0], &ready, 1), ==, 1);
  close (fds[0]);
  g_usleep (100 * 1000);
  g_assert_cmpint (kill (pid, SIGKILL), ==, 0);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFSIGNALED (status));

  store = tales_test_open_store (fixture->path);
  n = tales_test_count_posts (store, 0);
  g_test_message ("%u posts survived the kill", n);
  g_assert_cmpuint (n, >=, KILL_BATCH);
  g_assert_cmpuint (n % KILL_BATCH, ==, 0);

  raw = tales_test_open_raw (fixture->path);
  integrity = tales_test_raw_text (raw, "PRAGMA integrity_check");
  g_assert_cmpstr (integrity, ==, "ok");
  g_assert_cmpint (tales_test_raw_int (raw, "SELECT count(*) FROM post_categories"), ==, n);
  sqlite3_close (raw);
}

/* Threads: a refresh writes while the UI reads. */

typedef struct {
  TalesStore *store;
  gint64 feed_id;
  int done;
} WriterData;

static gpointer
writer_thread (gpointer user_data)
{
  WriterData *writer = user_data;

  for (guint i = 0; i < 20; i++)
    {
      g_autoptr(GPtrArray) batch = g_ptr_array_new_with_free_func (g_object_unref);
      g_autoptr(GError) error = NULL;

      for (guint j = 0; j < 10; j++)
        {
          g_autofree char *guid = g_strdup_printf ("t%u-%u", i, j);
          g_ptr_array_add (batch, make_post (guid, NULL, guid, 1700000000 + i * 10 + j));
        }
      if (!tales_store_merge_posts (writer->store, writer->feed_id, batch, NULL, NULL, &error))
        {
          g_atomic_int_set (&writer->done, 1);
          return g_strdup (error->message);
        }
    }
  g_atomic_int_set (&writer->done, 1);
  return NULL;
}

static void
test_threads (Fixture *fixture, gconstpointer data)
{
  g_autoptr(TalesStore) store = tales_test_open_store (fixture->path);
  WriterData writer = { store, tales_test_add_feed (store, "https://t.example/", "Threads"), 0 };
  g_autoptr(GThread) thread = g_thread_new ("writer", writer_thread, &writer);
  g_autofree char *failure = NULL;

  /* Every read sees whole batches: never the middle of a merge. */
  while (!g_atomic_int_get (&writer.done))
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GListModel) posts = tales_store_list_posts (store, 0, &error);

      g_assert_no_error (error);
      g_assert_cmpuint (g_list_model_get_n_items (posts) % 10, ==, 0);
    }
  failure = g_thread_join (g_steal_pointer (&thread));
  g_assert_null (failure);
  g_assert_cmpuint (tales_test_count_posts (store, 0), ==, 200);
}

/* Merging with images, and the search index the merge writes */

static GPtrArray *
merge_with_images (TalesStore *store, gint64 feed_id, GPtrArray *posts,
                   guint expect_new, guint expect_updated)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *urls = NULL;
  guint n_new = 99, n_updated = 99;

  g_assert_true (tales_store_merge_feed_posts (store, feed_id, posts, &n_new, &n_updated,
                                               &urls, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_new, ==, expect_new);
  g_assert_cmpuint (n_updated, ==, expect_updated);
  g_assert_nonnull (urls);
  return urls;
}

static void
assert_strings (GPtrArray *strings, guint n, ...)
{
  va_list args;

  g_assert_cmpuint (strings->len, ==, n);
  va_start (args, n);
  for (guint i = 0; i < n; i++)
    g_assert_cmpstr (g_ptr_array_index (strings, i), ==, va_arg (args, const char *));
  va_end (args);
}

static GPtrArray *
post_images (TalesStore *store, TalesPost *post)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *urls = tales_store_list_post_images (store, tales_post_get_db_id (post), &error);

  g_assert_no_error (error);
  return urls;
}

static void
test_merge_images (Fixture *fixture, gconstpointer data)
{
  g_autoptr(TalesStore) store = tales_test_open_store (fixture->path);
  g_autoptr(GPtrArray) posts = make_posts (3);
  g_autoptr(GPtrArray) urls = NULL;
  g_autoptr(GPtrArray) listed = NULL;
  g_autoptr(TalesImageRecord) record = NULL;
  g_autoptr(GError) error = NULL;
  gint64 feed_id = tales_test_add_feed (store, "https://example.com/feed.xml", "Example");
  TalesPost *first = g_ptr_array_index (posts, 0);
  TalesPost *second = g_ptr_array_index (posts, 1);
  sqlite3 *raw;

  /* Relative sources resolve against the post's link; a feed repeats the
   * same image on many posts, and a post may show one twice. */
  tales_post_set_content (first, "<p>Kale <img src=\"/img/a.png\"> and <img src=\"b.png\">"
                                 "<img src=\"/img/a.png\"></p>");
  tales_post_set_cover_url (first, "https://cdn.example/cover.jpg");
  tales_post_set_content (second, "<p>Puffins <img src=\"https://example.com/img/a.png\"></p>");
  tales_post_add_enclosure (second, "https://cdn.example/photo.png", "image/png", 10);
  tales_post_add_enclosure (second, "https://cdn.example/talk.mp3", "audio/mpeg", 10);

  urls = merge_with_images (store, feed_id, posts, 3, 0);
  assert_strings (urls, 4, "https://example.com/img/a.png", "https://example.com/b.png",
                  "https://cdn.example/cover.jpg", "https://cdn.example/photo.png");
  listed = post_images (store, first);
  assert_strings (listed, 3, "https://example.com/img/a.png", "https://example.com/b.png",
                  "https://cdn.example/cover.jpg");
  g_clear_pointer (&listed, g_ptr_array_unref);
  listed = post_images (store, second);
  assert_strings (listed, 2, "https://example.com/img/a.png", "https://cdn.example/photo.png");
  g_clear_pointer (&listed, g_ptr_array_unref);
  record = tales_store_get_image (store, "https://example.com/b.png", &error);
  g_assert_no_error (error);
  assert_image (record, "https://example.com/b.png", TALES_IMAGE_PENDING, NULL, NULL, NULL);
  g_clear_pointer (&record, tales_image_record_free);

  /* Unchanged posts still list their images, with a cached one kept. */
  g_assert_true (tales_store_set_image_cached (store, "https://example.com/b.png", "bb/b.png",
                                               "image/png", &error));
  g_assert_no_error (error);
  g_clear_pointer (&urls, g_ptr_array_unref);
  urls = merge_with_images (store, feed_id, posts, 0, 0);
  assert_strings (urls, 4, "https://example.com/img/a.png", "https://example.com/b.png",
                  "https://cdn.example/cover.jpg", "https://cdn.example/photo.png");
  record = tales_store_get_image (store, "https://example.com/b.png", &error);
  assert_image (record, "https://example.com/b.png", TALES_IMAGE_CACHED, "bb/b.png", "image/png", NULL);

  /* A changed post's list is replaced; its old image stays known. */
  tales_post_set_content (first, "<p>Kale <img src=\"https://cdn.example/new.webp\"></p>");
  tales_post_set_cover_url (first, NULL);
  g_clear_pointer (&urls, g_ptr_array_unref);
  urls = merge_with_images (store, feed_id, posts, 0, 1);
  assert_strings (urls, 3, "https://cdn.example/new.webp", "https://example.com/img/a.png",
                  "https://cdn.example/photo.png");
  listed = post_images (store, first);
  assert_strings (listed, 1, "https://cdn.example/new.webp");

  raw = tales_test_open_raw (fixture->path);
  g_assert_cmpint (tales_test_raw_int (raw, "SELECT count(*) FROM images"), ==, 5);
  g_assert_cmpint (tales_test_raw_int (raw, "SELECT count(*) FROM post_images"), ==, 3);
  sqlite3_close (raw);
}

static gint64
search_count (sqlite3 *raw, const char *word)
{
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM post_search "
                                          "WHERE post_search MATCH '%s'", word);

  return tales_test_raw_int (raw, sql);
}

static void
test_merge_search (Fixture *fixture, gconstpointer data)
{
  g_autoptr(TalesStore) store = tales_test_open_store (fixture->path);
  g_autoptr(GPtrArray) posts = make_posts (40);
  g_autoptr(GPtrArray) urls = NULL;
  gint64 feed_id = tales_test_add_feed (store, "https://example.com/feed.xml", "Example");
  TalesPost *changed = g_ptr_array_index (posts, 7);
  sqlite3 *raw;

  /* Enough posts that their bodies are parsed on other threads. */
  for (guint i = 0; i < posts->len; i++)
    {
      g_autofree char *body = g_strdup_printf ("<p>Body %u of <b>kale</b><!-- puffins --></p>", i);

      tales_post_set_content (g_ptr_array_index (posts, i), body);
    }
  tales_post_add_tag (changed, "Seabirds", NULL, NULL);
  urls = merge_with_images (store, feed_id, posts, 40, 0);
  g_assert_cmpuint (urls->len, ==, 0);

  raw = tales_test_open_raw (fixture->path);
  g_assert_cmpint (search_count (raw, "kale"), ==, 40);
  g_assert_cmpint (search_count (raw, "puffins"), ==, 0);
  g_assert_cmpint (search_count (raw, "seabirds"), ==, 1);
  g_assert_cmpint (search_count (raw, "ada"), ==, 40);

  /* A changed post is found by its new words only. */
  tales_post_set_content (changed, "<p>Puffins, and no green leaves.</p>");
  tales_post_set_title (changed, "Cliffs");
  g_clear_pointer (&urls, g_ptr_array_unref);
  urls = merge_with_images (store, feed_id, posts, 0, 1);
  g_assert_cmpint (search_count (raw, "kale"), ==, 39);
  g_assert_cmpint (search_count (raw, "puffins"), ==, 1);
  g_assert_cmpint (search_count (raw, "cliffs"), ==, 1);
  g_assert_cmpint (search_count (raw, "\"post 8\""), ==, 0);
  tales_test_raw_exec (raw, "INSERT INTO post_search (post_search, rank) VALUES ('integrity-check', 1)");

  /* The old merge keeps indexing too, without linking images. */
  tales_post_set_content (changed, "<p>Gannets <img src=\"https://cdn.example/g.png\"></p>");
  merge (store, feed_id, posts, 0, 1);
  g_assert_cmpint (search_count (raw, "gannets"), ==, 1);
  g_assert_cmpint (search_count (raw, "puffins"), ==, 0);
  g_assert_cmpint (tales_test_raw_int (raw, "SELECT count(*) FROM post_images"), ==, 0);
  tales_test_raw_exec (raw, "INSERT INTO post_search (post_search, rank) VALUES ('integrity-check', 1)");
  sqlite3_close (raw);
}

/* Posts prepared on other threads while they are added, merged as each is
 * ready: the same library as a plain merge. */
static void
test_merge_prepared (Fixture *fixture, gconstpointer data)
{
  g_autoptr(TalesStore) store = tales_test_open_store (fixture->path);
  g_autoptr(GPtrArray) posts = make_posts (50);
  g_autoptr(TalesStorePreparer) preparer = tales_store_preparer_new (TRUE);
  g_autoptr(TalesStorePreparer) again = tales_store_preparer_new (TRUE);
  g_autoptr(TalesStorePreparer) unused = tales_store_preparer_new (TRUE);
  g_autoptr(GPtrArray) urls = NULL;
  g_autoptr(GPtrArray) listed = NULL;
  g_autoptr(GError) error = NULL;
  gint64 feed_id = tales_test_add_feed (store, "https://example.com/feed.xml", "Example");
  guint n_new = 0, n_updated = 0;
  sqlite3 *raw;

  for (guint i = 0; i < posts->len; i++)
    {
      TalesPost *post = g_ptr_array_index (posts, i);
      g_autofree char *body = g_strdup_printf ("<p>Fulmar fulmar%u <img src=\"/img/%u.png\"></p>", i, i % 3);

      tales_post_set_content (post, body);
      tales_store_preparer_add (preparer, post);
      tales_store_preparer_add (unused, post);
    }
  /* The same post twice: the first wins, as in any merge. */
  tales_store_preparer_add (preparer, g_ptr_array_index (posts, 0));
  g_assert_cmpuint (tales_store_preparer_get_n_posts (preparer), ==, 51);

  g_assert_true (tales_store_merge_prepared (store, feed_id, preparer, &n_new, &n_updated,
                                             &urls, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_new, ==, 50);
  g_assert_cmpuint (n_updated, ==, 0);
  assert_strings (urls, 3, "https://example.com/img/0.png", "https://example.com/img/1.png",
                  "https://example.com/img/2.png");
  listed = post_images (store, g_ptr_array_index (posts, 4));
  assert_strings (listed, 1, "https://example.com/img/1.png");

  raw = tales_test_open_raw (fixture->path);
  g_assert_cmpint (search_count (raw, "fulmar"), ==, 50);
  g_assert_cmpint (search_count (raw, "fulmar17"), ==, 1);
  tales_test_raw_exec (raw, "INSERT INTO post_search (post_search, rank) VALUES ('integrity-check', 1)");

  /* Again, one changed: found by its new words only. */
  tales_post_set_content (g_ptr_array_index (posts, 9), "<p>Shearwater</p>");
  for (guint i = 0; i < posts->len; i++)
    tales_store_preparer_add (again, g_ptr_array_index (posts, i));
  g_clear_pointer (&urls, g_ptr_array_unref);
  g_assert_true (tales_store_merge_prepared (store, feed_id, again, &n_new, &n_updated,
                                             &urls, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_new, ==, 0);
  g_assert_cmpuint (n_updated, ==, 1);
  g_assert_cmpuint (urls->len, ==, 3);
  g_assert_cmpint (search_count (raw, "fulmar"), ==, 49);
  g_assert_cmpint (search_count (raw, "shearwater"), ==, 1);
  g_assert_cmpint (tales_test_raw_int (raw, "SELECT count(*) FROM post_images"), ==, 49);
  tales_test_raw_exec (raw, "INSERT INTO post_search (post_search, rank) VALUES ('integrity-check', 1)");
  sqlite3_close (raw);
  /* @unused is freed without a merge, its threads stopped. */
}

/* Posts g1..g@n, each with a word of its own and one of @n_images images. */
static GPtrArray *
make_posts_with_images (guint n, guint n_images)
{
  GPtrArray *posts = make_posts (n);

  for (guint i = 0; i < posts->len; i++)
    {
      g_autofree char *body = g_strdup_printf ("<p>Gannet gannet%u <img src=\"/img/%u.png\"></p>",
                                               i, i % n_images);

      tales_post_set_content (g_ptr_array_index (posts, i), body);
    }
  return posts;
}

/* A preparer that worked out no images, merged with images (and the other
 * way round): the merge works out what the preparer did not. Posts stored
 * without images, unchanged, have theirs linked then. */
static void
test_merge_prepared_mismatch (Fixture *fixture, gconstpointer data)
{
  g_autoptr(TalesStore) store = tales_test_open_store (fixture->path);
  g_autoptr(GPtrArray) posts = make_posts_with_images (6, 2);
  g_autoptr(GPtrArray) first_five = g_ptr_array_new ();
  g_autoptr(TalesStorePreparer) without = tales_store_preparer_new (FALSE);
  g_autoptr(TalesStorePreparer) with = tales_store_preparer_new (TRUE);
  g_autoptr(GPtrArray) urls = NULL;
  g_autoptr(GPtrArray) listed = NULL;
  g_autoptr(GError) error = NULL;
  gint64 feed_id = tales_test_add_feed (store, "https://example.com/feed.xml", "Example");
  guint n_new = 0, n_updated = 0;
  sqlite3 *raw;

  for (guint i = 0; i < 5; i++)
    g_ptr_array_add (first_five, g_ptr_array_index (posts, i));
  merge (store, feed_id, first_five, 5, 0);
  listed = post_images (store, g_ptr_array_index (posts, 3));
  g_assert_cmpuint (listed->len, ==, 0);
  g_clear_pointer (&listed, g_ptr_array_unref);

  for (guint i = 0; i < posts->len; i++)
    tales_store_preparer_add (without, g_ptr_array_index (posts, i));
  g_assert_true (tales_store_merge_prepared (store, feed_id, without, &n_new, &n_updated,
                                             &urls, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_new, ==, 1);
  g_assert_cmpuint (n_updated, ==, 0);
  assert_strings (urls, 2, "https://example.com/img/0.png", "https://example.com/img/1.png");
  listed = post_images (store, g_ptr_array_index (posts, 3));
  assert_strings (listed, 1, "https://example.com/img/1.png");
  g_clear_pointer (&listed, g_ptr_array_unref);
  listed = post_images (store, g_ptr_array_index (posts, 5));
  assert_strings (listed, 1, "https://example.com/img/1.png");

  tales_post_set_content (g_ptr_array_index (posts, 2), "<p>Skua <img src=\"/img/9.png\"></p>");
  for (guint i = 0; i < posts->len; i++)
    tales_store_preparer_add (with, g_ptr_array_index (posts, i));
  g_assert_true (tales_store_merge_prepared (store, feed_id, with, &n_new, &n_updated,
                                             NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_new, ==, 0);
  g_assert_cmpuint (n_updated, ==, 1);

  raw = tales_test_open_raw (fixture->path);
  g_assert_cmpint (search_count (raw, "gannet"), ==, 5);
  g_assert_cmpint (search_count (raw, "skua"), ==, 1);
  g_assert_cmpint (tales_test_raw_int (raw, "SELECT count(*) FROM post_images"), ==, 6);
  tales_test_raw_exec (raw, "INSERT INTO post_search (post_search, rank) VALUES ('integrity-check', 1)");
  sqlite3_close (raw);
}

/* The preparer keeps what it works out per position, not on the post: one
 * post listed twice, and the same posts worked out by another preparer at
 * the same time, leave each merge its own. */
static void
test_merge_shared_posts (Fixture *fixture, gconstpointer data)
{
  g_autoptr(TalesStore) store = tales_test_open_store (fixture->path);
  g_autoptr(GPtrArray) posts = make_posts_with_images (40, 4);
  g_autoptr(GPtrArray) listed = g_ptr_array_new ();
  gint64 feed_id = tales_test_add_feed (store, "https://example.com/feed.xml", "Example");
  sqlite3 *raw;

  for (guint i = 0; i < posts->len; i++)
    g_ptr_array_add (listed, g_ptr_array_index (posts, i));
  g_ptr_array_add (listed, g_ptr_array_index (posts, 0));
  g_ptr_array_add (listed, g_ptr_array_index (posts, 7));

  for (guint round = 0; round < 10; round++)
    {
      g_autoptr(TalesStorePreparer) other = tales_store_preparer_new (round % 2 == 0);
      g_autoptr(GPtrArray) urls = NULL;

      for (guint i = 0; i < posts->len; i++)
        tales_store_preparer_add (other, g_ptr_array_index (posts, i));
      urls = merge_with_images (store, feed_id, listed, round == 0 ? 40 : 0, 0);
      g_assert_cmpuint (urls->len, ==, 4);
    }
  g_assert_cmpint (tales_post_get_db_id (g_ptr_array_index (listed, 40)), ==,
                   tales_post_get_db_id (g_ptr_array_index (posts, 0)));
  g_assert_cmpuint (tales_test_count_posts (store, feed_id), ==, 40);

  raw = tales_test_open_raw (fixture->path);
  g_assert_cmpint (search_count (raw, "gannet"), ==, 40);
  g_assert_cmpint (tales_test_raw_int (raw, "SELECT count(*) FROM post_images"), ==, 40);
  sqlite3_close (raw);
}

/* Far more posts than the preparer may work out ahead of the merge: every
 * one is stored, in the feed's order, well within a deadline. */
#define MANY_POSTS 2000
#define MANY_POSTS_DEADLINE_S 60

static void
test_merge_many (Fixture *fixture, gconstpointer data)
{
  g_autoptr(TalesStore) store = tales_test_open_store (fixture->path);
  g_autoptr(GPtrArray) posts = make_posts_with_images (MANY_POSTS, 10);
  g_autoptr(GPtrArray) urls = NULL;
  gint64 feed_id = tales_test_add_feed (store, "https://example.com/feed.xml", "Example");
  gint64 start = g_get_monotonic_time ();
  sqlite3 *raw;

  urls = merge_with_images (store, feed_id, posts, MANY_POSTS, 0);
  g_assert_cmpint (g_get_monotonic_time () - start, <, MANY_POSTS_DEADLINE_S * G_USEC_PER_SEC);
  g_assert_cmpuint (urls->len, ==, 10);
  for (guint i = 1; i < posts->len; i++)
    g_assert_cmpint (tales_post_get_db_id (g_ptr_array_index (posts, i - 1)), <,
                     tales_post_get_db_id (g_ptr_array_index (posts, i)));

  raw = tales_test_open_raw (fixture->path);
  g_assert_cmpint (search_count (raw, "gannet"), ==, MANY_POSTS);
  g_assert_cmpint (search_count (raw, "gannet1999"), ==, 1);
  g_assert_cmpint (tales_test_raw_int (raw, "SELECT count(*) FROM post_images"), ==, MANY_POSTS);
  sqlite3_close (raw);
}

/* A merge that stops before waiting for any post (no such feed) leaves the
 * preparer's threads waiting at their bound: freeing it still stops them,
 * and nothing is stored. */
static void
test_merge_prepared_unknown_feed (Fixture *fixture, gconstpointer data)
{
  g_autoptr(TalesStore) store = tales_test_open_store (fixture->path);
  g_autoptr(GPtrArray) posts = make_posts_with_images (500, 3);
  TalesStorePreparer *preparer = tales_store_preparer_new (TRUE);
  g_autoptr(GPtrArray) urls = NULL;
  g_autoptr(GError) error = NULL;
  guint n_new = 99;

  for (guint i = 0; i < posts->len; i++)
    tales_store_preparer_add (preparer, g_ptr_array_index (posts, i));
  g_assert_false (tales_store_merge_prepared (store, 777, preparer, &n_new, NULL, &urls, &error));
  g_assert_error (error, TALES_STORE_ERROR, TALES_STORE_ERROR_NOT_FOUND);
  g_assert_cmpuint (n_new, ==, 0);
  g_assert_null (urls);
  g_assert_cmpuint (tales_store_preparer_get_n_left_out (preparer), ==, 0);
  tales_store_preparer_free (preparer);
  g_assert_cmpint (tales_post_get_db_id (g_ptr_array_index (posts, 0)), ==, 0);
  g_assert_cmpuint (tales_test_count_posts (store, 0), ==, 0);
}

/* A library of schema 1 (search indexed by triggers) opens as schema 2,
 * and what was indexed before stays searchable and consistent. */
static void
test_migrate_from_1 (Fixture *fixture, gconstpointer data)
{
  g_autoptr(TalesStore) store = tales_test_open_store (fixture->path);
  g_autoptr(GPtrArray) posts = make_posts (2);
  gint64 feed_id = tales_test_add_feed (store, "https://example.com/feed.xml", "Example");
  sqlite3 *raw;

  merge (store, feed_id, posts, 2, 0);
  g_clear_object (&store);

  raw = tales_test_open_raw (fixture->path);
  tales_test_raw_exec (raw,
    "CREATE TRIGGER post_text_insert AFTER INSERT ON post_text BEGIN"
    "  INSERT INTO post_search (rowid, title, body, author, categories)"
    "  VALUES (new.id, new.title, new.body, new.author, new.categories);"
    "END;"
    "CREATE TRIGGER post_text_update AFTER UPDATE ON post_text BEGIN"
    "  INSERT INTO post_search (post_search, rowid, title, body, author, categories)"
    "  VALUES ('delete', old.id, old.title, old.body, old.author, old.categories);"
    "  INSERT INTO post_search (rowid, title, body, author, categories)"
    "  VALUES (new.id, new.title, new.body, new.author, new.categories);"
    "END;"
    /* and without what later versions added */
    "ALTER TABLE images DROP COLUMN size;"
    "ALTER TABLE images DROP COLUMN failures;"
    "ALTER TABLE images DROP COLUMN retry_after;"
    "DROP INDEX images_by_path;"
    "DROP INDEX posts_by_identity;"
    "ALTER TABLE posts DROP COLUMN identity;"
    "PRAGMA user_version = 1;");
  sqlite3_close (raw);

  store = tales_test_open_store (fixture->path);
  tales_post_set_content (g_ptr_array_index (posts, 0), "<p>Something else entirely.</p>");
  merge (store, feed_id, posts, 0, 1);

  raw = tales_test_open_raw (fixture->path);
  g_assert_cmpint (tales_test_raw_int (raw, "PRAGMA user_version"), ==, SCHEMA_VERSION);
  g_assert_cmpint (tales_test_raw_int (raw, "SELECT count(*) FROM sqlite_master WHERE type = 'trigger'"), ==, 1);
  g_assert_cmpint (search_count (raw, "whole"), ==, 1);
  g_assert_cmpint (search_count (raw, "entirely"), ==, 1);
  tales_test_raw_exec (raw, "INSERT INTO post_search (post_search, rank) VALUES ('integrity-check', 1)");
  sqlite3_close (raw);
}

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  tales_core_init ();

  ADD ("/tales/store/open", test_open);
  g_test_add_func ("/tales/store/open-default", test_open_default);
  ADD ("/tales/store/open-not-a-database", test_open_not_a_database);
  ADD ("/tales/store/open-impossible-folder", test_open_impossible_folder);
  ADD ("/tales/store/feeds", test_feeds);
  ADD ("/tales/store/merge", test_merge);
  ADD ("/tales/store/merge-keys", test_merge_keys);
  ADD ("/tales/store/merge-keeps-state", test_merge_keeps_state);
  ADD ("/tales/store/merge-unknown-feed", test_merge_unknown_feed);
  ADD ("/tales/store/list-and-load", test_list_and_load);
  ADD ("/tales/store/tags-replaced", test_tags_replaced);
  ADD ("/tales/store/images", test_images);
  ADD ("/tales/store/merge-images", test_merge_images);
  ADD ("/tales/store/merge-search", test_merge_search);
  ADD ("/tales/store/merge-prepared", test_merge_prepared);
  ADD ("/tales/store/merge-prepared-mismatch", test_merge_prepared_mismatch);
  ADD ("/tales/store/merge-shared-posts", test_merge_shared_posts);
  ADD ("/tales/store/merge-many", test_merge_many);
  ADD ("/tales/store/merge-prepared-unknown-feed", test_merge_prepared_unknown_feed);
  ADD ("/tales/store/migrate-from-1", test_migrate_from_1);
  ADD ("/tales/store/failure-changes-nothing", test_failure_changes_nothing);
  ADD ("/tales/store/killed-mid-write", test_killed_mid_write);
  ADD ("/tales/store/threads", test_threads);

  return g_test_run ();
}
