/* SPDX-License-Identifier: GPL-3.0-or-later */
/* TalesStorePreparer: threads that work out what merging each post needs
 * (tales_store_precompute_post()) while the feed is still being read, and
 * while the merge writes the posts before. */

#define G_LOG_DOMAIN "tales-store"

#include "config.h"

#include "tales-store-private.h"
#include "tales-thread.h"

/* Threads at most, one per processor below that. */
#define MAX_THREADS 4
/* Once the merge runs, posts the threads may work out beyond the one it
 * waits for: a merge of a large array (tales_store_merge_feed_posts()) does
 * not hold every body's text at once. Before it runs, the caller bounds
 * the posts it adds (a refresh merges in batches). */
#define PREPARE_AHEAD 64

struct _TalesStorePreparer
{
  GMutex mutex;
  GCond work;             /* the threads wait here for a post to take */
  GCond ready;            /* the merge waits here for the post it needs */
  GPtrArray *posts;       /* TalesPost, in the order added */
  GPtrArray *precomputed; /* per post: TalesStorePrecomputed, NULL until done
                           * and again once merged (dropped) */
  guint next;             /* the next post to take */
  guint waited;           /* the post the merge waits for, or merged last */
  gboolean waiting;       /* the merge waits on ready */
  guint n_idle;           /* threads waiting on work */
  gboolean finished;      /* no more posts come: the merge runs */
  gboolean stop;
  gboolean with_images;
  GPtrArray *threads;
  guint n_left_out;       /* set by the merge */
};

static gboolean
can_take_locked (TalesStorePreparer *self)
{
  if (self->next >= self->posts->len)
    return FALSE;
  return !self->finished || self->next < self->waited + PREPARE_AHEAD;
}

/* Takes the next post to work out; NULL when there is none and none will
 * come. With the mutex held. */
static TalesPost *
take_locked (TalesStorePreparer *self, guint *index)
{
  while (!self->stop && !can_take_locked (self) &&
         !(self->finished && self->next >= self->posts->len))
    {
      self->n_idle++;
      g_cond_wait (&self->work, &self->mutex);
      self->n_idle--;
    }
  if (self->stop || self->next >= self->posts->len)
    return NULL;
  *index = self->next++;
  return g_object_ref (g_ptr_array_index (self->posts, *index));
}

static gpointer
preparer_thread (gpointer user_data)
{
  TalesStorePreparer *self = user_data;
  TalesPost *post;
  guint index;

  tales_thread_set_background ();
  g_mutex_lock (&self->mutex);
  while ((post = take_locked (self, &index)) != NULL)
    {
      TalesStorePrecomputed *precomputed;

      g_mutex_unlock (&self->mutex);
      precomputed = tales_store_precompute_post (post, self->with_images);
      g_object_unref (post);
      g_mutex_lock (&self->mutex);
      g_ptr_array_index (self->precomputed, index) = precomputed;
      if (self->waiting && index == self->waited)
        g_cond_signal (&self->ready);
    }
  g_mutex_unlock (&self->mutex);
  return NULL;
}

/* The threads start with @posts, if given, already added and finished:
 * they never see the preparer between the two. */
static TalesStorePreparer *
preparer_new (GPtrArray *posts, gboolean with_images)
{
  TalesStorePreparer *self = g_new0 (TalesStorePreparer, 1);
  int n_threads = CLAMP ((int) g_get_num_processors (), 1, MAX_THREADS);

  g_mutex_init (&self->mutex);
  g_cond_init (&self->work);
  g_cond_init (&self->ready);
  self->posts = g_ptr_array_new_with_free_func (g_object_unref);
  self->precomputed = g_ptr_array_new_with_free_func ((GDestroyNotify) tales_store_precomputed_free);
  self->with_images = with_images;
  for (guint i = 0; posts != NULL && i < posts->len; i++)
    {
      g_ptr_array_add (self->posts, g_object_ref (g_ptr_array_index (posts, i)));
      g_ptr_array_add (self->precomputed, NULL);
    }
  self->finished = posts != NULL;
  /* A handful of posts known at once needs no more threads than posts. */
  if (posts != NULL)
    n_threads = MIN (n_threads, (int) MIN (posts->len, (guint) MAX_THREADS));
  self->threads = g_ptr_array_new ();
  for (int i = 0; i < n_threads; i++)
    g_ptr_array_add (self->threads, g_thread_new ("tales-prepare", preparer_thread, self));
  return self;
}

/**
 * tales_store_preparer_new:
 * @with_images: whether the merge will link images
 *
 * Starts the threads (one per processor, a few at most). They are threads
 * of their own, not GLib's thread pool, whose helper thread a forked
 * child does not have.
 *
 * Returns: (transfer full): the preparer
 */
TalesStorePreparer *
tales_store_preparer_new (gboolean with_images)
{
  return preparer_new (NULL, with_images);
}

TalesStorePreparer *
tales_store_preparer_new_for_posts (GPtrArray *posts, gboolean with_images)
{
  g_return_val_if_fail (posts != NULL, NULL);

  return preparer_new (posts, with_images);
}

void
tales_store_preparer_add (TalesStorePreparer *self, TalesPost *post)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (TALES_IS_POST (post));

  g_mutex_lock (&self->mutex);
  if (!self->finished)
    {
      g_ptr_array_add (self->posts, g_object_ref (post));
      g_ptr_array_add (self->precomputed, NULL);
      if (self->n_idle > 0)
        g_cond_signal (&self->work);
    }
  g_mutex_unlock (&self->mutex);
}

guint
tales_store_preparer_get_n_posts (TalesStorePreparer *self)
{
  guint n;

  g_return_val_if_fail (self != NULL, 0);

  g_mutex_lock (&self->mutex);
  n = self->posts->len;
  g_mutex_unlock (&self->mutex);
  return n;
}

GPtrArray *
tales_store_preparer_finish (TalesStorePreparer *self)
{
  g_mutex_lock (&self->mutex);
  self->finished = TRUE;
  g_cond_broadcast (&self->work);
  g_mutex_unlock (&self->mutex);
  return self->posts;
}

TalesStorePrecomputed *
tales_store_preparer_wait (TalesStorePreparer *self, guint index)
{
  TalesStorePrecomputed *precomputed;

  g_mutex_lock (&self->mutex);
  g_assert (self->finished && index < self->posts->len);
  self->waited = index;
  /* Threads held at the bound go on once there is room for a run of
   * posts, not at every post merged. */
  if (self->n_idle > 0 && self->next <= index + PREPARE_AHEAD / 2)
    g_cond_broadcast (&self->work);
  self->waiting = TRUE;
  while (g_ptr_array_index (self->precomputed, index) == NULL)
    g_cond_wait (&self->ready, &self->mutex);
  self->waiting = FALSE;
  precomputed = g_ptr_array_index (self->precomputed, index);
  g_mutex_unlock (&self->mutex);
  return precomputed;
}

void
tales_store_preparer_drop (TalesStorePreparer *self, guint index)
{
  TalesStorePrecomputed *precomputed;

  g_mutex_lock (&self->mutex);
  precomputed = g_steal_pointer (&g_ptr_array_index (self->precomputed, index));
  g_mutex_unlock (&self->mutex);
  tales_store_precomputed_free (precomputed);
}

/* Posts not worked out yet are left as they are; one being worked out is
 * finished first. */
void
tales_store_preparer_free (TalesStorePreparer *self)
{
  if (self == NULL)
    return;
  g_mutex_lock (&self->mutex);
  self->stop = TRUE;
  g_cond_broadcast (&self->work);
  g_mutex_unlock (&self->mutex);
  for (guint i = 0; i < self->threads->len; i++)
    g_thread_join (g_ptr_array_index (self->threads, i));
  g_ptr_array_unref (self->threads);
  g_ptr_array_unref (self->precomputed);
  g_ptr_array_unref (self->posts);
  g_mutex_clear (&self->mutex);
  g_cond_clear (&self->work);
  g_cond_clear (&self->ready);
  g_free (self);
}

void
tales_store_preparer_set_n_left_out (TalesStorePreparer *self, guint n_left_out)
{
  self->n_left_out = n_left_out;
}

guint
tales_store_preparer_get_n_left_out (TalesStorePreparer *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->n_left_out;
}
