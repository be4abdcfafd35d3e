/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Module model: the objects a post and a feed are (TalesPost, TalesFeed)
 * and TalesPostList, the list model the post list shows, which reads its
 * pages through the store.
 * May use: base; store (only TalesPostList, to read pages). */

#include <glib-object.h>

G_BEGIN_DECLS

/* One category of a post as feeds carry it: RSS <category domain=...> or
 * Atom <category term= scheme= label=>. */
typedef struct {
  char *term;
  char *scheme;   /* nullable */
  char *label;    /* nullable */
} TalesTag;

/* A file attached to a post (RSS <enclosure>, Atom rel="enclosure"). */
typedef struct {
  char *href;
  char *type;     /* nullable */
  gint64 length;  /* 0 when unknown */
} TalesEnclosure;

TalesTag       *tales_tag_new       (const char *term, const char *scheme, const char *label);
void            tales_tag_free      (TalesTag *tag);
TalesEnclosure *tales_enclosure_new (const char *href, const char *type, gint64 length);
void            tales_enclosure_free (TalesEnclosure *enclosure);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TalesTag, tales_tag_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TalesEnclosure, tales_enclosure_free)

#define TALES_TYPE_POST (tales_post_get_type ())
G_DECLARE_FINAL_TYPE (TalesPost, tales_post, TALES, POST, GObject)

TalesPost   *tales_post_new              (void);

gint64       tales_post_get_db_id        (TalesPost *self);
void         tales_post_set_db_id        (TalesPost *self, gint64 db_id);
gint64       tales_post_get_feed_id      (TalesPost *self);
void         tales_post_set_feed_id      (TalesPost *self, gint64 feed_id);

const char  *tales_post_get_guid         (TalesPost *self);
void         tales_post_set_guid         (TalesPost *self, const char *guid);
const char  *tales_post_get_title        (TalesPost *self);
void         tales_post_set_title        (TalesPost *self, const char *title);
const char  *tales_post_get_link         (TalesPost *self);
void         tales_post_set_link         (TalesPost *self, const char *link);
const char  *tales_post_get_author       (TalesPost *self);
void         tales_post_set_author       (TalesPost *self, const char *author);
const char  *tales_post_get_summary      (TalesPost *self);
void         tales_post_set_summary      (TalesPost *self, const char *summary);
const char  *tales_post_get_content      (TalesPost *self);
void         tales_post_set_content      (TalesPost *self, const char *content);
const char  *tales_post_get_cover_url    (TalesPost *self);
void         tales_post_set_cover_url    (TalesPost *self, const char *cover_url);
const char  *tales_post_get_feed_title   (TalesPost *self);
void         tales_post_set_feed_title   (TalesPost *self, const char *feed_title);
/* The date strings exactly as the feed wrote them (for feedparser-shaped
 * output and for dates that could not be parsed). */
const char  *tales_post_get_published_text (TalesPost *self);
void         tales_post_set_published_text (TalesPost *self, const char *text);
const char  *tales_post_get_updated_text (TalesPost *self);
void         tales_post_set_updated_text (TalesPost *self, const char *text);

GDateTime   *tales_post_get_published    (TalesPost *self);
void         tales_post_set_published    (TalesPost *self, GDateTime *published);
GDateTime   *tales_post_get_updated      (TalesPost *self);
void         tales_post_set_updated      (TalesPost *self, GDateTime *updated);

/* The reader's state, kept by the store. */
gboolean     tales_post_get_is_read      (TalesPost *self);
void         tales_post_set_is_read      (TalesPost *self, gboolean is_read);
gboolean     tales_post_get_is_starred   (TalesPost *self);
void         tales_post_set_is_starred   (TalesPost *self, gboolean is_starred);
/* How many of the images the post needs are not in the cache: 0 means the
 * post is fully available offline; -1 means not known yet. */
int          tales_post_get_images_missing (TalesPost *self);
void         tales_post_set_images_missing (TalesPost *self, int images_missing);

/* The terms of the post's tags, in feed order; never NULL. */
const char * const *tales_post_get_categories (TalesPost *self);
void         tales_post_set_categories   (TalesPost *self, const char * const *categories);

/* (element-type TalesTag) (transfer none) */
GPtrArray   *tales_post_get_tags         (TalesPost *self);
void         tales_post_add_tag          (TalesPost *self, const char *term, const char *scheme, const char *label);
/* (element-type TalesEnclosure) (transfer none) */
GPtrArray   *tales_post_get_enclosures   (TalesPost *self);
void         tales_post_add_enclosure    (TalesPost *self, const char *href, const char *type, gint64 length);

/* The key a refresh merges on: the guid, else the link, else NULL. */
const char  *tales_post_get_merge_key    (TalesPost *self);
/* The fuller of content and summary: what the article shows. */
const char  *tales_post_get_body         (TalesPost *self);

G_END_DECLS
