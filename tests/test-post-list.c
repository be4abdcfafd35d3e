/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Tests for TalesPostList, the lazy list model, over a real SQLite store
 * (the XDG dirs are isolated per test). */

#include "tales-core.h"
#include "tales-test-utils.h"
#include "tales-post-list-private.h"

/* Posts @first..@last ("Post N", published on day N), merged in one batch;
 * the newest, so the first listed, is the last. */
static GPtrArray *
merge_posts (TalesStore *store, gint64 feed_id, guint first, guint last)
{
  GPtrArray *posts = g_ptr_array_new_full (last - first + 1, g_object_unref);

  for (guint i = first; i <= last; i++)
    {
      g_autofree char *guid = g_strdup_printf ("p%u", i);
      g_autofree char *title = g_strdup_printf ("Post %u", i);
      TalesPost *post = tales_test_make_post (guid, title, 1600000000 + (gint64) i * 600);

      tales_post_set_summary (post, "Text.");
      if (i % 2 == 0)
        tales_post_add_tag (post, "Even", NULL, NULL);
      g_ptr_array_add (posts, post);
    }
  tales_test_merge (store, feed_id, posts, NULL);
  return posts;
}

/* Records every items-changed. */
typedef struct {
  guint n_signals;
  guint position, removed, added;
} Changes;

static void
items_changed_cb (GListModel *model, guint position, guint removed, guint added,
                  Changes *changes)
{
  changes->n_signals++;
  changes->position = position;
  changes->removed = removed;
  changes->added = added;
}

static void
assert_changes (Changes *changes, guint n_signals, guint position, guint removed, guint added)
{
  g_assert_cmpuint (changes->n_signals, ==, n_signals);
  if (n_signals > 0)
    {
      g_assert_cmpuint (changes->position, ==, position);
      g_assert_cmpuint (changes->removed, ==, removed);
      g_assert_cmpuint (changes->added, ==, added);
    }
  *changes = (Changes) { 0 };
}

static void
set_filter (TalesPostList *list, TalesFilterKind kind, const char *category, const char *search)
{
  TalesPostFilter filter = { kind, 0, category, search };
  g_autoptr(GError) error = NULL;

  g_assert_true (tales_post_list_set_filter (list, &filter, &error));
  g_assert_no_error (error);
}

static void
reload (TalesPostList *list)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (tales_post_list_reload (list, &error));
  g_assert_no_error (error);
}

static char *
title_at (TalesPostList *list, guint position)
{
  g_autoptr(TalesPost) post = g_list_model_get_item (G_LIST_MODEL (list), position);

  g_assert_nonnull (post);
  return g_strdup (tales_post_get_title (post));
}

static void
assert_title (TalesPostList *list, guint position, const char *title)
{
  g_autofree char *actual = title_at (list, position);

  g_assert_cmpstr (actual, ==, title);
}

static void
test_basics (void)
{
  g_autoptr(TalesStore) store = tales_test_open_store (NULL);
  g_autoptr(GPtrArray) posts = merge_posts (store, tales_test_add_feed (store, "https://a.example/", NULL), 1, 5);
  g_autoptr(TalesPostList) list = tales_post_list_new (store);
  GListModel *model = G_LIST_MODEL (list);
  g_autoptr(TalesPost) first = NULL;
  g_autoptr(TalesPost) again = NULL;

  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 0);
  g_assert_true (g_list_model_get_item_type (model) == TALES_TYPE_POST);
  reload (list);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 5);
  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *title = g_strdup_printf ("Post %u", 5 - i);

      assert_title (list, i, title);
    }
  g_assert_null (g_list_model_get_item (model, 5));

  first = g_list_model_get_item (model, 0);
  again = g_list_model_get_item (model, 0);
  g_assert_true (first == again);
  g_assert_cmpint (tales_post_get_db_id (first), ==,
                   tales_post_get_db_id (g_ptr_array_index (posts, 4)));
  g_assert_false (tales_post_get_is_read (first));
  g_assert_null (tales_post_get_content (first));

  g_assert_cmpint (tales_post_list_find (list, tales_post_get_db_id (g_ptr_array_index (posts, 0))),
                   ==, 4);
  g_assert_cmpint (tales_post_list_find (list, 424242), ==, -1);
}

static void
test_set_filter (void)
{
  g_autoptr(TalesStore) store = tales_test_open_store (NULL);
  g_autoptr(GPtrArray) posts = merge_posts (store, tales_test_add_feed (store, "https://a.example/", NULL), 1, 7);
  g_autoptr(TalesPostList) list = tales_post_list_new (store);
  TalesPostFilter bad = { TALES_FILTER_CATEGORY, 0, "Even", "\"(" };
  g_autoptr(GError) error = NULL;
  Changes changes = { 0 };

  g_signal_connect (list, "items-changed", G_CALLBACK (items_changed_cb), &changes);

  set_filter (list, TALES_FILTER_ALL, NULL, NULL);
  assert_changes (&changes, 1, 0, 0, 7);

  /* The old items go, then the new ones come: two changes (GTK 4.8 would
   * read every item of a change that does both). */
  set_filter (list, TALES_FILTER_CATEGORY, "EVEN", NULL);
  assert_changes (&changes, 2, 0, 0, 3);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 3);
  assert_title (list, 0, "Post 6");
  assert_title (list, 2, "Post 2");
  g_assert_cmpint (tales_post_list_get_filter (list)->kind, ==, TALES_FILTER_CATEGORY);
  g_assert_cmpstr (tales_post_list_get_filter (list)->category, ==, "EVEN");

  set_filter (list, TALES_FILTER_ALL, NULL, "post 5");
  assert_changes (&changes, 2, 0, 0, 1);
  assert_title (list, 0, "Post 5");

  /* A search with no word in it: an empty list, not an error. */
  g_assert_true (tales_post_list_set_filter (list, &bad, &error));
  g_assert_no_error (error);
  assert_changes (&changes, 1, 0, 1, 0);
}

static void
test_reload (void)
{
  g_autoptr(TalesStore) store = tales_test_open_store (NULL);
  gint64 feed_id = tales_test_add_feed (store, "https://a.example/", NULL);
  g_autoptr(GPtrArray) posts = merge_posts (store, feed_id, 1, 120);
  g_autoptr(GPtrArray) newer = NULL;
  g_autoptr(TalesPostList) list = tales_post_list_new (store);
  g_autoptr(TalesPost) top = NULL;
  g_autoptr(TalesPost) deep = NULL;
  g_autoptr(TalesPost) after = NULL;
  g_autoptr(GError) error = NULL;
  Changes changes = { 0 };

  set_filter (list, TALES_FILTER_UNREAD, NULL, NULL);
  g_signal_connect (list, "items-changed", G_CALLBACK (items_changed_cb), &changes);
  top = g_list_model_get_item (G_LIST_MODEL (list), 0);
  deep = g_list_model_get_item (G_LIST_MODEL (list), 70);

  /* Nothing changed: nothing to say. */
  reload (list);
  assert_changes (&changes, 0, 0, 0, 0);

  /* Two new posts on top. */
  newer = merge_posts (store, feed_id, 121, 122);
  reload (list);
  assert_changes (&changes, 1, 0, 0, 2);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 122);
  assert_title (list, 0, "Post 122");
  assert_title (list, 2, "Post 120");
  g_assert_cmpint (tales_post_list_find (list, tales_post_get_db_id (top)), ==, 2);
  g_clear_object (&after);
  after = g_list_model_get_item (G_LIST_MODEL (list), 2);
  g_assert_true (after == top);
  g_clear_object (&after);

  /* A post read leaves the unread list at its place, in one change, and
   * the posts that stay are the same objects, with their new state. */
  g_assert_true (tales_store_set_read (store, tales_post_get_db_id (g_ptr_array_index (posts, 99)),
                                       TRUE, &error));
  g_assert_true (tales_store_set_starred (store, tales_post_get_db_id (deep), TRUE, &error));
  g_assert_no_error (error);
  reload (list);
  assert_changes (&changes, 1, 22, 1, 0);
  after = g_list_model_get_item (G_LIST_MODEL (list), 71);
  g_assert_true (after == deep);
  g_assert_true (tales_post_get_is_starred (after));
  assert_title (list, 22, "Post 99");
}

/* Under AddressSanitizer every allocation records its whole stack (see
 * ASAN_OPTIONS in tests/meson.build), so the long list is shorter there;
 * both lengths are far more than the 20 pages the list may keep. */
#if defined(__SANITIZE_ADDRESS__)
#define LONG_LIST 4000
#define LONG_LIST_POST_49 "Post 3951"
#else
#define LONG_LIST 20000
#define LONG_LIST_POST_49 "Post 19951"
#endif

/* A long list reads only the pages that are asked for. */
static void
test_lazy (void)
{
  g_autoptr(TalesStore) store = tales_test_open_store (NULL);
  g_autoptr(GPtrArray) posts = merge_posts (store, tales_test_add_feed (store, "https://a.example/", NULL), 1, LONG_LIST);
  g_autoptr(TalesPostList) list = tales_post_list_new (store);
  GListModel *model = G_LIST_MODEL (list);
  g_autoptr(TalesPost) last = NULL;
  g_autoptr(TalesPost) again = NULL;

  set_filter (list, TALES_FILTER_ALL, NULL, NULL);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, LONG_LIST);
  g_assert_cmpuint (tales_post_list_get_n_page_loads (list), ==, 0);

  assert_title (list, 0, "Post " G_STRINGIFY (LONG_LIST));
  assert_title (list, LONG_LIST - 1, "Post 1");
  assert_title (list, 49, LONG_LIST_POST_49);
  g_assert_cmpuint (tales_post_list_get_n_page_loads (list), ==, 2);
  g_assert_cmpuint (tales_post_list_get_n_cached_pages (list), ==, 2);

  /* Scrolling through 40 pages keeps at most 20, and drops the far ones:
   * the last page is read again when asked for. */
  last = g_list_model_get_item (model, LONG_LIST - 1);
  for (guint page = 0; page < 40; page++)
    {
      g_autofree char *title = g_strdup_printf ("Post %u", LONG_LIST - page * 50);

      assert_title (list, page * 50, title);
    }
  g_assert_cmpuint (tales_post_list_get_n_cached_pages (list), ==, 20);
  g_assert_cmpuint (tales_post_list_get_n_page_loads (list), ==, 41);

  again = g_list_model_get_item (model, LONG_LIST - 1);
  g_assert_cmpuint (tales_post_list_get_n_page_loads (list), ==, 42);
  g_assert_cmpint (tales_post_get_db_id (again), ==, tales_post_get_db_id (last));
  g_assert_cmpuint (tales_post_list_get_n_cached_pages (list), ==, 20);
}

/* A search that matches thousands of posts takes another way through the
 * store than one that matches a few: both give the filter's order. */
static void
test_large_search (void)
{
  g_autoptr(TalesStore) store = tales_test_open_store (NULL);
  g_autoptr(GPtrArray) posts = merge_posts (store, tales_test_add_feed (store, "https://a.example/", NULL), 1, 12000);
  g_autoptr(TalesPostList) list = tales_post_list_new (store);
  GListModel *model = G_LIST_MODEL (list);

  set_filter (list, TALES_FILTER_ALL, NULL, "post");
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 12000);
  assert_title (list, 0, "Post 12000");
  assert_title (list, 11999, "Post 1");

  /* The category is searched too: 6,000 of the 12,000. */
  set_filter (list, TALES_FILTER_ALL, NULL, "even");
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 6000);
  assert_title (list, 0, "Post 12000");
  assert_title (list, 1, "Post 11998");
  assert_title (list, 5999, "Post 2");

  set_filter (list, TALES_FILTER_CATEGORY, "even", "text");
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 6000);
  assert_title (list, 0, "Post 12000");
  assert_title (list, 1, "Post 11998");
  assert_title (list, 5999, "Post 2");

  set_filter (list, TALES_FILTER_ALL, NULL, "post 1199");
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 11);
  assert_title (list, 0, "Post 11999");
  assert_title (list, 9, "Post 11990");
  assert_title (list, 10, "Post 1199");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  tales_core_init ();

  g_test_add_func ("/tales/post-list/basics", test_basics);
  g_test_add_func ("/tales/post-list/set-filter", test_set_filter);
  g_test_add_func ("/tales/post-list/reload", test_reload);
  g_test_add_func ("/tales/post-list/lazy", test_lazy);
  g_test_add_func ("/tales/post-list/large-search", test_large_search);

  return g_test_run ();
}
