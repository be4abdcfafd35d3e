/* SPDX-License-Identifier: GPL-3.0-or-later */
/* TalesHandoffStream: a bounded queue of bytes between a producer on a main
 * context and a blocking reader on another thread. */

#define G_LOG_DOMAIN "tales-handoff-stream"

#include "config.h"

#include "tales-handoff-stream.h"

#include <string.h>

struct _TalesHandoffStream
{
  GInputStream parent_instance;

  GMutex mutex;
  GCond cond;
  GQueue chunks;          /* GBytes, oldest first */
  gsize offset;           /* into the oldest chunk: what was read of it */
  gsize queued;           /* bytes waiting */
  gsize capacity;
  gboolean finished;
  gboolean closed;        /* by the reader */
  GError *error;          /* what finished it, if not end-of-file */
  /* The producer waiting for room: its callback and main context. */
  GSourceFunc room_func;
  gpointer room_data;
  GMainContext *room_context;
};

G_DEFINE_FINAL_TYPE (TalesHandoffStream, tales_handoff_stream, G_TYPE_INPUT_STREAM)

/* With the mutex held: calls the waiting producer back on its context. */
static void
wake_producer_locked (TalesHandoffStream *self)
{
  g_autoptr(GSource) source = NULL;

  if (self->room_func == NULL)
    return;
  source = g_idle_source_new ();
  g_source_set_callback (source, self->room_func, self->room_data, NULL);
  g_source_set_static_name (source, "[tales] handoff room");
  g_source_attach (source, self->room_context);
  self->room_func = NULL;
  self->room_data = NULL;
  g_clear_pointer (&self->room_context, g_main_context_unref);
}

static void
drop_chunks_locked (TalesHandoffStream *self)
{
  g_queue_clear_full (&self->chunks, (GDestroyNotify) g_bytes_unref);
  self->offset = 0;
  self->queued = 0;
}

static void
cancelled_cb (GCancellable *cancellable, TalesHandoffStream *self)
{
  g_mutex_lock (&self->mutex);
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->mutex);
}

/* With the mutex held: copies what is queued into @buffer. */
static gsize
take_locked (TalesHandoffStream *self, guint8 *buffer, gsize count)
{
  gsize done = 0;

  while (done < count && !g_queue_is_empty (&self->chunks))
    {
      GBytes *chunk = g_queue_peek_head (&self->chunks);
      gsize size;
      const guint8 *data = g_bytes_get_data (chunk, &size);
      gsize n = MIN (count - done, size - self->offset);

      memcpy (buffer + done, data + self->offset, n);
      done += n;
      self->offset += n;
      if (self->offset == size)
        {
          g_bytes_unref (g_queue_pop_head (&self->chunks));
          self->offset = 0;
        }
    }
  self->queued -= done;
  if (self->queued <= self->capacity / 2)
    wake_producer_locked (self);
  return done;
}

static gssize
tales_handoff_stream_read (GInputStream  *stream,
                           void          *buffer,
                           gsize          count,
                           GCancellable  *cancellable,
                           GError       **error)
{
  TalesHandoffStream *self = TALES_HANDOFF_STREAM (stream);
  gulong handler = 0;
  gssize result = -1;

  if (cancellable != NULL)
    handler = g_cancellable_connect (cancellable, G_CALLBACK (cancelled_cb), self, NULL);

  g_mutex_lock (&self->mutex);
  while (self->error == NULL && self->queued == 0 && !self->finished &&
         !g_cancellable_is_cancelled (cancellable))
    g_cond_wait (&self->cond, &self->mutex);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    result = -1;
  else if (self->error != NULL)
    g_propagate_error (error, g_error_copy (self->error));
  else
    result = (gssize) take_locked (self, buffer, count);
  g_mutex_unlock (&self->mutex);

  g_cancellable_disconnect (cancellable, handler);
  return result;
}

static gboolean
tales_handoff_stream_close (GInputStream  *stream,
                            GCancellable  *cancellable,
                            GError       **error)
{
  TalesHandoffStream *self = TALES_HANDOFF_STREAM (stream);

  g_mutex_lock (&self->mutex);
  self->closed = TRUE;
  drop_chunks_locked (self);
  wake_producer_locked (self);
  g_mutex_unlock (&self->mutex);
  return TRUE;
}

static void
tales_handoff_stream_finalize (GObject *object)
{
  TalesHandoffStream *self = TALES_HANDOFF_STREAM (object);

  drop_chunks_locked (self);
  g_clear_pointer (&self->room_context, g_main_context_unref);
  g_clear_error (&self->error);
  g_mutex_clear (&self->mutex);
  g_cond_clear (&self->cond);

  G_OBJECT_CLASS (tales_handoff_stream_parent_class)->finalize (object);
}

static void
tales_handoff_stream_class_init (TalesHandoffStreamClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GInputStreamClass *stream_class = G_INPUT_STREAM_CLASS (klass);

  object_class->finalize = tales_handoff_stream_finalize;
  stream_class->read_fn = tales_handoff_stream_read;
  stream_class->close_fn = tales_handoff_stream_close;
}

static void
tales_handoff_stream_init (TalesHandoffStream *self)
{
  g_mutex_init (&self->mutex);
  g_cond_init (&self->cond);
  g_queue_init (&self->chunks);
}

TalesHandoffStream *
tales_handoff_stream_new (gsize capacity)
{
  TalesHandoffStream *self = g_object_new (TALES_TYPE_HANDOFF_STREAM, NULL);

  self->capacity = MAX (capacity, 1);
  return self;
}

gboolean
tales_handoff_stream_push (TalesHandoffStream *self, GBytes *bytes)
{
  gboolean room;

  g_return_val_if_fail (TALES_IS_HANDOFF_STREAM (self), FALSE);

  g_mutex_lock (&self->mutex);
  if (!self->closed && !self->finished && g_bytes_get_size (bytes) > 0)
    {
      g_queue_push_tail (&self->chunks, g_bytes_ref (bytes));
      self->queued += g_bytes_get_size (bytes);
      g_cond_broadcast (&self->cond);
    }
  room = self->closed || self->queued < self->capacity;
  g_mutex_unlock (&self->mutex);
  return room;
}

void
tales_handoff_stream_wait_room (TalesHandoffStream *self,
                                GSourceFunc         func,
                                gpointer            user_data)
{
  g_return_if_fail (TALES_IS_HANDOFF_STREAM (self));
  g_return_if_fail (func != NULL);

  g_mutex_lock (&self->mutex);
  g_warn_if_fail (self->room_func == NULL);
  self->room_func = func;
  self->room_data = user_data;
  self->room_context = g_main_context_ref_thread_default ();
  /* The reader may have made room, or left, in the meantime. */
  if (self->closed || self->queued <= self->capacity / 2)
    wake_producer_locked (self);
  g_mutex_unlock (&self->mutex);
}

void
tales_handoff_stream_finish (TalesHandoffStream *self, const GError *error)
{
  g_return_if_fail (TALES_IS_HANDOFF_STREAM (self));

  g_mutex_lock (&self->mutex);
  if (!self->finished)
    {
      self->finished = TRUE;
      if (error != NULL)
        {
          self->error = g_error_copy (error);
          drop_chunks_locked (self);
        }
      g_cond_broadcast (&self->cond);
    }
  g_mutex_unlock (&self->mutex);
}

gboolean
tales_handoff_stream_is_closed (TalesHandoffStream *self)
{
  gboolean closed;

  g_return_val_if_fail (TALES_IS_HANDOFF_STREAM (self), TRUE);

  g_mutex_lock (&self->mutex);
  closed = self->closed;
  g_mutex_unlock (&self->mutex);
  return closed;
}

gboolean
tales_handoff_stream_is_finished (TalesHandoffStream *self)
{
  gboolean finished;

  g_return_val_if_fail (TALES_IS_HANDOFF_STREAM (self), TRUE);

  g_mutex_lock (&self->mutex);
  finished = self->finished;
  g_mutex_unlock (&self->mutex);
  return finished;
}
