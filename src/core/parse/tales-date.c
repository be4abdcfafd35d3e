/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "tales-date"

#include "tales-date.h"

#include <string.h>

/* Two families of date appear in feeds: RFC 822 ("Wed, 18 Sep 2024
 * 21:12:23 GMT", in RSS) and RFC 3339 / W3CDTF ("2024-09-18T21:12:23Z", in
 * Atom and Dublin Core). Both are parsed by hand with a small cursor: the
 * input is untrusted, so every step checks its bounds and any surprise
 * gives NULL rather than a guess. */

typedef struct {
  const char *p;
} Cursor;

static void
skip_spaces (Cursor *c)
{
  while (*c->p == ' ' || *c->p == '\t' || *c->p == '\r' || *c->p == '\n')
    c->p++;
}

/* Reads between @min and @max digits; FALSE (cursor unmoved) otherwise. */
static gboolean
read_digits (Cursor *c, int min, int max, int *out)
{
  int n = 0, value = 0;

  while (n < max && g_ascii_isdigit (c->p[n]))
    {
      value = value * 10 + (c->p[n] - '0');
      n++;
    }
  if (n < min)
    return FALSE;
  c->p += n;
  *out = value;
  return TRUE;
}

static gboolean
accept (Cursor *c, char ch)
{
  if (*c->p != ch)
    return FALSE;
  c->p++;
  return TRUE;
}

/* The UTC instant, or NULL when a field is out of range. @offset_minutes
 * is the zone's offset east of UTC. */
static GDateTime *
make_utc (int year, int month, int day, int hour, int minute, double seconds,
          int offset_minutes)
{
  g_autoptr(GDateTime) local = NULL;

  if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1 || day > 31)
    return NULL;
  if (hour == 24 && minute == 0 && seconds == 0)
    {
      /* "24:00" is the end of the day: the next midnight. */
      local = g_date_time_new_utc (year, month, day, 0, 0, 0);
      if (local == NULL)
        return NULL;
      return g_date_time_add_seconds (local, 86400.0 - offset_minutes * 60.0);
    }
  if (hour > 23 || minute > 59 || seconds < 0 || seconds >= 61)
    return NULL;
  if (seconds >= 60)
    seconds = 59.999999;   /* a leap second; GDateTime knows none */
  local = g_date_time_new_utc (year, month, day, hour, minute, seconds);
  if (local == NULL)
    return NULL;
  if (offset_minutes == 0)
    return g_steal_pointer (&local);
  return g_date_time_add_minutes (local, -offset_minutes);
}

/* "+hh:mm", "+hhmm", "+hh", "Z"; sets @minutes east of UTC. */
static gboolean
read_numeric_zone (Cursor *c, int *minutes)
{
  int sign, hours = 0, mins = 0;

  if (accept (c, 'Z') || accept (c, 'z'))
    {
      *minutes = 0;
      return TRUE;
    }
  if (*c->p != '+' && *c->p != '-')
    return FALSE;
  sign = *c->p == '-' ? -1 : 1;
  c->p++;
  if (g_ascii_isdigit (c->p[0]) && g_ascii_isdigit (c->p[1]) &&
      g_ascii_isdigit (c->p[2]) && g_ascii_isdigit (c->p[3]))
    {
      read_digits (c, 2, 2, &hours);
      read_digits (c, 2, 2, &mins);
    }
  else
    {
      if (!read_digits (c, 1, 2, &hours))
        return FALSE;
      if (accept (c, ':') && !read_digits (c, 2, 2, &mins))
        return FALSE;
    }
  if (hours > 23 || mins > 59)
    return FALSE;
  *minutes = sign * (hours * 60 + mins);
  return TRUE;
}

/* hh:mm[:ss[.fraction]] */
static gboolean
read_clock (Cursor *c, int *hour, int *minute, double *seconds)
{
  int sec = 0;

  *seconds = 0;
  if (!read_digits (c, 1, 2, hour) || !accept (c, ':') || !read_digits (c, 2, 2, minute))
    return FALSE;
  if (accept (c, ':'))
    {
      if (!read_digits (c, 2, 2, &sec))
        return FALSE;
      *seconds = sec;
      if (*c->p == '.' || *c->p == ',')
        {
          double scale = 0.1;

          c->p++;
          if (!g_ascii_isdigit (*c->p))
            return FALSE;
          for (; g_ascii_isdigit (*c->p); c->p++, scale /= 10)
            if (scale > 1e-7)
              *seconds += (*c->p - '0') * scale;
        }
    }
  return TRUE;
}

/* RFC 3339, ISO 8601 calendar dates and W3CDTF: YYYY, YYYY-MM, YYYY-MM-DD,
 * then optionally "T" or a space and a time, then "Z" or an offset. A time
 * without a zone is taken as UTC. The compact "YYYYMMDDThhmmss" is accepted
 * too. */
static GDateTime *
parse_iso8601 (const char *text)
{
  Cursor c = { text };
  int year, month = 1, day = 1, hour = 0, minute = 0, zone = 0;
  double seconds = 0;

  if (!read_digits (&c, 4, 4, &year))
    return NULL;
  if (accept (&c, '-'))
    {
      if (!read_digits (&c, 2, 2, &month))
        return NULL;
      if (accept (&c, '-') && !read_digits (&c, 2, 2, &day))
        return NULL;
    }
  else if (g_ascii_isdigit (*c.p))
    {
      if (!read_digits (&c, 2, 2, &month) || !read_digits (&c, 2, 2, &day))
        return NULL;
    }

  if ((*c.p == 'T' || *c.p == 't' || *c.p == ' ') && g_ascii_isdigit (c.p[1]))
    {
      c.p++;
      if (g_ascii_isdigit (c.p[0]) && g_ascii_isdigit (c.p[1]) &&
          g_ascii_isdigit (c.p[2]) && g_ascii_isdigit (c.p[3]))
        {
          int sec = 0;

          read_digits (&c, 2, 2, &hour);
          read_digits (&c, 2, 2, &minute);
          read_digits (&c, 2, 2, &sec);
          seconds = sec;
        }
      else if (!read_clock (&c, &hour, &minute, &seconds))
        return NULL;
      skip_spaces (&c);
      if (*c.p != '\0' && !read_numeric_zone (&c, &zone))
        return NULL;
    }
  skip_spaces (&c);
  if (*c.p != '\0')
    return NULL;
  return make_utc (year, month, day, hour, minute, seconds, zone);
}

static const char * const month_names[] = {
  "jan", "feb", "mar", "apr", "may", "jun",
  "jul", "aug", "sep", "oct", "nov", "dec",
};

static int
month_from_word (const char *word, gsize len)
{
  if (len < 3)
    return 0;
  for (guint i = 0; i < G_N_ELEMENTS (month_names); i++)
    if (g_ascii_strncasecmp (word, month_names[i], 3) == 0)
      return i + 1;
  return 0;
}

typedef struct {
  const char *name;
  int hours;
} NamedZone;

/* RFC 822 section 5 plus the zones feeds use in practice. */
static const NamedZone named_zones[] = {
  { "gmt", 0 }, { "ut", 0 }, { "utc", 0 }, { "z", 0 },
  { "est", -5 }, { "edt", -4 }, { "cst", -6 }, { "cdt", -5 },
  { "mst", -7 }, { "mdt", -6 }, { "pst", -8 }, { "pdt", -7 },
  { "ast", -4 }, { "adt", -3 }, { "at", -4 }, { "et", -5 },
  { "ct", -6 }, { "mt", -7 }, { "pt", -8 },
  { "bst", 1 }, { "cet", 1 }, { "cest", 2 }, { "met", 1 }, { "mest", 2 },
  { "eet", 2 }, { "eest", 3 }, { "wet", 0 }, { "west", 1 },
  { "hst", -10 }, { "akst", -9 }, { "akdt", -8 }, { "jst", 9 },
};

/* A zone name, including RFC 822's military letters: A..I are -1..-9,
 * K..M are -10..-12, N..Y are +1..+12, Z is UTC (J is unused). */
static gboolean
zone_from_word (const char *word, gsize len, int *minutes)
{
  if (len == 1 && g_ascii_isalpha (word[0]))
    {
      char ch = g_ascii_tolower (word[0]);

      if (ch == 'j')
        return FALSE;
      if (ch == 'z')
        *minutes = 0;
      else if (ch <= 'i')
        *minutes = -(ch - 'a' + 1) * 60;
      else if (ch <= 'm')
        *minutes = -(ch - 'a') * 60;
      else
        *minutes = (ch - 'n' + 1) * 60;
      return TRUE;
    }
  for (guint i = 0; i < G_N_ELEMENTS (named_zones); i++)
    if (strlen (named_zones[i].name) == len &&
        g_ascii_strncasecmp (word, named_zones[i].name, len) == 0)
      {
        *minutes = named_zones[i].hours * 60;
        return TRUE;
      }
  return FALSE;
}

static gsize
word_length (const char *p)
{
  gsize n = 0;

  while (g_ascii_isalpha (p[n]))
    n++;
  return n;
}

static void
skip_separators (Cursor *c)
{
  while (*c->p == ' ' || *c->p == '\t' || *c->p == ',' || *c->p == '\r' || *c->p == '\n')
    c->p++;
}

/* RFC 822 / 1123 / 2822: "[Wkd,] DD Mon YYYY hh:mm[:ss] [zone]", with
 * two-digit years, dashes between the date parts ("18-Sep-2024") and the
 * month before the day ("Sep 18 2024") tolerated. A missing zone is UTC. */
static GDateTime *
parse_rfc822 (const char *text)
{
  Cursor c = { text };
  int day = 0, month = 0, year = 0, hour = 0, minute = 0, zone = 0;
  double seconds = 0;
  gsize len;

  skip_separators (&c);
  len = word_length (c.p);
  if (len > 0 && month_from_word (c.p, len) == 0)
    {
      c.p += len;          /* a weekday: its spelling does not matter */
      accept (&c, '.');
      skip_separators (&c);
    }

  len = word_length (c.p);
  if (len > 0)
    {
      /* "Sep 18 2024" */
      month = month_from_word (c.p, len);
      c.p += len;
      skip_separators (&c);
      if (month == 0 || !read_digits (&c, 1, 2, &day))
        return NULL;
    }
  else
    {
      if (!read_digits (&c, 1, 2, &day))
        return NULL;
      if (!accept (&c, '-'))
        skip_separators (&c);
      len = word_length (c.p);
      month = month_from_word (c.p, len);
      if (month == 0)
        return NULL;
      c.p += len;
      accept (&c, '.');
    }
  if (!accept (&c, '-'))
    skip_separators (&c);

  {
    const char *start = c.p;

    if (!read_digits (&c, 2, 4, &year) || c.p - start == 3)
      return NULL;
    if (c.p - start == 2)
      year += year < 50 ? 2000 : 1900;
  }

  skip_separators (&c);
  if (*c.p == '\0')
    return make_utc (year, month, day, 0, 0, 0, 0);
  if (!read_clock (&c, &hour, &minute, &seconds))
    return NULL;

  skip_spaces (&c);
  if (*c.p != '\0')
    {
      len = word_length (c.p);
      if (len > 0)
        {
          if (!zone_from_word (c.p, len, &zone))
            return NULL;
          c.p += len;
          /* "GMT+2", "UTC-05:00" */
          if (zone == 0 && (*c.p == '+' || *c.p == '-') && !read_numeric_zone (&c, &zone))
            return NULL;
        }
      else if (!read_numeric_zone (&c, &zone))
        return NULL;
      skip_spaces (&c);
      /* "-0500 (EST)": a comment after the zone */
      if (*c.p == '(')
        c.p += strlen (c.p);
    }
  if (*c.p != '\0')
    return NULL;
  return make_utc (year, month, day, hour, minute, seconds, zone);
}

GDateTime *
tales_date_parse (const char *text)
{
  Cursor c;

  if (text == NULL)
    return NULL;
  c.p = text;
  skip_spaces (&c);
  if (*c.p == '\0')
    return NULL;
  if (g_ascii_isdigit (c.p[0]) && g_ascii_isdigit (c.p[1]) &&
      g_ascii_isdigit (c.p[2]) && g_ascii_isdigit (c.p[3]))
    return parse_iso8601 (c.p);
  return parse_rfc822 (c.p);
}
