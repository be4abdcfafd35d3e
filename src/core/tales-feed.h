#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define TALES_TYPE_FEED (tales_feed_get_type ())
G_DECLARE_FINAL_TYPE (TalesFeed, tales_feed, TALES, FEED, GObject)

TalesFeed  *tales_feed_new               (void);

gint64      tales_feed_get_db_id         (TalesFeed *self);
void        tales_feed_set_db_id         (TalesFeed *self, gint64 db_id);
/* The address Tales fetches (the subscription), not the site. */
const char *tales_feed_get_url           (TalesFeed *self);
void        tales_feed_set_url           (TalesFeed *self, const char *url);
const char *tales_feed_get_title         (TalesFeed *self);
void        tales_feed_set_title         (TalesFeed *self, const char *title);
/* The web site the feed belongs to. */
const char *tales_feed_get_link          (TalesFeed *self);
void        tales_feed_set_link          (TalesFeed *self, const char *link);
const char *tales_feed_get_subtitle      (TalesFeed *self);
void        tales_feed_set_subtitle      (TalesFeed *self, const char *subtitle);
const char *tales_feed_get_image_url     (TalesFeed *self);
void        tales_feed_set_image_url     (TalesFeed *self, const char *image_url);
const char *tales_feed_get_language      (TalesFeed *self);
void        tales_feed_set_language      (TalesFeed *self, const char *language);
/* HTTP validators for conditional GET, remembered by the store. */
const char *tales_feed_get_etag          (TalesFeed *self);
void        tales_feed_set_etag          (TalesFeed *self, const char *etag);
const char *tales_feed_get_last_modified (TalesFeed *self);
void        tales_feed_set_last_modified (TalesFeed *self, const char *last_modified);
/* What went wrong on the last refresh, in words; NULL when it worked. */
const char *tales_feed_get_last_error    (TalesFeed *self);
void        tales_feed_set_last_error    (TalesFeed *self, const char *last_error);
GDateTime  *tales_feed_get_last_refresh  (TalesFeed *self);
void        tales_feed_set_last_refresh  (TalesFeed *self, GDateTime *when);
GDateTime  *tales_feed_get_updated       (TalesFeed *self);
void        tales_feed_set_updated       (TalesFeed *self, GDateTime *updated);

G_END_DECLS
