/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "tales-post"

#include "tales-post.h"
#include "tales-compat.h"

#include <string.h>

struct _TalesPost
{
  GObject parent_instance;

  gint64 db_id;
  gint64 feed_id;
  gboolean is_read;
  gboolean is_starred;
  int images_missing;
  /* Indexed by the string PROP_ ids, which come first in the enum, so that
   * one getter/setter pair serves every text property. */
  char *strings[11];
  GDateTime *published;
  GDateTime *updated;
  GPtrArray *tags;        /* TalesTag */
  GPtrArray *enclosures;  /* TalesEnclosure */
  char **categories;      /* cache of the tags' terms */
};

enum {
  PROP_GUID = 1,
  PROP_TITLE,
  PROP_LINK,
  PROP_AUTHOR,
  PROP_SUMMARY,
  PROP_CONTENT,
  PROP_COVER_URL,
  PROP_FEED_TITLE,
  PROP_PUBLISHED_TEXT,
  PROP_UPDATED_TEXT,
  LAST_STRING_PROP = PROP_UPDATED_TEXT,
  PROP_DB_ID,
  PROP_FEED_ID,
  PROP_PUBLISHED,
  PROP_UPDATED,
  PROP_CATEGORIES,
  PROP_IS_READ,
  PROP_IS_STARRED,
  PROP_IMAGES_MISSING,
  N_PROPS
};

G_STATIC_ASSERT (LAST_STRING_PROP < 11);

G_DEFINE_FINAL_TYPE (TalesPost, tales_post, G_TYPE_OBJECT)

static GParamSpec *properties[N_PROPS];

TalesTag *
tales_tag_new (const char *term, const char *scheme, const char *label)
{
  TalesTag *tag = g_new0 (TalesTag, 1);

  tag->term = g_strdup (term);
  tag->scheme = g_strdup (scheme);
  tag->label = g_strdup (label);
  return tag;
}

void
tales_tag_free (TalesTag *tag)
{
  if (tag == NULL)
    return;
  g_free (tag->term);
  g_free (tag->scheme);
  g_free (tag->label);
  g_free (tag);
}

TalesEnclosure *
tales_enclosure_new (const char *href, const char *type, gint64 length)
{
  TalesEnclosure *enclosure = g_new0 (TalesEnclosure, 1);

  enclosure->href = g_strdup (href);
  enclosure->type = g_strdup (type);
  enclosure->length = length;
  return enclosure;
}

void
tales_enclosure_free (TalesEnclosure *enclosure)
{
  if (enclosure == NULL)
    return;
  g_free (enclosure->href);
  g_free (enclosure->type);
  g_free (enclosure);
}

static void
set_string (TalesPost *self, guint prop_id, const char *value)
{
  if (tales_set_str (&self->strings[prop_id], value))
    g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
}

static void
set_date (TalesPost *self, GDateTime **field, GDateTime *value, guint prop_id)
{
  if (tales_set_date_time (field, value))
    g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
}

static void
tales_post_finalize (GObject *object)
{
  TalesPost *self = TALES_POST (object);

  for (guint i = 0; i < G_N_ELEMENTS (self->strings); i++)
    g_free (self->strings[i]);
  g_clear_pointer (&self->published, g_date_time_unref);
  g_clear_pointer (&self->updated, g_date_time_unref);
  g_clear_pointer (&self->tags, g_ptr_array_unref);
  g_clear_pointer (&self->enclosures, g_ptr_array_unref);
  g_clear_pointer (&self->categories, g_strfreev);

  G_OBJECT_CLASS (tales_post_parent_class)->finalize (object);
}

static void
tales_post_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  TalesPost *self = TALES_POST (object);

  if (prop_id <= LAST_STRING_PROP)
    {
      g_value_set_string (value, self->strings[prop_id]);
      return;
    }

  switch (prop_id)
    {
    case PROP_DB_ID:
      g_value_set_int64 (value, self->db_id);
      break;
    case PROP_FEED_ID:
      g_value_set_int64 (value, self->feed_id);
      break;
    case PROP_PUBLISHED:
      g_value_set_boxed (value, self->published);
      break;
    case PROP_UPDATED:
      g_value_set_boxed (value, self->updated);
      break;
    case PROP_CATEGORIES:
      g_value_set_boxed (value, tales_post_get_categories (self));
      break;
    case PROP_IS_READ:
      g_value_set_boolean (value, self->is_read);
      break;
    case PROP_IS_STARRED:
      g_value_set_boolean (value, self->is_starred);
      break;
    case PROP_IMAGES_MISSING:
      g_value_set_int (value, self->images_missing);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tales_post_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  TalesPost *self = TALES_POST (object);

  if (prop_id <= LAST_STRING_PROP)
    {
      set_string (self, prop_id, g_value_get_string (value));
      return;
    }

  switch (prop_id)
    {
    case PROP_DB_ID:
      tales_post_set_db_id (self, g_value_get_int64 (value));
      break;
    case PROP_FEED_ID:
      tales_post_set_feed_id (self, g_value_get_int64 (value));
      break;
    case PROP_PUBLISHED:
      tales_post_set_published (self, g_value_get_boxed (value));
      break;
    case PROP_UPDATED:
      tales_post_set_updated (self, g_value_get_boxed (value));
      break;
    case PROP_CATEGORIES:
      tales_post_set_categories (self, g_value_get_boxed (value));
      break;
    case PROP_IS_READ:
      tales_post_set_is_read (self, g_value_get_boolean (value));
      break;
    case PROP_IS_STARRED:
      tales_post_set_is_starred (self, g_value_get_boolean (value));
      break;
    case PROP_IMAGES_MISSING:
      tales_post_set_images_missing (self, g_value_get_int (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tales_post_class_init (TalesPostClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  static const char *string_names[] = {
    NULL, "guid", "title", "link", "author", "summary", "content",
    "cover-url", "feed-title", "published-text", "updated-text",
  };

  object_class->finalize = tales_post_finalize;
  object_class->get_property = tales_post_get_property;
  object_class->set_property = tales_post_set_property;

  for (guint i = 1; i <= LAST_STRING_PROP; i++)
    properties[i] = g_param_spec_string (string_names[i], NULL, NULL, NULL, flags);

  properties[PROP_DB_ID] = g_param_spec_int64 ("db-id", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_FEED_ID] = g_param_spec_int64 ("feed-id", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_PUBLISHED] = g_param_spec_boxed ("published", NULL, NULL, G_TYPE_DATE_TIME, flags);
  properties[PROP_UPDATED] = g_param_spec_boxed ("updated", NULL, NULL, G_TYPE_DATE_TIME, flags);
  properties[PROP_CATEGORIES] = g_param_spec_boxed ("categories", NULL, NULL, G_TYPE_STRV, flags);
  properties[PROP_IS_READ] = g_param_spec_boolean ("is-read", NULL, NULL, FALSE, flags);
  properties[PROP_IS_STARRED] = g_param_spec_boolean ("is-starred", NULL, NULL, FALSE, flags);
  properties[PROP_IMAGES_MISSING] = g_param_spec_int ("images-missing", NULL, NULL, -1, G_MAXINT, -1, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
tales_post_init (TalesPost *self)
{
  self->images_missing = -1;
  self->tags = g_ptr_array_new_with_free_func ((GDestroyNotify) tales_tag_free);
  self->enclosures = g_ptr_array_new_with_free_func ((GDestroyNotify) tales_enclosure_free);
}

TalesPost *
tales_post_new (void)
{
  return g_object_new (TALES_TYPE_POST, NULL);
}

#define STRING_ACCESSORS(name, PROP)                                   \
  const char *tales_post_get_##name (TalesPost *self)                 \
  {                                                                    \
    g_return_val_if_fail (TALES_IS_POST (self), NULL);                 \
    return self->strings[PROP];                                        \
  }                                                                    \
  void tales_post_set_##name (TalesPost *self, const char *value)      \
  {                                                                    \
    g_return_if_fail (TALES_IS_POST (self));                           \
    set_string (self, PROP, value);                                    \
  }

STRING_ACCESSORS (guid, PROP_GUID)
STRING_ACCESSORS (title, PROP_TITLE)
STRING_ACCESSORS (link, PROP_LINK)
STRING_ACCESSORS (author, PROP_AUTHOR)
STRING_ACCESSORS (summary, PROP_SUMMARY)
STRING_ACCESSORS (content, PROP_CONTENT)
STRING_ACCESSORS (cover_url, PROP_COVER_URL)
STRING_ACCESSORS (feed_title, PROP_FEED_TITLE)
STRING_ACCESSORS (published_text, PROP_PUBLISHED_TEXT)
STRING_ACCESSORS (updated_text, PROP_UPDATED_TEXT)

gint64
tales_post_get_db_id (TalesPost *self)
{
  g_return_val_if_fail (TALES_IS_POST (self), 0);
  return self->db_id;
}

void
tales_post_set_db_id (TalesPost *self, gint64 db_id)
{
  g_return_if_fail (TALES_IS_POST (self));
  if (self->db_id == db_id)
    return;
  self->db_id = db_id;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DB_ID]);
}

gint64
tales_post_get_feed_id (TalesPost *self)
{
  g_return_val_if_fail (TALES_IS_POST (self), 0);
  return self->feed_id;
}

void
tales_post_set_feed_id (TalesPost *self, gint64 feed_id)
{
  g_return_if_fail (TALES_IS_POST (self));
  if (self->feed_id == feed_id)
    return;
  self->feed_id = feed_id;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FEED_ID]);
}

GDateTime *
tales_post_get_published (TalesPost *self)
{
  g_return_val_if_fail (TALES_IS_POST (self), NULL);
  return self->published;
}

void
tales_post_set_published (TalesPost *self, GDateTime *published)
{
  g_return_if_fail (TALES_IS_POST (self));
  set_date (self, &self->published, published, PROP_PUBLISHED);
}

GDateTime *
tales_post_get_updated (TalesPost *self)
{
  g_return_val_if_fail (TALES_IS_POST (self), NULL);
  return self->updated;
}

void
tales_post_set_updated (TalesPost *self, GDateTime *updated)
{
  g_return_if_fail (TALES_IS_POST (self));
  set_date (self, &self->updated, updated, PROP_UPDATED);
}

const char * const *
tales_post_get_categories (TalesPost *self)
{
  g_return_val_if_fail (TALES_IS_POST (self), NULL);

  if (self->categories == NULL)
    {
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

      for (guint i = 0; i < self->tags->len; i++)
        g_strv_builder_add (builder, ((TalesTag *) g_ptr_array_index (self->tags, i))->term);
      self->categories = g_strv_builder_end (builder);
    }
  return (const char * const *) self->categories;
}

static void
tags_changed (TalesPost *self)
{
  g_clear_pointer (&self->categories, g_strfreev);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CATEGORIES]);
}

void
tales_post_set_categories (TalesPost *self, const char * const *categories)
{
  g_return_if_fail (TALES_IS_POST (self));

  g_ptr_array_set_size (self->tags, 0);
  for (guint i = 0; categories && categories[i]; i++)
    g_ptr_array_add (self->tags, tales_tag_new (categories[i], NULL, NULL));
  tags_changed (self);
}

GPtrArray *
tales_post_get_tags (TalesPost *self)
{
  g_return_val_if_fail (TALES_IS_POST (self), NULL);
  return self->tags;
}

void
tales_post_add_tag (TalesPost *self, const char *term, const char *scheme, const char *label)
{
  g_return_if_fail (TALES_IS_POST (self));
  g_return_if_fail (term != NULL);

  g_ptr_array_add (self->tags, tales_tag_new (term, scheme, label));
  tags_changed (self);
}

GPtrArray *
tales_post_get_enclosures (TalesPost *self)
{
  g_return_val_if_fail (TALES_IS_POST (self), NULL);
  return self->enclosures;
}

void
tales_post_add_enclosure (TalesPost *self, const char *href, const char *type, gint64 length)
{
  g_return_if_fail (TALES_IS_POST (self));
  g_return_if_fail (href != NULL);

  g_ptr_array_add (self->enclosures, tales_enclosure_new (href, type, length));
}

const char *
tales_post_get_merge_key (TalesPost *self)
{
  g_return_val_if_fail (TALES_IS_POST (self), NULL);

  if (self->strings[PROP_GUID] && *self->strings[PROP_GUID])
    return self->strings[PROP_GUID];
  if (self->strings[PROP_LINK] && *self->strings[PROP_LINK])
    return self->strings[PROP_LINK];
  return NULL;
}

const char *
tales_post_get_body (TalesPost *self)
{
  const char *content, *summary;

  g_return_val_if_fail (TALES_IS_POST (self), NULL);

  content = self->strings[PROP_CONTENT];
  summary = self->strings[PROP_SUMMARY];
  if (content == NULL)
    return summary;
  if (summary == NULL)
    return content;
  return strlen (content) >= strlen (summary) ? content : summary;
}

#define FLAG_ACCESSORS(name, type, PROP)                               \
  type tales_post_get_##name (TalesPost *self)                        \
  {                                                                    \
    g_return_val_if_fail (TALES_IS_POST (self), 0);                    \
    return self->name;                                                 \
  }                                                                    \
  void tales_post_set_##name (TalesPost *self, type value)            \
  {                                                                    \
    g_return_if_fail (TALES_IS_POST (self));                           \
    if (self->name == value)                                           \
      return;                                                          \
    self->name = value;                                                \
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP]);      \
  }

FLAG_ACCESSORS (is_read, gboolean, PROP_IS_READ)
FLAG_ACCESSORS (is_starred, gboolean, PROP_IS_STARRED)
FLAG_ACCESSORS (images_missing, int, PROP_IMAGES_MISSING)
