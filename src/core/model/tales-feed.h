/* SPDX-License-Identifier: GPL-3.0-or-later */
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
/* The name the person gave the feed, shown instead of its own title;
 * NULL when not renamed. */
const char *tales_feed_get_user_title    (TalesFeed *self);
void        tales_feed_set_user_title    (TalesFeed *self, const char *user_title);
/* The user title, else the feed's title, else its URL: what to show. */
const char *tales_feed_get_display_title (TalesFeed *self);
/* The OPML folder the feed sits in; NULL at the top level. */
const char *tales_feed_get_folder        (TalesFeed *self);
void        tales_feed_set_folder        (TalesFeed *self, const char *folder);
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
/* The earliest time the feed may be fetched again, from its own hints
 * (ttl, sy:updatePeriod, Cache-Control, Retry-After); NULL: any time. */
GDateTime  *tales_feed_get_next_refresh  (TalesFeed *self);
void        tales_feed_set_next_refresh  (TalesFeed *self, GDateTime *when);
/* How often the feed says it changes, in seconds (RSS ttl,
 * sy:updatePeriod/updateFrequency); 0 when it does not say. */
guint       tales_feed_get_refresh_hint  (TalesFeed *self);
void        tales_feed_set_refresh_hint  (TalesFeed *self, guint seconds);
GDateTime  *tales_feed_get_updated       (TalesFeed *self);
void        tales_feed_set_updated       (TalesFeed *self, GDateTime *updated);

G_END_DECLS
