/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define TALES_TYPE_HANDOFF_STREAM (tales_handoff_stream_get_type ())
G_DECLARE_FINAL_TYPE (TalesHandoffStream, tales_handoff_stream, TALES, HANDOFF_STREAM, GInputStream)

/* Bytes handed from a producer on a main context (the fetcher reading the
 * network) to a reader on a worker thread that reads with blocking calls
 * (the parser). At most about @capacity bytes wait between the two: a
 * producer told there is no room waits for tales_handoff_stream_wait_room()
 * to call it back, so a fast network never piles a whole feed up in memory
 * in front of a slower parser. */
TalesHandoffStream *tales_handoff_stream_new       (gsize capacity);

/* Producer side. push() queues @bytes and returns whether there is room
 * for more; when not, wait_room() calls @func once (on the calling
 * thread's default main context) as soon as there is, or as soon as the
 * reader closed the stream. finish() ends the stream: the reader gets
 * end-of-file when @error is NULL, else a copy of @error. */
gboolean            tales_handoff_stream_push      (TalesHandoffStream *self,
                                                    GBytes             *bytes);
void                tales_handoff_stream_wait_room (TalesHandoffStream *self,
                                                    GSourceFunc         func,
                                                    gpointer            user_data);
void                tales_handoff_stream_finish    (TalesHandoffStream *self,
                                                    const GError       *error);
/* Whether the reader closed the stream: nobody wants more bytes. */
gboolean            tales_handoff_stream_is_closed (TalesHandoffStream *self);
/* Whether finish() was called. */
gboolean            tales_handoff_stream_is_finished (TalesHandoffStream *self);

G_END_DECLS
