/* TalesStorePreparer: threads that prepare posts for a merge while the
 * feed is still being read, and while the merge writes the ones before. */

#define G_LOG_DOMAIN "tales-store"

#include "config.h"

#include "tales-store-preparer.h"
#include "tales-thread.h"

#define MAX_THREADS 4

struct _TalesStorePreparer
{
  GMutex mutex;
  GCond cond;
  GPtrArray *posts;       /* TalesPost, in the order added */
  GByteArray *done;       /* per post: prepared */
  guint next;             /* the next post to take */
  gboolean finished;      /* no more posts come */
  gboolean stop;
  gboolean with_images;
  GPtrArray *threads;
  guint n_left_out;       /* set by the merge */
};

/* Takes the next post to prepare; NULL when there is none and none will
 * come. With the mutex held. */
static TalesPost *
take_locked (TalesStorePreparer *self, guint *index)
{
  while (!self->stop && self->next >= self->posts->len && !self->finished)
    g_cond_wait (&self->cond, &self->mutex);
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
      g_mutex_unlock (&self->mutex);
      tales_store_prepare_post (post, self->with_images);
      g_object_unref (post);
      g_mutex_lock (&self->mutex);
      self->done->data[index] = TRUE;
      g_cond_broadcast (&self->cond);
    }
  g_mutex_unlock (&self->mutex);
  return NULL;
}

/**
 * tales_store_preparer_new:
 * @with_images: as for tales_store_prepare_post()
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
  TalesStorePreparer *self = g_new0 (TalesStorePreparer, 1);
  int n_threads = CLAMP ((int) g_get_num_processors (), 1, MAX_THREADS);

  g_mutex_init (&self->mutex);
  g_cond_init (&self->cond);
  self->posts = g_ptr_array_new_with_free_func (g_object_unref);
  self->done = g_byte_array_new ();
  self->with_images = with_images;
  self->threads = g_ptr_array_new ();
  for (int i = 0; i < n_threads; i++)
    g_ptr_array_add (self->threads, g_thread_new ("tales-prepare", preparer_thread, self));
  return self;
}

void
tales_store_preparer_add (TalesStorePreparer *self, TalesPost *post)
{
  guint8 not_done = FALSE;

  g_return_if_fail (self != NULL);
  g_return_if_fail (TALES_IS_POST (post));

  g_mutex_lock (&self->mutex);
  if (!self->finished)
    {
      g_ptr_array_add (self->posts, g_object_ref (post));
      g_byte_array_append (self->done, &not_done, 1);
      g_cond_broadcast (&self->cond);
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
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->mutex);
  return self->posts;
}

void
tales_store_preparer_wait (TalesStorePreparer *self, guint index)
{
  g_mutex_lock (&self->mutex);
  while (index < self->posts->len && !self->done->data[index])
    g_cond_wait (&self->cond, &self->mutex);
  g_mutex_unlock (&self->mutex);
}

/* Posts not prepared yet are left as they are; one being prepared is
 * finished first. */
void
tales_store_preparer_free (TalesStorePreparer *self)
{
  if (self == NULL)
    return;
  g_mutex_lock (&self->mutex);
  self->stop = TRUE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->mutex);
  for (guint i = 0; i < self->threads->len; i++)
    g_thread_join (g_ptr_array_index (self->threads, i));
  g_ptr_array_unref (self->threads);
  g_ptr_array_unref (self->posts);
  g_byte_array_unref (self->done);
  g_mutex_clear (&self->mutex);
  g_cond_clear (&self->cond);
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
