/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Tests for the reader's library in the store: filters, search, read and
 * star state, counts, categories, unsubscribing, pruning and batches of
 * subscriptions. Each test has its own real SQLite file (the XDG dirs are
 * isolated per test). */

#include "tales-core.h"
#include "tales-test-utils.h"

/* A post published @day days after a fixed date, with @categories
 * separated by commas (nullable). */
static TalesPost *
make_post (const char *guid, const char *title, const char *content, const char *author,
           const char *categories, int day)
{
  TalesPost *post = tales_test_make_post (guid, title, 1700000000 + (gint64) day * 86400);
  g_auto(GStrv) terms = categories ? g_strsplit (categories, ",", -1) : NULL;

  tales_post_set_content (post, content);
  tales_post_set_author (post, author);
  for (guint i = 0; terms != NULL && terms[i] != NULL; i++)
    tales_post_add_tag (post, terms[i], NULL, NULL);
  return post;
}

static gint64
post_id (GPtrArray *posts, guint i)
{
  return tales_post_get_db_id (g_ptr_array_index (posts, i));
}

/* Two feeds with posts on different days, so the display order is known:
 * newest first, b2 (day 9), a3 (8), b1 (6), a2 (5), a1 (1). */
typedef struct {
  TalesStore *store;
  gint64 feed_a, feed_b;
  GPtrArray *a, *b;
} Library;

static void
library_set_up (Library *lib)
{
  lib->store = tales_test_open_store (NULL);
  lib->feed_a = tales_test_add_feed (lib->store, "https://a.example/feed", "Feed A");
  lib->feed_b = tales_test_add_feed (lib->store, "https://b.example/feed", "Feed B");

  lib->a = g_ptr_array_new_with_free_func (g_object_unref);
  g_ptr_array_add (lib->a, make_post ("a1", "Gardening in winter",
                                      "<p>Frost and <b>kale</b> in the garden.</p>",
                                      "Ada Lovelace", "Garden,Python", 1));
  g_ptr_array_add (lib->a, make_post ("a2", "A café in Paris",
                                      "<p>Coffee <a href=\"https://x.example/zebrafish\">here</a>.</p>",
                                      "Grace Hopper", "python,Travel", 5));
  g_ptr_array_add (lib->a, make_post ("a3", "Kubernetes notes",
                                      "<pre><code>kubectl apply</code></pre><p>Pods.</p>",
                                      "Ada Lovelace", "PYTHON, Ops", 8));
  tales_test_merge (lib->store, lib->feed_a, lib->a, NULL);

  lib->b = g_ptr_array_new_with_free_func (g_object_unref);
  g_ptr_array_add (lib->b, make_post ("b1", "Birds of the north",
                                      "<p>Puffins and terns.</p>", "Linus", "Nature", 6));
  g_ptr_array_add (lib->b, make_post ("b2", "Gardens by the sea",
                                      "<p>Salt-tolerant plants.</p>", "Linus", "garden", 9));
  tales_test_merge (lib->store, lib->feed_b, lib->b, NULL);
}

static void
library_tear_down (Library *lib)
{
  g_clear_pointer (&lib->a, g_ptr_array_unref);
  g_clear_pointer (&lib->b, g_ptr_array_unref);
  g_clear_object (&lib->store);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Library, library_tear_down)

static GArray *
query (TalesStore *store, TalesFilterKind kind, gint64 feed_id, const char *category,
       const char *search)
{
  TalesPostFilter filter = { kind, feed_id, category, search };
  g_autoptr(GError) error = NULL;
  GArray *ids = tales_store_query_post_ids (store, &filter, &error);

  g_assert_no_error (error);
  g_assert_nonnull (ids);
  return ids;
}

/* Asserts that @ids holds exactly the @n ids that follow, in order. */
static void
assert_ids (GArray *ids, guint n, ...)
{
  va_list args;

  va_start (args, n);
  g_assert_cmpuint (ids->len, ==, n);
  for (guint i = 0; i < n; i++)
    g_assert_cmpint (g_array_index (ids, gint64, i), ==, va_arg (args, gint64));
  va_end (args);
  g_array_unref (ids);
}

static void
set_read (TalesStore *store, gint64 id, gboolean value)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (tales_store_set_read (store, id, value, &error));
  g_assert_no_error (error);
}

static void
set_starred (TalesStore *store, gint64 id, gboolean value)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (tales_store_set_starred (store, id, value, &error));
  g_assert_no_error (error);
}

/* Filters */

static void
test_filters (void)
{
  g_auto(Library) lib = { 0 };
  TalesStore *store;
  gint64 a1, a2, a3, b1, b2;

  library_set_up (&lib);
  store = lib.store;
  a1 = post_id (lib.a, 0), a2 = post_id (lib.a, 1), a3 = post_id (lib.a, 2);
  b1 = post_id (lib.b, 0), b2 = post_id (lib.b, 1);

  set_read (store, a3, TRUE);
  set_read (store, b1, TRUE);
  set_starred (store, a1, TRUE);
  set_starred (store, b1, TRUE);

  assert_ids (query (store, TALES_FILTER_ALL, 0, NULL, NULL), 5, b2, a3, b1, a2, a1);
  assert_ids (query (store, TALES_FILTER_UNREAD, 0, NULL, NULL), 3, b2, a2, a1);
  assert_ids (query (store, TALES_FILTER_STARRED, 0, NULL, NULL), 2, b1, a1);
  assert_ids (query (store, TALES_FILTER_FEED, lib.feed_a, NULL, NULL), 3, a3, a2, a1);
  assert_ids (query (store, TALES_FILTER_FEED, lib.feed_b, NULL, NULL), 2, b2, b1);
  assert_ids (query (store, TALES_FILTER_FEED, 9999, NULL, NULL), 0);
  /* "Python", "python" and "PYTHON" (with a space before it) are one. */
  assert_ids (query (store, TALES_FILTER_CATEGORY, 0, "pYtHoN", NULL), 3, a3, a2, a1);
  assert_ids (query (store, TALES_FILTER_CATEGORY, 0, " GARDEN ", NULL), 2, b2, a1);
  assert_ids (query (store, TALES_FILTER_CATEGORY, 0, "nothing", NULL), 0);
  assert_ids (query (store, TALES_FILTER_CATEGORY, 0, "  ", NULL), 0);

  /* Search narrows any kind. */
  assert_ids (query (store, TALES_FILTER_ALL, 0, NULL, "garden"), 2, b2, a1);
  assert_ids (query (store, TALES_FILTER_UNREAD, 0, NULL, "garden"), 2, b2, a1);
  assert_ids (query (store, TALES_FILTER_STARRED, 0, NULL, "garden"), 1, a1);
  assert_ids (query (store, TALES_FILTER_FEED, lib.feed_b, NULL, "garden"), 1, b2);
  assert_ids (query (store, TALES_FILTER_CATEGORY, 0, "python", "ada"), 2, a3, a1);
  /* A blank search is no search. */
  assert_ids (query (store, TALES_FILTER_FEED, lib.feed_b, NULL, "  "), 2, b2, b1);
}

/* A post without dates sorts by when Tales first saw it, and moves when a
 * refresh gives it a date. */
static void
test_order_without_dates (void)
{
  g_autoptr(TalesStore) store = tales_test_open_store (NULL);
  g_autoptr(GPtrArray) posts = g_ptr_array_new_with_free_func (g_object_unref);
  gint64 feed_id = tales_test_add_feed (store, "https://a.example/feed", "A");
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autoptr(GDateTime) future = g_date_time_new_from_unix_utc (now + 86400);
  g_autoptr(GDateTime) past = g_date_time_new_from_unix_utc (1000);
  TalesPost *undated;

  g_ptr_array_add (posts, make_post ("old", "Old", NULL, NULL, NULL, 1));
  g_ptr_array_add (posts, make_post ("undated", "Undated", NULL, NULL, NULL, 1));
  undated = g_ptr_array_index (posts, 1);
  tales_post_set_published (undated, NULL);
  g_ptr_array_add (posts, make_post ("future", "Future", NULL, NULL, NULL, 1));
  tales_post_set_published (g_ptr_array_index (posts, 2), future);
  tales_test_merge (store, feed_id, posts, NULL);

  assert_ids (query (store, TALES_FILTER_ALL, 0, NULL, NULL), 3,
              post_id (posts, 2), post_id (posts, 1), post_id (posts, 0));

  /* Updated, with a date long ago: it goes to the bottom. */
  tales_post_set_updated (undated, past);
  tales_test_merge (store, feed_id, posts, NULL);
  assert_ids (query (store, TALES_FILTER_ALL, 0, NULL, NULL), 3,
              post_id (posts, 2), post_id (posts, 0), post_id (posts, 1));
}

/* Search */

static void
test_search (void)
{
  g_auto(Library) lib = { 0 };
  TalesStore *store;
  gint64 a1, a2, a3, b1;

  library_set_up (&lib);
  store = lib.store;
  a1 = post_id (lib.a, 0), a2 = post_id (lib.a, 1), a3 = post_id (lib.a, 2);
  b1 = post_id (lib.b, 0);

  assert_ids (query (store, TALES_FILTER_ALL, 0, NULL, "Kubernetes"), 1, a3);   /* title */
  assert_ids (query (store, TALES_FILTER_ALL, 0, NULL, "puffins"), 1, b1);      /* body */
  assert_ids (query (store, TALES_FILTER_ALL, 0, NULL, "kubectl"), 1, a3);      /* code */
  assert_ids (query (store, TALES_FILTER_ALL, 0, NULL, "HOPPER"), 1, a2);       /* author */
  assert_ids (query (store, TALES_FILTER_ALL, 0, NULL, "travel"), 1, a2);       /* category */
  assert_ids (query (store, TALES_FILTER_ALL, 0, NULL, "kube"), 1, a3);         /* prefix */
  assert_ids (query (store, TALES_FILTER_ALL, 0, NULL, "cafe"), 1, a2);         /* diacritics */
  assert_ids (query (store, TALES_FILTER_ALL, 0, NULL, "ada frost"), 1, a1);    /* every word */
  assert_ids (query (store, TALES_FILTER_ALL, 0, NULL, "ada puffins"), 0);
  /* One character is a whole word, not a prefix. */
  assert_ids (query (store, TALES_FILTER_ALL, 0, NULL, "a"), 1, a2);
  assert_ids (query (store, TALES_FILTER_ALL, 0, NULL, "k"), 0);
  assert_ids (query (store, TALES_FILTER_ALL, 0, NULL, "ka"), 1, a1);
  /* A word only inside a tag (an href) is not text. */
  assert_ids (query (store, TALES_FILTER_ALL, 0, NULL, "zebrafish"), 0);
  assert_ids (query (store, TALES_FILTER_ALL, 0, NULL, "href"), 0);
  assert_ids (query (store, TALES_FILTER_ALL, 0, NULL, "x.example"), 0);
}

static void
test_search_syntax (void)
{
  g_auto(Library) lib = { 0 };
  const char *punctuation[] = { "\"", "*", "(", ")", "\"\"", "-", "^", ":", "+", "'", "{}",
                                "!!", "*\"*", "\xf0\x9f\x90\xa7" };
  const char *words[] = { "AND", "OR", "NOT", "NEAR(", "title:kale", "kale)", "(kale",
                          "\"kale", "kale*", "ka\"le", "{title}: kale", "-kale", "^kale",
                          "kale AND", "NEAR(kale frost, 2)", "\xff\xfe kale" };

  library_set_up (&lib);

  for (guint i = 0; i < G_N_ELEMENTS (punctuation); i++)
    assert_ids (query (lib.store, TALES_FILTER_ALL, 0, NULL, punctuation[i]), 0);
  for (guint i = 0; i < G_N_ELEMENTS (words); i++)
    g_array_unref (query (lib.store, TALES_FILTER_ALL, 0, NULL, words[i]));

  /* Syntax is read as words. */
  assert_ids (query (lib.store, TALES_FILTER_ALL, 0, NULL, "title:kale"), 0);
  assert_ids (query (lib.store, TALES_FILTER_ALL, 0, NULL, "(kale"), 1, post_id (lib.a, 0));
  assert_ids (query (lib.store, TALES_FILTER_ALL, 0, NULL, "\"kale"), 1, post_id (lib.a, 0));
  assert_ids (query (lib.store, TALES_FILTER_ALL, 0, NULL, "NEAR(kale frost, 2)"), 0);
}

/* Rows */

static void
test_post_rows (void)
{
  g_auto(Library) lib = { 0 };
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GError) error = NULL;
  gint64 ids[4];
  TalesPost *row;

  library_set_up (&lib);
  ids[0] = post_id (lib.a, 2);
  ids[1] = 424242;                /* gone: skipped */
  ids[2] = post_id (lib.b, 0);
  ids[3] = post_id (lib.a, 0);
  set_starred (lib.store, ids[2], TRUE);
  set_read (lib.store, ids[3], TRUE);

  rows = tales_store_load_post_rows (lib.store, ids, G_N_ELEMENTS (ids), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, 3);

  row = g_ptr_array_index (rows, 0);
  g_assert_cmpint (tales_post_get_db_id (row), ==, ids[0]);
  g_assert_cmpstr (tales_post_get_title (row), ==, "Kubernetes notes");
  g_assert_cmpstr (tales_post_get_feed_title (row), ==, "Feed A");
  g_assert_cmpstr (tales_post_get_author (row), ==, "Ada Lovelace");
  g_assert_cmpstr (tales_post_get_guid (row), ==, "a3");
  g_assert_null (tales_post_get_content (row));
  g_assert_cmpstrv (tales_post_get_categories (row), ((const char *[]) { "PYTHON", " Ops", NULL }));
  g_assert_false (tales_post_get_is_read (row));
  g_assert_false (tales_post_get_is_starred (row));
  g_assert_cmpint (tales_post_get_images_missing (row), ==, 0);

  row = g_ptr_array_index (rows, 1);
  g_assert_cmpstr (tales_post_get_title (row), ==, "Birds of the north");
  g_assert_cmpstr (tales_post_get_feed_title (row), ==, "Feed B");
  g_assert_true (tales_post_get_is_starred (row));
  g_assert_false (tales_post_get_is_read (row));

  row = g_ptr_array_index (rows, 2);
  g_assert_cmpstr (tales_post_get_title (row), ==, "Gardening in winter");
  g_assert_true (tales_post_get_is_read (row));
  g_assert_cmpstrv (tales_post_get_categories (row), ((const char *[]) { "Garden", "Python", NULL }));
}

/* State and counts */

static guint
count_unread (TalesStore *store)
{
  g_autoptr(GError) error = NULL;
  guint n = tales_store_count_unread (store, &error);

  g_assert_no_error (error);
  return n;
}

static guint
count_starred (TalesStore *store)
{
  g_autoptr(GError) error = NULL;
  guint n = tales_store_count_starred (store, &error);

  g_assert_no_error (error);
  return n;
}

static void
test_read_and_star (void)
{
  g_auto(Library) lib = { 0 };
  g_autoptr(TalesPost) post = NULL;
  g_autoptr(GError) error = NULL;
  gint64 a2;

  library_set_up (&lib);
  a2 = post_id (lib.a, 1);
  g_assert_cmpuint (count_unread (lib.store), ==, 5);
  g_assert_cmpuint (count_starred (lib.store), ==, 0);

  set_read (lib.store, a2, TRUE);
  set_starred (lib.store, a2, TRUE);
  post = tales_store_load_post (lib.store, a2, &error);
  g_assert_no_error (error);
  g_assert_true (tales_post_get_is_read (post));
  g_assert_true (tales_post_get_is_starred (post));
  g_assert_cmpuint (count_unread (lib.store), ==, 4);
  g_assert_cmpuint (count_starred (lib.store), ==, 1);

  /* A refresh that brings the post again keeps the reader's state. */
  tales_test_merge (lib.store, lib.feed_a, lib.a, NULL);
  g_assert_cmpuint (count_unread (lib.store), ==, 4);

  set_read (lib.store, a2, FALSE);
  set_starred (lib.store, a2, FALSE);
  g_clear_object (&post);
  post = tales_store_load_post (lib.store, a2, &error);
  g_assert_false (tales_post_get_is_read (post));
  g_assert_false (tales_post_get_is_starred (post));
  g_assert_cmpuint (count_unread (lib.store), ==, 5);
  g_assert_cmpuint (count_starred (lib.store), ==, 0);

  g_assert_false (tales_store_set_read (lib.store, 424242, TRUE, &error));
  g_assert_error (error, TALES_STORE_ERROR, TALES_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (tales_store_set_starred (lib.store, 424242, TRUE, &error));
  g_assert_error (error, TALES_STORE_ERROR, TALES_STORE_ERROR_NOT_FOUND);
}

static void
mark_all_read (TalesStore *store, TalesFilterKind kind, gint64 feed_id, const char *search)
{
  TalesPostFilter filter = { kind, feed_id, NULL, search };
  g_autoptr(GError) error = NULL;

  g_assert_true (tales_store_mark_all_read (store, &filter, &error));
  g_assert_no_error (error);
}

static TalesFeedCounts
feed_counts (TalesStore *store, gint64 feed_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) counts = tales_store_count_by_feed (store, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < counts->len; i++)
    if (g_array_index (counts, TalesFeedCounts, i).feed_id == feed_id)
      return g_array_index (counts, TalesFeedCounts, i);
  g_assert_not_reached ();
}

static void
test_mark_all_read (void)
{
  g_auto(Library) lib = { 0 };
  gint64 empty;

  library_set_up (&lib);
  empty = tales_test_add_feed (lib.store, "https://empty.example/feed", "Empty");

  mark_all_read (lib.store, TALES_FILTER_FEED, lib.feed_b, "puffins");
  g_assert_cmpuint (feed_counts (lib.store, lib.feed_b).n_unread, ==, 1);
  g_assert_cmpuint (feed_counts (lib.store, lib.feed_a).n_unread, ==, 3);

  mark_all_read (lib.store, TALES_FILTER_FEED, lib.feed_a, NULL);
  g_assert_cmpuint (feed_counts (lib.store, lib.feed_a).n_posts, ==, 3);
  g_assert_cmpuint (feed_counts (lib.store, lib.feed_a).n_unread, ==, 0);
  g_assert_cmpuint (feed_counts (lib.store, lib.feed_b).n_posts, ==, 2);
  g_assert_cmpuint (feed_counts (lib.store, lib.feed_b).n_unread, ==, 1);
  g_assert_cmpuint (feed_counts (lib.store, empty).n_posts, ==, 0);
  g_assert_cmpuint (feed_counts (lib.store, empty).n_unread, ==, 0);
  g_assert_cmpuint (count_unread (lib.store), ==, 1);

  /* A search with no word selects nothing, so it marks nothing. */
  mark_all_read (lib.store, TALES_FILTER_ALL, 0, "\"*");
  g_assert_cmpuint (count_unread (lib.store), ==, 1);
  mark_all_read (lib.store, TALES_FILTER_ALL, 0, NULL);
  g_assert_cmpuint (count_unread (lib.store), ==, 0);
}

static void
test_categories (void)
{
  g_auto(Library) lib = { 0 };
  g_autoptr(GPtrArray) more = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) categories = NULL;
  g_autoptr(GError) error = NULL;
  const struct { const char *name; guint n_posts; } expected[] = {
    { "garden", 4 }, { "Nature", 1 }, { "Ops", 1 }, { "python", 5 }, { "Travel", 1 },
  };

  library_set_up (&lib);
  /* "python" becomes the most used spelling; "garden" too, and one post
   * that names a category twice counts once. */
  g_ptr_array_add (more, make_post ("b3", "More", "<p>x</p>", "Linus", "python,garden,Garden", 2));
  g_ptr_array_add (more, make_post ("b4", "More", "<p>y</p>", "Linus", "python,garden", 3));
  tales_test_merge (lib.store, lib.feed_b, more, NULL);

  categories = tales_store_list_categories (lib.store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (categories->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      TalesCategoryCount *count = g_ptr_array_index (categories, i);

      g_assert_cmpstr (count->name, ==, expected[i].name);
      g_assert_cmpuint (count->n_posts, ==, expected[i].n_posts);
    }
}

/* Feeds */

static void
test_feed_fields (void)
{
  g_autoptr(TalesStore) store = tales_test_open_store (NULL);
  g_autoptr(TalesFeed) feed = NULL;
  g_autoptr(TalesFeed) again = NULL;
  g_autoptr(GDateTime) next = g_date_time_new_from_unix_utc (1800000000);
  g_autoptr(GPtrArray) posts = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GError) error = NULL;
  gint64 id;

  feed = tales_store_ensure_feed (store, "https://a.example/feed", &error);
  g_assert_no_error (error);
  tales_feed_set_title (feed, "Its own title");
  tales_feed_set_next_refresh (feed, next);
  tales_feed_set_refresh_hint (feed, 3600);
  g_assert_true (tales_store_update_feed (store, feed, &error));
  g_assert_no_error (error);
  g_assert_true (tales_store_rename_feed (store, tales_feed_get_db_id (feed), "My name for it", &error));
  g_assert_no_error (error);

  again = tales_store_get_feed (store, tales_feed_get_db_id (feed), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (tales_feed_get_title (again), ==, "Its own title");
  g_assert_cmpstr (tales_feed_get_user_title (again), ==, "My name for it");
  g_assert_cmpint (g_date_time_to_unix (tales_feed_get_next_refresh (again)), ==, 1800000000);
  g_assert_cmpuint (tales_feed_get_refresh_hint (again), ==, 3600);

  /* A refresh saving a copy it loaded before the rename keeps the rename. */
  g_assert_null (tales_feed_get_user_title (feed));
  g_assert_true (tales_store_update_feed (store, feed, &error));
  g_clear_object (&again);
  again = tales_store_get_feed (store, tales_feed_get_db_id (feed), &error);
  g_assert_cmpstr (tales_feed_get_user_title (again), ==, "My name for it");

  /* Posts show the person's name for the feed. */
  g_ptr_array_add (posts, make_post ("p1", "Post", "<p>x</p>", NULL, NULL, 1));
  tales_test_merge (store, tales_feed_get_db_id (feed), posts, NULL);
  id = post_id (posts, 0);
  rows = tales_store_load_post_rows (store, &id, 1, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (tales_post_get_feed_title (g_ptr_array_index (rows, 0)), ==, "My name for it");

  /* And they can be cleared again. */
  g_assert_true (tales_store_rename_feed (store, tales_feed_get_db_id (feed), NULL, &error));
  tales_feed_set_next_refresh (again, NULL);
  g_assert_true (tales_store_update_feed (store, again, &error));
  g_clear_object (&feed);
  feed = tales_store_get_feed (store, tales_feed_get_db_id (again), &error);
  g_assert_null (tales_feed_get_user_title (feed));
  g_assert_null (tales_feed_get_next_refresh (feed));
  g_assert_false (tales_store_rename_feed (store, 999999, "x", &error));
  g_assert_error (error, TALES_STORE_ERROR, TALES_STORE_ERROR_NOT_FOUND);
}

static TalesFeed *
new_feed (const char *url, const char *title, const char *user_title, const char *folder)
{
  TalesFeed *feed = tales_feed_new ();

  tales_feed_set_url (feed, url);
  tales_feed_set_title (feed, title);
  tales_feed_set_user_title (feed, user_title);
  tales_feed_set_folder (feed, folder);
  return feed;
}

static void
test_add_feeds (void)
{
  g_autoptr(TalesStore) store = tales_test_open_store (NULL);
  g_autoptr(GPtrArray) bad = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) good = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(TalesFeed) stored = NULL;
  g_autoptr(GError) error = NULL;
  gint64 existing = tales_test_add_feed (store, "https://old.example/feed", "Old title");
  guint n_added = 99;

  /* The second of three has no address: none is added. */
  g_ptr_array_add (bad, new_feed ("https://one.example/feed", "One", NULL, NULL));
  g_ptr_array_add (bad, new_feed (NULL, "Two", NULL, NULL));
  g_ptr_array_add (bad, new_feed ("https://three.example/feed", "Three", NULL, NULL));
  g_assert_false (tales_store_add_feeds (store, bad, &n_added, &error));
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_assert_cmpuint (n_added, ==, 0);
  g_assert_cmpuint (tales_test_count_feeds (store), ==, 1);
  g_clear_error (&error);

  g_ptr_array_add (good, new_feed ("https://one.example/feed", "One", "Number one", "News"));
  g_ptr_array_add (good, new_feed ("https://old.example/feed", "New title", "Renamed", "X"));
  g_ptr_array_add (good, new_feed ("https://three.example/feed", NULL, NULL, NULL));
  g_ptr_array_add (good, new_feed ("https://one.example/feed", "Twice", NULL, NULL));
  g_assert_true (tales_store_add_feeds (store, good, &n_added, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_added, ==, 2);
  g_assert_cmpuint (tales_test_count_feeds (store), ==, 3);

  stored = tales_store_find_feed_by_url (store, "https://one.example/feed", &error);
  g_assert_no_error (error);
  g_assert_cmpint (tales_feed_get_db_id (stored), ==,
                   tales_feed_get_db_id (g_ptr_array_index (good, 0)));
  g_assert_cmpstr (tales_feed_get_title (stored), ==, "One");
  g_assert_cmpstr (tales_feed_get_user_title (stored), ==, "Number one");
  g_assert_cmpstr (tales_feed_get_folder (stored), ==, "News");
  g_clear_object (&stored);

  /* The subscription that was there is left as it was. */
  stored = tales_store_get_feed (store, existing, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (tales_feed_get_title (stored), ==, "Old title");
  g_assert_null (tales_feed_get_user_title (stored));
  g_assert_null (tales_feed_get_folder (stored));
}

/* Images, unsubscribing and pruning */

static void
link_images (TalesStore *store, gint64 id, const char *url1, const char *url2)
{
  g_autoptr(GPtrArray) urls = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;

  g_ptr_array_add (urls, (char *) url1);
  if (url2 != NULL)
    g_ptr_array_add (urls, (char *) url2);
  g_assert_true (tales_store_link_post_images (store, id, urls, &error));
  g_assert_no_error (error);
}

static void
cache_image (TalesStore *store, const char *url, const char *path)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (tales_store_set_image_cached (store, url, path, "image/png", &error));
  g_assert_no_error (error);
}

static int
images_missing (TalesStore *store, gint64 id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TalesPost) post = tales_store_load_post (store, id, &error);
  g_autoptr(GPtrArray) rows = tales_store_load_post_rows (store, &id, 1, &error);

  g_assert_no_error (error);
  g_assert_cmpint (tales_post_get_images_missing (post), ==,
                   tales_post_get_images_missing (g_ptr_array_index (rows, 0)));
  return tales_post_get_images_missing (post);
}

static void
test_images_missing (void)
{
  g_auto(Library) lib = { 0 };
  g_autoptr(GPtrArray) missing = NULL;
  g_autoptr(GError) error = NULL;
  gint64 a1, a2;

  library_set_up (&lib);
  a1 = post_id (lib.a, 0), a2 = post_id (lib.a, 1);
  link_images (lib.store, a1, "https://img.example/1.png", "https://img.example/2.png");
  link_images (lib.store, a2, "https://img.example/2.png", "https://img.example/3.png");
  g_assert_cmpint (images_missing (lib.store, a1), ==, 2);
  g_assert_cmpint (images_missing (lib.store, post_id (lib.b, 0)), ==, 0);

  cache_image (lib.store, "https://img.example/2.png", "ab/2.png");
  g_assert_true (tales_store_set_image_failed (lib.store, "https://img.example/3.png",
                                               "Not found", &error));
  g_assert_cmpint (images_missing (lib.store, a1), ==, 1);
  g_assert_cmpint (images_missing (lib.store, a2), ==, 1);

  /* Newest post's images first: a2 (day 5) before a1 (day 1). */
  missing = tales_store_list_missing_images (lib.store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (missing->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (missing, 0), ==, "https://img.example/3.png");
  g_assert_cmpstr (g_ptr_array_index (missing, 1), ==, "https://img.example/1.png");
}

static gint64
fts_matches (sqlite3 *raw, const char *word)
{
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM post_search "
                                          "WHERE post_search MATCH '%s'", word);

  return tales_test_raw_int (raw, sql);
}

static void
fts_integrity_check (sqlite3 *raw)
{
  tales_test_raw_exec (raw, "INSERT INTO post_search (post_search, rank) VALUES ('integrity-check', 1)");
}

static void
assert_paths (GPtrArray *paths, const char *only)
{
  g_assert_nonnull (paths);
  g_assert_cmpuint (paths->len, ==, only != NULL ? 1 : 0);
  if (only != NULL)
    g_assert_cmpstr (g_ptr_array_index (paths, 0), ==, only);
}

static void
test_remove_feed (void)
{
  g_auto(Library) lib = { 0 };
  g_autoptr(GPtrArray) paths = NULL;
  g_autoptr(TalesImageRecord) record = NULL;
  g_autoptr(GError) error = NULL;
  sqlite3 *raw;

  library_set_up (&lib);
  /* a1 alone needs 1.png (cached) and 3.png (never fetched); it shares
   * 2.png with b1. */
  link_images (lib.store, post_id (lib.a, 0), "https://img.example/1.png",
               "https://img.example/2.png");
  link_images (lib.store, post_id (lib.a, 1), "https://img.example/3.png", NULL);
  link_images (lib.store, post_id (lib.b, 0), "https://img.example/2.png", NULL);
  cache_image (lib.store, "https://img.example/1.png", "aa/1.png");
  cache_image (lib.store, "https://img.example/2.png", "bb/2.png");

  raw = tales_test_open_raw (tales_store_get_path (lib.store));
  g_assert_cmpint (fts_matches (raw, "kale"), ==, 1);

  g_assert_true (tales_store_remove_feed (lib.store, lib.feed_a, &paths, &error));
  g_assert_no_error (error);
  assert_paths (paths, "aa/1.png");

  assert_ids (query (lib.store, TALES_FILTER_ALL, 0, NULL, NULL), 2,
              post_id (lib.b, 1), post_id (lib.b, 0));
  assert_ids (query (lib.store, TALES_FILTER_ALL, 0, NULL, "kale"), 0);
  g_assert_cmpint (fts_matches (raw, "kale"), ==, 0);
  g_assert_cmpint (fts_matches (raw, "puffins"), ==, 1);
  fts_integrity_check (raw);
  g_assert_cmpint (tales_test_raw_int (raw, "SELECT count(*) FROM post_text"), ==, 2);
  g_assert_cmpint (tales_test_raw_int (raw, "SELECT count(*) FROM post_categories"), ==, 2);
  g_assert_cmpint (tales_test_raw_int (raw, "SELECT count(*) FROM images"), ==, 1);
  /* Categories only feed A used are gone from the list. */
  g_assert_cmpint (tales_test_raw_int (raw, "SELECT count(*) FROM categories"), ==, 2);

  record = tales_store_get_image (lib.store, "https://img.example/2.png", &error);
  g_assert_no_error (error);
  g_assert_cmpint (record->state, ==, TALES_IMAGE_CACHED);
  sqlite3_close (raw);

  g_clear_pointer (&paths, g_ptr_array_unref);
  g_assert_false (tales_store_remove_feed (lib.store, lib.feed_a, &paths, &error));
  g_assert_error (error, TALES_STORE_ERROR, TALES_STORE_ERROR_NOT_FOUND);
  g_assert_null (paths);
}

static guint
prune (TalesStore *store, gint64 older_than, GPtrArray **paths)
{
  g_autoptr(GDateTime) cutoff = g_date_time_new_from_unix_utc (older_than);
  g_autoptr(GError) error = NULL;
  guint n_pruned = 99;

  g_assert_true (tales_store_prune (store, cutoff, &n_pruned, paths, &error));
  g_assert_no_error (error);
  return n_pruned;
}

static void
test_prune (void)
{
  g_auto(Library) lib = { 0 };
  g_autoptr(GPtrArray) paths = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gint64 a1, a2, a3, b1, b2;
  sqlite3 *raw;

  library_set_up (&lib);
  a1 = post_id (lib.a, 0), a2 = post_id (lib.a, 1), a3 = post_id (lib.a, 2);
  b1 = post_id (lib.b, 0), b2 = post_id (lib.b, 1);
  link_images (lib.store, a1, "https://img.example/1.png", "https://img.example/2.png");
  link_images (lib.store, b2, "https://img.example/2.png", NULL);
  cache_image (lib.store, "https://img.example/1.png", "aa/1.png");
  cache_image (lib.store, "https://img.example/2.png", "bb/2.png");

  /* a1, b1: read; a2: read and starred; a3: starred; b2: unread. */
  set_read (lib.store, a1, TRUE);
  set_read (lib.store, a2, TRUE);
  set_starred (lib.store, a2, TRUE);
  set_starred (lib.store, a3, TRUE);
  set_read (lib.store, b1, TRUE);

  /* Nothing was first seen a day ago. */
  g_assert_cmpuint (prune (lib.store, now - 86400, &paths), ==, 0);
  assert_paths (paths, NULL);
  g_clear_pointer (&paths, g_ptr_array_unref);

  /* Everything is older than tomorrow; only read, unstarred posts go. */
  g_assert_cmpuint (prune (lib.store, now + 86400, &paths), ==, 2);
  assert_paths (paths, "aa/1.png");
  assert_ids (query (lib.store, TALES_FILTER_ALL, 0, NULL, NULL), 3, b2, a3, a2);

  raw = tales_test_open_raw (tales_store_get_path (lib.store));
  fts_integrity_check (raw);
  g_assert_cmpint (fts_matches (raw, "kale"), ==, 0);
  g_assert_cmpint (tales_test_raw_int (raw, "SELECT count(*) FROM images"), ==, 1);
  sqlite3_close (raw);
  g_clear_pointer (&paths, g_ptr_array_unref);

  /* Once b2 is read it goes too, and with it the last user of 2.png. */
  set_read (lib.store, b2, TRUE);
  g_assert_cmpuint (prune (lib.store, now + 86400, &paths), ==, 1);
  assert_paths (paths, "bb/2.png");
}

/* A post its feed still lists is not pruned: the next refresh would bring
 * it back as new. */
static void
test_prune_spares_listed_posts (void)
{
  g_auto(Library) lib = { 0 };
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  sqlite3 *raw;

  library_set_up (&lib);
  raw = tales_test_open_raw (tales_store_get_path (lib.store));
  tales_test_raw_exec (raw, "UPDATE posts SET is_read = 1, first_seen = 1000, last_seen = 1000");
  sqlite3_close (raw);

  /* Feed B's refresh still lists its posts. */
  tales_test_merge (lib.store, lib.feed_b, lib.b, NULL);
  g_assert_cmpuint (prune (lib.store, now - 3600, NULL), ==, 3);
  assert_ids (query (lib.store, TALES_FILTER_ALL, 0, NULL, NULL), 2,
              post_id (lib.b, 1), post_id (lib.b, 0));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  tales_core_init ();

  g_test_add_func ("/tales/library/filters", test_filters);
  g_test_add_func ("/tales/library/order-without-dates", test_order_without_dates);
  g_test_add_func ("/tales/library/search", test_search);
  g_test_add_func ("/tales/library/search-syntax", test_search_syntax);
  g_test_add_func ("/tales/library/post-rows", test_post_rows);
  g_test_add_func ("/tales/library/read-and-star", test_read_and_star);
  g_test_add_func ("/tales/library/mark-all-read", test_mark_all_read);
  g_test_add_func ("/tales/library/categories", test_categories);
  g_test_add_func ("/tales/library/feed-fields", test_feed_fields);
  g_test_add_func ("/tales/library/add-feeds", test_add_feeds);
  g_test_add_func ("/tales/library/images-missing", test_images_missing);
  g_test_add_func ("/tales/library/remove-feed", test_remove_feed);
  g_test_add_func ("/tales/library/prune", test_prune);
  g_test_add_func ("/tales/library/prune-spares-listed-posts", test_prune_spares_listed_posts);

  return g_test_run ();
}
