/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "tales-feed"

#include "tales-feed.h"
#include "tales-compat.h"

struct _TalesFeed
{
  GObject parent_instance;

  gint64 db_id;
  guint refresh_hint;
  /* Indexed by the string PROP_ ids, which come first in the enum. */
  char *strings[12];
  GDateTime *last_refresh;
  GDateTime *updated;
  GDateTime *next_refresh;
};

enum {
  PROP_URL = 1,
  PROP_TITLE,
  PROP_LINK,
  PROP_SUBTITLE,
  PROP_IMAGE_URL,
  PROP_LANGUAGE,
  PROP_ETAG,
  PROP_LAST_MODIFIED,
  PROP_LAST_ERROR,
  PROP_USER_TITLE,
  PROP_FOLDER,
  LAST_STRING_PROP = PROP_FOLDER,
  PROP_DB_ID,
  PROP_LAST_REFRESH,
  PROP_UPDATED,
  PROP_NEXT_REFRESH,
  PROP_REFRESH_HINT,
  N_PROPS
};

G_STATIC_ASSERT (LAST_STRING_PROP < 12);

G_DEFINE_FINAL_TYPE (TalesFeed, tales_feed, G_TYPE_OBJECT)

static GParamSpec *properties[N_PROPS];

static void
set_string (TalesFeed *self, guint prop_id, const char *value)
{
  if (tales_set_str (&self->strings[prop_id], value))
    g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
}

static void
set_date (TalesFeed *self, GDateTime **field, GDateTime *value, guint prop_id)
{
  if (tales_set_date_time (field, value))
    g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
}

static void
tales_feed_finalize (GObject *object)
{
  TalesFeed *self = TALES_FEED (object);

  for (guint i = 0; i < G_N_ELEMENTS (self->strings); i++)
    g_free (self->strings[i]);
  g_clear_pointer (&self->last_refresh, g_date_time_unref);
  g_clear_pointer (&self->updated, g_date_time_unref);
  g_clear_pointer (&self->next_refresh, g_date_time_unref);

  G_OBJECT_CLASS (tales_feed_parent_class)->finalize (object);
}

static void
tales_feed_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  TalesFeed *self = TALES_FEED (object);

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
    case PROP_LAST_REFRESH:
      g_value_set_boxed (value, self->last_refresh);
      break;
    case PROP_UPDATED:
      g_value_set_boxed (value, self->updated);
      break;
    case PROP_NEXT_REFRESH:
      g_value_set_boxed (value, self->next_refresh);
      break;
    case PROP_REFRESH_HINT:
      g_value_set_uint (value, self->refresh_hint);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tales_feed_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  TalesFeed *self = TALES_FEED (object);

  if (prop_id <= LAST_STRING_PROP)
    {
      set_string (self, prop_id, g_value_get_string (value));
      return;
    }

  switch (prop_id)
    {
    case PROP_DB_ID:
      tales_feed_set_db_id (self, g_value_get_int64 (value));
      break;
    case PROP_LAST_REFRESH:
      tales_feed_set_last_refresh (self, g_value_get_boxed (value));
      break;
    case PROP_UPDATED:
      tales_feed_set_updated (self, g_value_get_boxed (value));
      break;
    case PROP_NEXT_REFRESH:
      tales_feed_set_next_refresh (self, g_value_get_boxed (value));
      break;
    case PROP_REFRESH_HINT:
      tales_feed_set_refresh_hint (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tales_feed_class_init (TalesFeedClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  static const char *string_names[] = {
    NULL, "url", "title", "link", "subtitle", "image-url", "language",
    "etag", "last-modified", "last-error", "user-title", "folder",
  };

  object_class->finalize = tales_feed_finalize;
  object_class->get_property = tales_feed_get_property;
  object_class->set_property = tales_feed_set_property;

  for (guint i = 1; i <= LAST_STRING_PROP; i++)
    properties[i] = g_param_spec_string (string_names[i], NULL, NULL, NULL, flags);

  properties[PROP_DB_ID] = g_param_spec_int64 ("db-id", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_LAST_REFRESH] = g_param_spec_boxed ("last-refresh", NULL, NULL, G_TYPE_DATE_TIME, flags);
  properties[PROP_UPDATED] = g_param_spec_boxed ("updated", NULL, NULL, G_TYPE_DATE_TIME, flags);
  properties[PROP_REFRESH_HINT] = g_param_spec_uint ("refresh-hint", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_NEXT_REFRESH] = g_param_spec_boxed ("next-refresh", NULL, NULL, G_TYPE_DATE_TIME, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
tales_feed_init (TalesFeed *self)
{
}

TalesFeed *
tales_feed_new (void)
{
  return g_object_new (TALES_TYPE_FEED, NULL);
}

#define STRING_ACCESSORS(name, PROP)                                   \
  const char *tales_feed_get_##name (TalesFeed *self)                 \
  {                                                                    \
    g_return_val_if_fail (TALES_IS_FEED (self), NULL);                 \
    return self->strings[PROP];                                        \
  }                                                                    \
  void tales_feed_set_##name (TalesFeed *self, const char *value)      \
  {                                                                    \
    g_return_if_fail (TALES_IS_FEED (self));                           \
    set_string (self, PROP, value);                                    \
  }

STRING_ACCESSORS (url, PROP_URL)
STRING_ACCESSORS (title, PROP_TITLE)
STRING_ACCESSORS (link, PROP_LINK)
STRING_ACCESSORS (subtitle, PROP_SUBTITLE)
STRING_ACCESSORS (image_url, PROP_IMAGE_URL)
STRING_ACCESSORS (language, PROP_LANGUAGE)
STRING_ACCESSORS (etag, PROP_ETAG)
STRING_ACCESSORS (last_modified, PROP_LAST_MODIFIED)
STRING_ACCESSORS (last_error, PROP_LAST_ERROR)
STRING_ACCESSORS (user_title, PROP_USER_TITLE)
STRING_ACCESSORS (folder, PROP_FOLDER)

const char *
tales_feed_get_display_title (TalesFeed *self)
{
  g_return_val_if_fail (TALES_IS_FEED (self), NULL);

  if (self->strings[PROP_USER_TITLE] && *self->strings[PROP_USER_TITLE])
    return self->strings[PROP_USER_TITLE];
  if (self->strings[PROP_TITLE] && *self->strings[PROP_TITLE])
    return self->strings[PROP_TITLE];
  return self->strings[PROP_URL];
}

gint64
tales_feed_get_db_id (TalesFeed *self)
{
  g_return_val_if_fail (TALES_IS_FEED (self), 0);
  return self->db_id;
}

void
tales_feed_set_db_id (TalesFeed *self, gint64 db_id)
{
  g_return_if_fail (TALES_IS_FEED (self));
  if (self->db_id == db_id)
    return;
  self->db_id = db_id;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DB_ID]);
}

GDateTime *
tales_feed_get_last_refresh (TalesFeed *self)
{
  g_return_val_if_fail (TALES_IS_FEED (self), NULL);
  return self->last_refresh;
}

void
tales_feed_set_last_refresh (TalesFeed *self, GDateTime *when)
{
  g_return_if_fail (TALES_IS_FEED (self));
  set_date (self, &self->last_refresh, when, PROP_LAST_REFRESH);
}

GDateTime *
tales_feed_get_updated (TalesFeed *self)
{
  g_return_val_if_fail (TALES_IS_FEED (self), NULL);
  return self->updated;
}

void
tales_feed_set_updated (TalesFeed *self, GDateTime *updated)
{
  g_return_if_fail (TALES_IS_FEED (self));
  set_date (self, &self->updated, updated, PROP_UPDATED);
}

GDateTime *
tales_feed_get_next_refresh (TalesFeed *self)
{
  g_return_val_if_fail (TALES_IS_FEED (self), NULL);
  return self->next_refresh;
}

void
tales_feed_set_next_refresh (TalesFeed *self, GDateTime *when)
{
  g_return_if_fail (TALES_IS_FEED (self));
  set_date (self, &self->next_refresh, when, PROP_NEXT_REFRESH);
}

guint
tales_feed_get_refresh_hint (TalesFeed *self)
{
  g_return_val_if_fail (TALES_IS_FEED (self), 0);
  return self->refresh_hint;
}

void
tales_feed_set_refresh_hint (TalesFeed *self, guint seconds)
{
  g_return_if_fail (TALES_IS_FEED (self));
  if (self->refresh_hint == seconds)
    return;
  self->refresh_hint = seconds;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REFRESH_HINT]);
}
