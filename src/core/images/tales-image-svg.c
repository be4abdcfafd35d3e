/* SPDX-License-Identifier: GPL-3.0-or-later */
/* SVG to PNG, with the work bounded before and after rendering. librsvg
 * runs in this process: its own limits (a million loaded elements, half
 * a million references) bound memory, the count below refuses the
 * reference bombs before they cost seconds, and the bitmap is at most
 * TALES_SVG_MAX_EDGE square. */

#define G_LOG_DOMAIN "tales-image-svg"

#include "config.h"

#include "tales-image-svg.h"

#include <glib/gi18n-lib.h>
#include <librsvg/rsvg.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <math.h>

/* Counting what the SVG draws */

/* Over the limit, or a <use> cycle: either way, refused. */
#define TOO_MANY (TALES_SVG_MAX_INSTANCES + 1)
#define IN_PROGRESS G_MAXUINT

typedef struct {
  GHashTable *ids;      /* id -> xmlNode, borrowed */
  GHashTable *counts;   /* xmlNode with an id -> its count + 1, or IN_PROGRESS */
} Counter;

static guint count_element (Counter *counter, xmlNode *node, int depth);

/* The element a <use> refers to, if it is in this document. */
static xmlNode *
use_target (Counter *counter, xmlNode *node)
{
  for (xmlAttr *attr = node->properties; attr != NULL; attr = attr->next)
    if (xmlStrEqual (attr->name, BAD_CAST "href") && attr->children != NULL &&
        attr->children->content != NULL && attr->children->content[0] == '#')
      return g_hash_table_lookup (counter->ids, attr->children->content + 1);
  return NULL;
}

static guint
count_children (Counter *counter, xmlNode *node, int depth)
{
  guint total = 0;

  for (xmlNode *child = node->children; child != NULL && total < TOO_MANY; child = child->next)
    if (child->type == XML_ELEMENT_NODE)
      total = MIN (TOO_MANY, total + count_element (counter, child, depth));
  return total;
}

/* 1 for the element, plus its children, plus what a <use> draws again;
 * an element with an id is counted once and remembered, so the count
 * takes time in the size of the file, not in what it expands to. */
static guint
count_uncached (Counter *counter, xmlNode *node, int depth)
{
  guint total = 1 + count_children (counter, node, depth);

  if (xmlStrEqual (node->name, BAD_CAST "use"))
    {
      xmlNode *target = use_target (counter, node);

      if (target != NULL)
        {
          if (depth >= TALES_SVG_MAX_USE_DEPTH)
            return TOO_MANY;
          total = MIN (TOO_MANY, total + count_element (counter, target, depth + 1));
        }
    }
  return total;
}

static guint
count_element (Counter *counter, xmlNode *node, int depth)
{
  gpointer known = g_hash_table_lookup (counter->counts, node);
  gboolean has_id = xmlHasProp (node, BAD_CAST "id") != NULL;
  guint total;

  if (known != NULL)
    return GPOINTER_TO_UINT (known) == IN_PROGRESS ? TOO_MANY : GPOINTER_TO_UINT (known) - 1;
  if (has_id)
    g_hash_table_insert (counter->counts, node, GUINT_TO_POINTER (IN_PROGRESS));
  total = count_uncached (counter, node, depth);
  if (has_id)
    g_hash_table_insert (counter->counts, node, GUINT_TO_POINTER (total + 1));
  return total;
}

static void
collect_ids (GHashTable *ids, xmlNode *node)
{
  for (; node != NULL; node = node->next)
    {
      xmlAttr *id;

      if (node->type != XML_ELEMENT_NODE)
        continue;
      id = xmlHasProp (node, BAD_CAST "id");
      if (id != NULL && id->children != NULL && id->children->content != NULL)
        g_hash_table_insert (ids, id->children->content, node);
      collect_ids (ids, node->children);
    }
}

/* Returns: how many elements @data draws, at most TOO_MANY, or 0 when it
 * is not XML at all. */
static guint
count_instances (const char *data, gsize size)
{
  xmlDoc *doc = xmlReadMemory (data, (int) size, NULL, NULL,
                               XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  Counter counter;
  guint total;

  if (doc == NULL || xmlDocGetRootElement (doc) == NULL)
    {
      if (doc != NULL)
        xmlFreeDoc (doc);
      return 0;
    }
  counter.ids = g_hash_table_new (g_str_hash, g_str_equal);
  counter.counts = g_hash_table_new (NULL, NULL);
  collect_ids (counter.ids, xmlDocGetRootElement (doc));
  total = count_element (&counter, xmlDocGetRootElement (doc), 0);
  g_hash_table_destroy (counter.counts);
  g_hash_table_destroy (counter.ids);
  xmlFreeDoc (doc);
  return total;
}

/* Rendering */

/* The size to render at: the SVG's own, or its viewBox's, scaled down to
 * fit TALES_SVG_MAX_EDGE. */
static gboolean
output_size (RsvgHandle *handle, int *width, int *height)
{
  double w = 0, h = 0, scale;
  gboolean has_viewbox = FALSE;
  RsvgRectangle viewbox;

  if (!rsvg_handle_get_intrinsic_size_in_pixels (handle, &w, &h))
    {
      rsvg_handle_get_intrinsic_dimensions (handle, NULL, NULL, NULL, NULL,
                                            &has_viewbox, &viewbox);
      if (!has_viewbox)
        return FALSE;
      w = viewbox.width;
      h = viewbox.height;
    }
  if (!isfinite (w) || !isfinite (h) || w <= 0 || h <= 0)
    return FALSE;
  scale = MIN (1.0, TALES_SVG_MAX_EDGE / MAX (w, h));
  *width = CLAMP ((int) ceil (w * scale), 1, TALES_SVG_MAX_EDGE);
  *height = CLAMP ((int) ceil (h * scale), 1, TALES_SVG_MAX_EDGE);
  return TRUE;
}

static cairo_status_t
append_png_cb (void *closure, const unsigned char *data, unsigned int length)
{
  g_byte_array_append (closure, data, length);
  return CAIRO_STATUS_SUCCESS;
}

static GBytes *
render_png (RsvgHandle *handle, int width, int height, GError **error)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);
  cairo_t *cr = cairo_create (surface);
  RsvgRectangle viewport = { 0, 0, width, height };
  g_autoptr(GByteArray) png = g_byte_array_new ();
  gboolean ok = rsvg_handle_render_document (handle, cr, &viewport, error);

  cairo_destroy (cr);
  if (ok && cairo_surface_write_to_png_stream (surface, append_png_cb, png) != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("The drawing could not be turned into a picture."));
      ok = FALSE;
    }
  cairo_surface_destroy (surface);
  return ok ? g_byte_array_free_to_bytes (g_steal_pointer (&png)) : NULL;
}

/**
 * tales_image_svg_rasterize:
 *
 * Returns: (transfer full) (nullable): the PNG, or %NULL with @error set
 */
GBytes *
tales_image_svg_rasterize (GBytes *svg, GError **error)
{
  gsize size;
  const char *data = g_bytes_get_data (svg, &size);
  g_autoptr(GInputStream) stream = NULL;
  RsvgHandle *handle;   /* librsvg 2.54 declares no autoptr for it */
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GBytes) png = NULL;
  int width, height;
  gint64 start;
  guint instances;

  g_return_val_if_fail (svg != NULL, NULL);

  if (size > TALES_SVG_MAX_BYTES)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                   _("The drawing is too large to show (over %u KiB)."),
                   TALES_SVG_MAX_BYTES / 1024);
      return NULL;
    }
  instances = count_instances (data, size);
  if (instances == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("The drawing is not valid SVG."));
      return NULL;
    }
  if (instances > TALES_SVG_MAX_INSTANCES)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                   _("The drawing is too large to show (over %u shapes)."),
                   TALES_SVG_MAX_INSTANCES);
      return NULL;
    }

  /* No base file: the SVG cannot pull in other files. */
  stream = g_memory_input_stream_new_from_bytes (svg);
  handle = rsvg_handle_new_from_stream_sync (stream, NULL, RSVG_HANDLE_FLAGS_NONE, NULL, &local_error);
  if (handle == NULL || !output_size (handle, &width, &height))
    {
      g_clear_object (&handle);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("The drawing is not valid SVG."));
      return NULL;
    }

  start = g_get_monotonic_time ();
  png = render_png (handle, width, height, &local_error);
  g_object_unref (handle);
  if (png == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("The drawing could not be shown: %s"), local_error->message);
      return NULL;
    }
  if (g_get_monotonic_time () - start > TALES_SVG_MAX_RENDER_SECONDS * G_USEC_PER_SEC)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                   _("The drawing is too large to show (it took over %d seconds to draw)."),
                   TALES_SVG_MAX_RENDER_SECONDS);
      return NULL;
    }
  return g_steal_pointer (&png);
}
