/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "tales-parser"

#include "config.h"

#include "tales-parser-private.h"
#include "tales-compat.h"

#include <stdlib.h>
#include <string.h>

/* GeoRSS (simple and GML) locations as feedparser reports them: a
 * "where" dict with a type and coordinates, longitude first. */

/* EPSG codes of geographic (latitude/longitude) systems: their GML
 * coordinates come latitude first, so they are swapped. Ranges of the
 * list feedparser carries. */
static gboolean
epsg_is_geographic (int code)
{
  static const int ranges[][2] = {
    { 3819, 3819 }, { 3821, 3821 }, { 3824, 3824 }, { 3889, 3889 }, { 3906, 3906 },
    { 4001, 4016 }, { 4018, 4025 }, { 4027, 4036 }, { 4041, 4047 }, { 4052, 4055 },
    { 4075, 4075 }, { 4081, 4081 }, { 4120, 4176 }, { 4178, 4185 }, { 4188, 4216 },
    { 4218, 4289 }, { 4291, 4304 }, { 4306, 4319 }, { 4322, 4322 }, { 4324, 4324 },
    { 4326, 4326 }, { 4463, 4463 }, { 4470, 4470 }, { 4475, 4475 }, { 4483, 4483 },
    { 4490, 4490 }, { 4555, 4555 }, { 4558, 4558 }, { 4600, 4646 }, { 4657, 4765 },
    { 4801, 4811 }, { 4813, 4821 }, { 4823, 4824 }, { 4901, 4904 }, { 4979, 4979 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (ranges); i++)
    if (code >= ranges[i][0] && code <= ranges[i][1])
      return TRUE;
  return FALSE;
}

/* The coordinate tuples of "lat lon lat lon ..." (commas allowed); NULL
 * when a number does not parse. */
static JsonArray *
parse_coords (const char *text, gboolean swap, int dims)
{
  g_autofree char *copy = g_strdelimit (g_strdup (text ? text : ""), ",", ' ');
  g_auto(GStrv) words = g_strsplit_set (copy, " \t\r\n", -1);
  g_autoptr(GArray) numbers = g_array_new (FALSE, FALSE, sizeof (double));
  JsonArray *coords = json_array_new ();
  guint step = dims == 3 ? 3 : 2;

  for (guint i = 0; words[i]; i++)
    {
      char *end;
      double value;

      if (*words[i] == '\0')
        continue;
      value = g_ascii_strtod (words[i], &end);
      if (*end != '\0')
        {
          json_array_unref (coords);
          return NULL;
        }
      g_array_append_val (numbers, value);
    }
  for (guint i = 0; i + step <= numbers->len; i += step)
    {
      JsonArray *tuple = json_array_new ();
      double a = g_array_index (numbers, double, i);
      double b = g_array_index (numbers, double, i + 1);

      json_array_add_double_element (tuple, swap ? b : a);
      json_array_add_double_element (tuple, swap ? a : b);
      if (step == 3)
        json_array_add_double_element (tuple, g_array_index (numbers, double, i + 2));
      json_array_add_array_element (coords, tuple);
    }
  return coords;
}

static JsonObject *
where_of (TalesParseState *state)
{
  return _tales_json_ensure_object (_tales_state_context (state), "where");
}

/* @shape: "point", "line", "polygon", "box" or "linestring". */
static void
save_shape (TalesParseState *state, const char *shape, const char *text, gboolean swap, int dims)
{
  JsonArray *coords = parse_coords (text, swap, dims);
  JsonObject *where;

  if (coords == NULL)
    return;
  where = where_of (state);
  if (strcmp (shape, "point") == 0)
    {
      if (json_array_get_length (coords) == 0)
        {
          json_array_unref (coords);
          return;
        }
      json_object_set_string_member (where, "type", "Point");
      json_object_set_member (where, "coordinates", json_node_copy (json_array_get_element (coords, 0)));
      json_array_unref (coords);
    }
  else if (strcmp (shape, "polygon") == 0)
    {
      JsonArray *rings;

      if (json_array_get_length (coords) < 4 && dims != -1)
        {
          json_array_unref (coords);
          return;
        }
      rings = json_array_new ();
      json_array_add_array_element (rings, coords);
      json_object_set_string_member (where, "type", "Polygon");
      json_object_set_array_member (where, "coordinates", rings);
    }
  else
    {
      json_object_set_string_member (where, "type", strcmp (shape, "box") == 0 ? "Box" : "LineString");
      json_object_set_array_member (where, "coordinates", coords);
    }
}

void
_tales_geo_start_where (TalesParseState *state, TalesAttrs *attrs)
{
  _tales_state_push (state, "where", FALSE);
  json_object_set_object_member (_tales_state_context (state), "where", json_object_new ());
}

void
_tales_geo_end_where (TalesParseState *state)
{
  g_free (_tales_state_pop (state, "where"));
}

void
_tales_geo_start_georss (TalesParseState *state, TalesAttrs *attrs)
{
  _tales_state_push (state, "geometry", FALSE);
  json_object_set_object_member (_tales_state_context (state), "where", json_object_new ());
}

static void
end_georss (TalesParseState *state, const char *shape)
{
  g_autofree char *text = _tales_state_pop (state, "geometry");

  if (text != NULL)
    save_shape (state, shape, text, TRUE, 2);
}

void
_tales_geo_end_georss_point (TalesParseState *state)
{
  end_georss (state, "point");
}

void
_tales_geo_end_georss_line (TalesParseState *state)
{
  end_georss (state, "line");
}

void
_tales_geo_end_georss_polygon (TalesParseState *state)
{
  end_georss (state, "polygon");
}

void
_tales_geo_end_georss_box (TalesParseState *state)
{
  end_georss (state, "box");
}

static void
parse_srs_attrs (TalesParseState *state, TalesAttrs *attrs)
{
  const char *name = _tales_attrs_get (attrs, "srsname");
  const char *dimension = _tales_attrs_get (attrs, "srsdimension");
  JsonObject *where = where_of (state);
  char *end = NULL;
  gint64 dims = dimension ? g_ascii_strtoll (dimension, &end, 10) : 2;

  if (dimension != NULL && (end == dimension || *end != '\0'))
    dims = 2;
  _tales_json_set_string (where, "srsName", name);
  json_object_set_int_member (where, "srsDimension", dims);
}

static void
start_gml (TalesParseState *state, TalesAttrs *attrs, const char *geometry, gboolean srs)
{
  if (srs)
    parse_srs_attrs (state, attrs);
  if (geometry != NULL)
    tales_set_str (&state->geo_type, geometry);
  _tales_state_push (state, "geometry", FALSE);
}

void
_tales_geo_start_gml_point (TalesParseState *state, TalesAttrs *attrs)
{
  start_gml (state, attrs, "point", TRUE);
}

void
_tales_geo_start_gml_linestring (TalesParseState *state, TalesAttrs *attrs)
{
  start_gml (state, attrs, "linestring", TRUE);
}

void
_tales_geo_start_gml_polygon (TalesParseState *state, TalesAttrs *attrs)
{
  start_gml (state, attrs, NULL, TRUE);
}

void
_tales_geo_start_gml_exterior (TalesParseState *state, TalesAttrs *attrs)
{
  start_gml (state, attrs, NULL, FALSE);
}

void
_tales_geo_start_gml_linearring (TalesParseState *state, TalesAttrs *attrs)
{
  start_gml (state, attrs, "polygon", FALSE);
}

void
_tales_geo_end_geom (TalesParseState *state)
{
  g_clear_pointer (&state->geo_type, g_free);
  g_free (_tales_state_pop (state, "geometry"));
}

void
_tales_geo_start_pos (TalesParseState *state, TalesAttrs *attrs)
{
  _tales_state_push (state, "pos", FALSE);
}

/* Whether GML coordinates come latitude first, and how many per point. */
static gboolean
gml_swap (TalesParseState *state, int *dims)
{
  JsonObject *where = where_of (state);
  const char *name = _tales_json_get_string (where, "srsName");
  const char *colon;

  *dims = (int) json_object_get_int_member_with_default (where, "srsDimension", 2);
  if (name == NULL || strstr (name, "EPSG") == NULL)
    return TRUE;
  colon = strrchr (name, ':');
  return epsg_is_geographic (atoi (colon ? colon + 1 : name));
}

void
_tales_geo_end_gml_pos (TalesParseState *state)
{
  g_autofree char *text = _tales_state_pop (state, "pos");
  int dims;
  gboolean swap;

  if (text == NULL)
    return;
  swap = gml_swap (state, &dims);
  save_shape (state, "point", text, swap, dims);
}

void
_tales_geo_end_gml_poslist (TalesParseState *state)
{
  g_autofree char *text = _tales_state_pop (state, "pos");
  int dims;
  gboolean swap;

  if (text == NULL || state->geo_type == NULL)
    return;
  swap = gml_swap (state, &dims);
  if (strcmp (state->geo_type, "linestring") == 0)
    save_shape (state, "linestring", text, swap, dims);
  else if (strcmp (state->geo_type, "polygon") == 0)
    save_shape (state, "polygon", text, swap, dims == 2 ? -1 : dims);
}
