/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "tales-encoding"

#include "tales-encoding-private.h"

#include <errno.h>
#include <string.h>

#include "tales-encoding-tables.h"

#define UTF8_DECLARATION "<?xml version='1.0' encoding='utf-8'?>"
#define REPLACEMENT "\xEF\xBF\xBD"

typedef enum {
  KIND_UTF8,
  KIND_ICONV,
  KIND_TABLE,
} Kind;

struct _TalesDecoder {
  char *encoding;
  const char *problem;
  char *problem_message;
  Kind kind;
  GIConv iconv;
  const guint16 *table;
  gsize skip;               /* BOM bytes still to drop */
  gboolean started;         /* the declaration was written */
  gboolean errors;
  char carry[8];            /* an incomplete sequence from the last chunk */
  gsize carry_len;
  GString *out;
};

/* --- codec names --------------------------------------------------------- */

/* Python's normalisation: lower case, every run of other characters than
 * letters, digits and '.' becomes one '_'. */
static char *
normalize_name (const char *name)
{
  GString *out = g_string_new (NULL);
  gboolean pending = FALSE;

  for (const char *p = name; *p; p++)
    {
      if (g_ascii_isalnum (*p) || *p == '.')
        {
          if (pending && out->len > 0)
            g_string_append_c (out, '_');
          pending = FALSE;
          g_string_append_c (out, g_ascii_tolower (*p));
        }
      else
        pending = TRUE;
    }
  return g_string_free (out, FALSE);
}

static const CodecEntry *
find_codec (const char *name)
{
  g_autofree char *norm = normalize_name (name);
  const char *codec = norm;

  for (guint i = 0; i < G_N_ELEMENTS (codec_aliases); i++)
    if (strcmp (codec_aliases[i].alias, norm) == 0)
      {
        codec = codec_aliases[i].codec;
        break;
      }
  for (guint i = 0; i < G_N_ELEMENTS (codec_entries); i++)
    if (strcmp (codec_entries[i].name, codec) == 0)
      return &codec_entries[i];
  return NULL;
}

/* --- trial decoding ------------------------------------------------------ */

/* Decodes @data with @codec into @out (when not NULL). With @partial, an
 * incomplete sequence at the very end is no error (the data is a prefix).
 * FALSE when a byte does not decode. */
static gboolean
decode_strict (const CodecEntry *codec, const char *data, gsize len, gboolean partial, GString *out)
{
  if (strcmp (codec->name, "utf_8") == 0)
    {
      const char *end;

      if (g_utf8_validate_len (data, len, &end))
        {
          if (out)
            g_string_append_len (out, data, len);
          return TRUE;
        }
      if (!partial || len - (end - data) >= 4 || *end == '\0' ||
          g_utf8_get_char_validated (end, len - (end - data)) != (gunichar) -2)
        return FALSE;
      if (out)
        g_string_append_len (out, data, end - data);
      return TRUE;
    }
  if (codec->iconv == NULL)
    {
      const guint16 *table = codec_tables[codec->table];

      for (gsize i = 0; i < len; i++)
        {
          guint16 c = table[(guchar) data[i]];

          if (c == 0xFFFF)
            return FALSE;
          if (out)
            g_string_append_unichar (out, c);
        }
      return TRUE;
    }
  {
    GIConv cd = g_iconv_open ("UTF-8", codec->iconv);
    char buffer[4096];
    char *in = (char *) data;
    gsize in_left = len;
    gboolean ok = TRUE;

    if (cd == (GIConv) -1)
      return FALSE;
    while (in_left > 0)
      {
        char *o = buffer;
        gsize o_left = sizeof buffer;
        gsize r = g_iconv (cd, &in, &in_left, &o, &o_left);

        if (out)
          g_string_append_len (out, buffer, o - buffer);
        if (r == (gsize) -1 && errno != E2BIG)
          {
            ok = errno == EINVAL && partial;
            break;
          }
      }
    g_iconv_close (cd);
    return ok;
  }
}

/* --- the choice (feedparser's convert_to_utf8) --------------------------- */

typedef struct {
  const char *name;
  const char *bytes;
  gsize len;
  gsize skip;
} Bom;

static const char *
sniff_bom (const char *data, gsize len, gsize *skip)
{
  static const Bom boms[] = {
    { "utf-32be", "\x00\x00\xFE\xFF", 4, 4 },
    { "utf-32le", "\xFF\xFE\x00\x00", 4, 4 },
    { "utf-16be", "\xFE\xFF", 2, 2 },
    { "utf-16le", "\xFF\xFE", 2, 2 },
    { "utf-8", "\xEF\xBB\xBF", 3, 3 },
    { "cp037", "\x4C\x6F\xA7\x94", 4, 0 },
    { "utf-16be", "\x00\x3C\x00\x3F", 4, 0 },
    { "utf-16le", "\x3C\x00\x3F\x00", 4, 0 },
    { "utf-32be", "\x00\x00\x00\x3C", 4, 0 },
    { "utf-32le", "\x3C\x00\x00\x00", 4, 0 },
  };

  *skip = 0;
  for (guint i = 0; i < G_N_ELEMENTS (boms); i++)
    {
      if (len < boms[i].len || memcmp (data, boms[i].bytes, boms[i].len) != 0)
        continue;
      /* FF FE 00 00 is UTF-32LE, not UTF-16LE and a NUL. */
      if (boms[i].len == 2 && len >= 4 && data[2] == 0 && data[3] == 0)
        continue;
      *skip = boms[i].skip;
      return boms[i].name;
    }
  return NULL;
}

/* The encoding="" of an XML declaration on the first line. */
static char *
declared_encoding (const char *text)
{
  const char *end, *attr, *value;
  char quote;

  if (!g_str_has_prefix (text, "<?"))
    return NULL;
  end = text + strcspn (text, "\r\n");
  attr = g_strstr_len (text, end - text, "encoding=");
  if (attr == NULL)
    return NULL;
  quote = attr[9];
  if (quote != '"' && quote != '\'')
    return NULL;
  value = attr + 10;
  for (const char *q = value; q < end; q++)
    if (*q == quote)
      {
        /* and "?>" later on that line */
        if (g_strstr_len (q, end - q, "?>") == NULL)
          return NULL;
        return g_ascii_strdown (value, q - value);
      }
  return NULL;
}

static char *
sniff_xml_encoding (const char *data, gsize len, const char *bom)
{
  g_autoptr(GString) head = g_string_new (NULL);
  const CodecEntry *codec;
  char *xml;
  static const char * const unicode_names[] = {
    "u16", "utf-16", "utf16", "utf_16", "u32", "utf-32", "utf32", "utf_32",
    "iso-10646-ucs-2", "iso-10646-ucs-4", "csucs4", "csunicode", "ucs-2", "ucs-4",
  };

  len = MIN (len, 1024);
  if (bom == NULL)
    g_string_append_len (head, data, len);
  else if ((codec = find_codec (bom)) == NULL || !decode_strict (codec, data, len, TRUE, head))
    return NULL;
  xml = declared_encoding (head->str);
  if (xml != NULL && bom != NULL && g_strv_contains (unicode_names, xml))
    {
      g_free (xml);
      xml = g_strdup (bom);
    }
  return xml;
}

/* The media type and charset of a Content-Type header. */
static void
parse_content_type (const char *header, char **type, char **charset)
{
  g_auto(GStrv) chunks = g_strsplit (header ? header : "", ";", -1);

  *type = g_strstrip (g_strdup (chunks[0] ? chunks[0] : ""));
  *charset = g_strdup ("");
  for (guint i = 1; chunks[0] && chunks[i]; i++)
    {
      char *eq = strchr (chunks[i], '=');
      g_autofree char *key = NULL;

      if (eq == NULL)
        continue;
      key = g_strstrip (g_strndup (chunks[i], eq - chunks[i]));
      if (g_ascii_strcasecmp (key, "charset") == 0)
        {
          char *value = g_strstrip (g_strdup (eq + 1));
          gsize n = strlen (value);

          while (n > 0 && (value[n - 1] == '"' || value[n - 1] == '\''))
            value[--n] = '\0';
          g_free (*charset);
          *charset = g_strdup (value + strspn (value, "\"'"));
          g_free (value);
        }
    }
}

static gboolean
is_xml_type (const char *type, const char *family)
{
  g_autofree char *app = g_strconcat (family, "/xml", NULL);
  g_autofree char *dtd = g_strconcat (family, "/xml-dtd", NULL);
  g_autofree char *epe = g_strconcat (family, "/xml-external-parsed-entity", NULL);
  g_autofree char *prefix = g_strconcat (family, "/", NULL);

  if (strcmp (type, app) == 0 || strcmp (type, epe) == 0 ||
      (strcmp (family, "application") == 0 && strcmp (type, dtd) == 0))
    return TRUE;
  return g_str_has_prefix (type, prefix) && g_str_has_suffix (type, "+xml");
}

/* RFC 3023's answer, and whether the media type is one feeds may have. */
static char *
rfc3023_encoding (const char *type, const char *http, const char *xml,
                  gboolean from_http, gboolean has_type, gboolean *acceptable)
{
  *acceptable = FALSE;
  if (is_xml_type (type, "application"))
    {
      *acceptable = TRUE;
      return g_strdup (*http ? http : xml ? xml : "utf-8");
    }
  if (is_xml_type (type, "text"))
    {
      *acceptable = TRUE;
      return g_strdup (*http ? http : "us-ascii");
    }
  if (g_str_has_prefix (type, "text/"))
    return g_strdup (*http ? http : "us-ascii");
  if (from_http && !has_type)
    return g_strdup (xml ? xml : "iso-8859-1");
  return g_strdup (xml ? xml : "utf-8");
}

static void
decoder_set_codec (TalesDecoder *self, const CodecEntry *codec)
{
  if (strcmp (codec->name, "utf_8") == 0)
    self->kind = KIND_UTF8;
  else if (codec->iconv == NULL)
    {
      self->kind = KIND_TABLE;
      self->table = codec_tables[codec->table];
    }
  else
    {
      self->kind = KIND_ICONV;
      self->iconv = g_iconv_open ("UTF-8", codec->iconv);
      if (self->iconv == (GIConv) -1)
        self->kind = KIND_UTF8;
    }
}

/* Tries the candidates in feedparser's order; the first that decodes
 * wins. */
static void
decoder_choose (TalesDecoder *self, const char *data, gsize len, gboolean complete,
                const char *rfc3023, const char *xml, const char *bom)
{
  const char *candidates[] = { rfc3023, xml, bom, "utf-8", "windows-1252", "iso-8859-2" };
  g_autoptr(GPtrArray) tried = g_ptr_array_new ();

  for (guint i = 0; i < G_N_ELEMENTS (candidates); i++)
    {
      const char *name = candidates[i];
      const CodecEntry *codec;

      if (name == NULL || *name == '\0')
        continue;
      if (g_ptr_array_find_with_equal_func (tried, name, g_str_equal, NULL))
        continue;
      g_ptr_array_add (tried, (gpointer) name);
      codec = find_codec (name);
      if (codec == NULL || !decode_strict (codec, data, len, !complete, NULL))
        continue;
      decoder_set_codec (self, codec);
      self->encoding = g_strdup (name);
      if (strcmp (name, rfc3023) != 0)
        {
          self->problem = "CharacterEncodingOverride";
          g_free (self->problem_message);
          self->problem_message = g_strdup_printf ("document declared as %s, but parsed as %s",
                                                   rfc3023, name);
        }
      return;
    }
  self->kind = KIND_UTF8;
  self->encoding = g_strdup ("");
  self->problem = "CharacterEncodingUnknown";
  g_free (self->problem_message);
  self->problem_message = g_strdup_printf ("document encoding unknown, I tried %s, %s, utf-8, "
                                           "windows-1252, and iso-8859-2 but nothing worked",
                                           rfc3023, xml ? xml : "");
}

TalesDecoder *
_tales_decoder_new (const char *data,
                    gsize       length,
                    gboolean    complete,
                    gboolean    from_http,
                    const char *content_type)
{
  TalesDecoder *self = g_new0 (TalesDecoder, 1);
  g_autofree char *xml = NULL;
  g_autofree char *type = NULL;
  g_autofree char *http = NULL;
  g_autofree char *rfc3023 = NULL;
  const char *bom;
  gboolean acceptable;

  self->out = g_string_new (NULL);
  bom = sniff_bom (data, length, &self->skip);
  xml = sniff_xml_encoding (data + self->skip, length - self->skip, bom);
  parse_content_type (content_type, &type, &http);
  rfc3023 = rfc3023_encoding (type, http, xml, from_http, content_type != NULL, &acceptable);
  if (g_ascii_strcasecmp (rfc3023, "gb2312") == 0)
    {
      g_free (rfc3023);
      rfc3023 = g_strdup ("gb18030");
    }
  if (xml != NULL && g_ascii_strcasecmp (xml, "gb2312") == 0)
    {
      g_free (xml);
      xml = g_strdup ("gb18030");
    }
  if (from_http && !acceptable)
    {
      self->problem = "NonXMLContentType";
      self->problem_message = content_type
        ? g_strdup_printf ("%s is not an accepted media type", content_type)
        : g_strdup ("no Content-type specified");
    }
  decoder_choose (self, data + self->skip, length - self->skip, complete, rfc3023, xml, bom);
  return self;
}

void
_tales_decoder_free (TalesDecoder *self)
{
  if (self == NULL)
    return;
  if (self->kind == KIND_ICONV)
    g_iconv_close (self->iconv);
  g_free (self->encoding);
  g_free (self->problem_message);
  g_string_free (self->out, TRUE);
  g_free (self);
}

const char *
_tales_decoder_get_encoding (TalesDecoder *self)
{
  return self->encoding;
}

const char *
_tales_decoder_get_problem (TalesDecoder *self)
{
  return self->problem;
}

const char *
_tales_decoder_get_problem_message (TalesDecoder *self)
{
  return self->problem_message;
}

gboolean
_tales_decoder_had_errors (TalesDecoder *self)
{
  return self->errors;
}

/* --- conversion ---------------------------------------------------------- */

/* Appends valid UTF-8 from @data, U+FFFD for what is not; returns how many
 * bytes were used (an incomplete sequence at the end is left, unless
 * @last). */
static gsize
convert_utf8 (TalesDecoder *self, const char *data, gsize len, gboolean last)
{
  gsize done = 0;

  while (done < len)
    {
      const char *end;

      if (g_utf8_validate_len (data + done, len - done, &end))
        {
          g_string_append_len (self->out, data + done, len - done);
          return len;
        }
      g_string_append_len (self->out, data + done, end - (data + done));
      done = end - data;
      if (!last && len - done < 4 && data[done] != '\0' &&
          g_utf8_get_char_validated (data + done, len - done) == (gunichar) -2)
        return done;
      if (data[done] == '\0')
        {
          /* NUL is valid UTF-8 to Python but never in XML: drop it */
          done++;
          continue;
        }
      g_string_append (self->out, REPLACEMENT);
      self->errors = TRUE;
      done++;
    }
  return done;
}

static gsize
convert_table (TalesDecoder *self, const char *data, gsize len)
{
  for (gsize i = 0; i < len; i++)
    {
      guint16 c = self->table[(guchar) data[i]];

      if (c == 0xFFFF)
        {
          self->errors = TRUE;
          c = 0xFFFD;
        }
      g_string_append_unichar (self->out, c);
    }
  return len;
}

static gsize
convert_iconv (TalesDecoder *self, const char *data, gsize len, gboolean last)
{
  char buffer[8192];
  char *in = (char *) data;
  gsize in_left = len;

  while (in_left > 0)
    {
      char *o = buffer;
      gsize o_left = sizeof buffer;
      gsize r = g_iconv (self->iconv, &in, &in_left, &o, &o_left);

      g_string_append_len (self->out, buffer, o - buffer);
      if (r != (gsize) -1 || errno == E2BIG)
        continue;
      if (errno == EINVAL && !last)
        break;
      g_string_append (self->out, REPLACEMENT);
      self->errors = TRUE;
      in++;
      in_left--;
    }
  return len - in_left;
}

static gsize
convert_some (TalesDecoder *self, const char *data, gsize len, gboolean last)
{
  switch (self->kind)
    {
    case KIND_TABLE:
      return convert_table (self, data, len);
    case KIND_ICONV:
      return convert_iconv (self, data, len, last);
    case KIND_UTF8:
    default:
      return convert_utf8 (self, data, len, last);
    }
}

/* Puts feedparser's declaration first: the text is UTF-8 now. */
static void
rewrite_declaration (TalesDecoder *self)
{
  GString *out = self->out;

  if (g_str_has_prefix (out->str, "<?xml"))
    {
      const char *close = strchr (out->str, '>');

      if (close != NULL)
        {
          g_string_erase (out, 0, close + 1 - out->str);
          g_string_prepend (out, UTF8_DECLARATION);
          return;
        }
    }
  g_string_prepend (out, UTF8_DECLARATION "\n");
}

const char *
_tales_decoder_convert (TalesDecoder *self,
                        const char   *data,
                        gsize         length,
                        gboolean      last,
                        gsize        *out_length)
{
  gsize used;

  if (self->skip > 0)
    {
      gsize n = MIN (self->skip, length);

      data += n;
      length -= n;
      self->skip -= n;
    }

  /* The common case: valid UTF-8 after the first chunk goes through. */
  if (self->started && self->kind == KIND_UTF8 && self->carry_len == 0 &&
      g_utf8_validate_len (data, length, NULL))
    {
      *out_length = length;
      return data;
    }

  g_string_truncate (self->out, 0);
  if (self->carry_len > 0)
    {
      char joined[16];
      gsize take = MIN (length, sizeof joined - self->carry_len);
      gsize n;

      memcpy (joined, self->carry, self->carry_len);
      memcpy (joined + self->carry_len, data, take);
      n = convert_some (self, joined, self->carry_len + take, last && take == length);
      if (n >= self->carry_len)
        {
          data += n - self->carry_len;
          length -= n - self->carry_len;
          self->carry_len = 0;
        }
      else
        {
          /* still incomplete: keep what is left */
          gsize left = MIN (self->carry_len + take - n, sizeof self->carry);

          memcpy (self->carry, joined + n, left);
          self->carry_len = left;
          *out_length = self->out->len;
          return self->out->str;
        }
    }
  used = convert_some (self, data, length, last);
  if (used < length)
    {
      self->carry_len = MIN (length - used, sizeof self->carry);
      memcpy (self->carry, data + used, self->carry_len);
    }
  if (!self->started)
    {
      self->started = TRUE;
      rewrite_declaration (self);
    }
  *out_length = self->out->len;
  return self->out->str;
}
