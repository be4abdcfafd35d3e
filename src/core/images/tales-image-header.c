/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The size of an image from its header: a few fixed fields per format,
 * read with bounds checks, so that hostile bytes never reach a decoder
 * before they are known to fit the pixel budget. */

#define G_LOG_DOMAIN "tales-image-header"

#include "config.h"

#include "tales-image-header.h"

#include <string.h>

/* Bounded reads: each returns FALSE instead of reading past @size. */

static gboolean
read_u8 (const guint8 *data, gsize size, gsize at, guint *out)
{
  if (at >= size)
    return FALSE;
  *out = data[at];
  return TRUE;
}

static gboolean
read_le16 (const guint8 *data, gsize size, gsize at, guint *out)
{
  if (size < 2 || at > size - 2)
    return FALSE;
  *out = data[at] | (guint) data[at + 1] << 8;
  return TRUE;
}

static gboolean
read_be16 (const guint8 *data, gsize size, gsize at, guint *out)
{
  if (size < 2 || at > size - 2)
    return FALSE;
  *out = (guint) data[at] << 8 | data[at + 1];
  return TRUE;
}

static gboolean
read_le24 (const guint8 *data, gsize size, gsize at, guint *out)
{
  if (size < 3 || at > size - 3)
    return FALSE;
  *out = data[at] | (guint) data[at + 1] << 8 | (guint) data[at + 2] << 16;
  return TRUE;
}

static gboolean
read_le32 (const guint8 *data, gsize size, gsize at, guint32 *out)
{
  if (size < 4 || at > size - 4)
    return FALSE;
  *out = data[at] | (guint32) data[at + 1] << 8 | (guint32) data[at + 2] << 16 |
         (guint32) data[at + 3] << 24;
  return TRUE;
}

static gboolean
read_be32 (const guint8 *data, gsize size, gsize at, guint32 *out)
{
  if (size < 4 || at > size - 4)
    return FALSE;
  *out = (guint32) data[at] << 24 | (guint32) data[at + 1] << 16 |
         (guint32) data[at + 2] << 8 | data[at + 3];
  return TRUE;
}

static gboolean
has_bytes (const guint8 *data, gsize size, gsize at, const char *bytes, gsize n)
{
  return size >= n && at <= size - n && memcmp (data + at, bytes, n) == 0;
}

/* PNG: the IHDR chunk comes first, and its fields must make sense (a
 * file with the magic and garbage after it is not an image). */
static gboolean
png_size (const guint8 *data, gsize size, guint *width, guint *height)
{
  guint32 w, h, length;
  guint depth, color, compression, filter, interlace;

  if (!has_bytes (data, size, 0, "\x89PNG\r\n\x1a\n", 8) ||
      !read_be32 (data, size, 8, &length) || length != 13 ||
      !has_bytes (data, size, 12, "IHDR", 4) ||
      !read_be32 (data, size, 16, &w) || !read_be32 (data, size, 20, &h) ||
      !read_u8 (data, size, 24, &depth) || !read_u8 (data, size, 25, &color) ||
      !read_u8 (data, size, 26, &compression) || !read_u8 (data, size, 27, &filter) ||
      !read_u8 (data, size, 28, &interlace))
    return FALSE;
  if (depth != 1 && depth != 2 && depth != 4 && depth != 8 && depth != 16)
    return FALSE;
  if (color != 0 && color != 2 && color != 3 && color != 4 && color != 6)
    return FALSE;
  if (compression != 0 || filter != 0 || interlace > 1)
    return FALSE;
  /* The format caps both at 2^31 - 1. */
  if (w > G_MAXINT32 || h > G_MAXINT32)
    return FALSE;
  *width = w;
  *height = h;
  return TRUE;
}

/* JPEG: the first start-of-frame marker before the scan data. */
static gboolean
jpeg_size (const guint8 *data, gsize size, guint *width, guint *height)
{
  gsize at = 2;

  if (!has_bytes (data, size, 0, "\xff\xd8", 2))
    return FALSE;
  while (at < size)
    {
      guint marker, length;

      if (data[at] != 0xff)
        return FALSE;
      /* Any number of 0xff may pad before a marker. */
      while (at < size && data[at] == 0xff)
        at++;
      if (!read_u8 (data, size, at, &marker))
        return FALSE;
      at++;
      /* Markers without a length. */
      if (marker == 0x01 || (marker >= 0xd0 && marker <= 0xd7))
        continue;
      if (marker == 0xd9 || marker == 0xda)
        return FALSE;   /* end of image, or scan data: no frame header before it */
      if (!read_be16 (data, size, at, &length) || length < 2)
        return FALSE;
      if (marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 && marker != 0xc8 &&
          marker != 0xcc)
        {
          /* length, precision, height, width: a height of 0 is defined by a
           * later DNL marker, which this does not follow. */
          if (!read_be16 (data, size, at + 3, height) ||
              !read_be16 (data, size, at + 5, width))
            return FALSE;
          return *width > 0 && *height > 0;
        }
      at += length;
    }
  return FALSE;
}

/* GIF: the logical screen, and every frame's extent, which a decoder
 * may grow the canvas to. Extension blocks are skipped sub-block by
 * sub-block; each step moves forward, so this ends. */
static gboolean
gif_size (const guint8 *data, gsize size, guint *width, guint *height)
{
  guint w, h, flags;
  gsize at = 13;
  gboolean any_frame = FALSE;

  if (!has_bytes (data, size, 0, "GIF87a", 6) && !has_bytes (data, size, 0, "GIF89a", 6))
    return FALSE;
  if (!read_le16 (data, size, 6, &w) || !read_le16 (data, size, 8, &h) ||
      !read_u8 (data, size, 10, &flags))
    return FALSE;
  if (flags & 0x80)
    at += 3u << ((flags & 0x07) + 1);

  while (at < size)
    {
      guint block = data[at];

      if (block == 0x3b)        /* trailer */
        break;
      if (block == 0x21)        /* extension: label, then sub-blocks */
        at += 2;
      else if (block == 0x2c)   /* image descriptor */
        {
          guint left, top, fw, fh, fflags;

          if (!read_le16 (data, size, at + 1, &left) || !read_le16 (data, size, at + 3, &top) ||
              !read_le16 (data, size, at + 5, &fw) || !read_le16 (data, size, at + 7, &fh) ||
              !read_u8 (data, size, at + 9, &fflags))
            return FALSE;
          w = MAX (w, left + fw);
          h = MAX (h, top + fh);
          any_frame = TRUE;
          at += 10;
          if (fflags & 0x80)
            at += 3u << ((fflags & 0x07) + 1);
          at++;                 /* LZW minimum code size */
        }
      else
        break;                  /* garbage after the frames: decoders stop here too */

      /* Sub-blocks, up to the empty one. */
      while (at < size && data[at] != 0)
        at += 1 + (gsize) data[at];
      at++;
    }
  if (!any_frame || w == 0 || h == 0)
    return FALSE;
  *width = w;
  *height = h;
  return TRUE;
}

/* WebP: the first chunk says which of the three kinds it is. */
static gboolean
webp_size (const guint8 *data, gsize size, guint *width, guint *height)
{
  if (!has_bytes (data, size, 0, "RIFF", 4) || !has_bytes (data, size, 8, "WEBP", 4))
    return FALSE;

  if (has_bytes (data, size, 12, "VP8 ", 4))
    {
      /* frame tag (3 bytes), start code, then 14-bit width and height */
      if (!has_bytes (data, size, 23, "\x9d\x01\x2a", 3) ||
          !read_le16 (data, size, 26, width) || !read_le16 (data, size, 28, height))
        return FALSE;
      *width &= 0x3fff;
      *height &= 0x3fff;
    }
  else if (has_bytes (data, size, 12, "VP8L", 4))
    {
      guint32 bits;

      if (!has_bytes (data, size, 20, "\x2f", 1) || !read_le32 (data, size, 21, &bits))
        return FALSE;
      *width = (bits & 0x3fff) + 1;
      *height = ((bits >> 14) & 0x3fff) + 1;
    }
  else if (has_bytes (data, size, 12, "VP8X", 4))
    {
      /* canvas width - 1 and height - 1, 24 bits each */
      if (!read_le24 (data, size, 24, width) || !read_le24 (data, size, 27, height))
        return FALSE;
      *width += 1;
      *height += 1;
    }
  else
    return FALSE;
  return *width > 0 && *height > 0;
}

/* BMP: the info header after the 14-byte file header; a negative
 * height means top-down rows. */
static gboolean
bmp_size (const guint8 *data, gsize size, guint *width, guint *height)
{
  guint32 header_size, w, h;

  if (!has_bytes (data, size, 0, "BM", 2) || !read_le32 (data, size, 14, &header_size))
    return FALSE;
  if (header_size == 12)
    return read_le16 (data, size, 18, width) && read_le16 (data, size, 20, height) &&
           *width > 0 && *height > 0;
  if (header_size < 40 || !read_le32 (data, size, 18, &w) || !read_le32 (data, size, 22, &h))
    return FALSE;
  if ((gint32) w <= 0 || (gint32) h == 0 || h == 0x80000000u)
    return FALSE;
  *width = w;
  *height = (gint32) h < 0 ? (guint) -(gint32) h : h;
  return TRUE;
}

/* ICO: each directory entry has a size (0 meaning 256), but an entry may
 * be a whole PNG whose own header is what a decoder believes. */
static gboolean
ico_size (const guint8 *data, gsize size, guint *width, guint *height)
{
  guint count;

  if (!has_bytes (data, size, 0, "\0\0\1\0", 4) || !read_le16 (data, size, 4, &count) ||
      count == 0)
    return FALSE;
  *width = *height = 0;
  for (guint i = 0; i < count; i++)
    {
      gsize entry = 6 + (gsize) i * 16;
      guint w, h;
      guint32 length, offset;

      if (!read_u8 (data, size, entry, &w) || !read_u8 (data, size, entry + 1, &h) ||
          !read_le32 (data, size, entry + 8, &length) || !read_le32 (data, size, entry + 12, &offset))
        return FALSE;
      if (w == 0)
        w = 256;
      if (h == 0)
        h = 256;
      if (has_bytes (data, size, offset, "\x89PNG", 4))
        {
          if (offset > size || length > size - offset ||
              !png_size (data + offset, length, &w, &h))
            return FALSE;
        }
      *width = MAX (*width, w);
      *height = MAX (*height, h);
    }
  return TRUE;
}

/* AVIF (ISO base media): the image spatial extent ('ispe') properties in
 * meta > iprp > ipco; the largest counts, for grids and thumbnails alike. */
static gboolean
avif_find_ispe (const guint8 *data, gsize size, int depth, guint *width, guint *height)
{
  static const char *const path[] = { "meta", "iprp", "ipco", "ispe" };
  gsize at = 0;
  gboolean found = FALSE;

  while (at < size)
    {
      guint32 box_size, w, h;
      gsize header = 8;

      if (!read_be32 (data, size, at, &box_size))
        return found;
      if (box_size == 0)
        box_size = size - at;
      if (box_size < header || box_size > size - at)
        return found;
      if (has_bytes (data, size, at + 4, path[depth], 4))
        {
          if (depth == 3)
            {
              /* version and flags, then width and height */
              if (read_be32 (data, size, at + 12, &w) && read_be32 (data, size, at + 16, &h))
                {
                  *width = MAX (*width, w);
                  *height = MAX (*height, h);
                  found = TRUE;
                }
            }
          else
            {
              /* 'meta' is a full box: version and flags before its children */
              if (depth == 0)
                header += 4;
              if (box_size >= header &&
                  avif_find_ispe (data + at + header, box_size - header, depth + 1, width, height))
                found = TRUE;
            }
        }
      at += box_size;
    }
  return found;
}

static gboolean
avif_size (const guint8 *data, gsize size, guint *width, guint *height)
{
  *width = *height = 0;
  return has_bytes (data, size, 4, "ftyp", 4) &&
         avif_find_ispe (data, size, 0, width, height) && *width > 0 && *height > 0;
}

static const char *const measured_types[] = {
  "image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp", "image/x-icon", "image/avif",
};

gboolean
tales_image_header_knows (const char *mime_type)
{
  for (gsize i = 0; mime_type != NULL && i < G_N_ELEMENTS (measured_types); i++)
    if (g_str_equal (mime_type, measured_types[i]))
      return TRUE;
  return FALSE;
}

gboolean
tales_image_header_get_size (const guint8 *data,
                             gsize         size,
                             const char   *mime_type,
                             guint        *width,
                             guint        *height)
{
  guint w = 0, h = 0;
  gboolean ok = FALSE;

  g_return_val_if_fail (data != NULL || size == 0, FALSE);
  g_return_val_if_fail (mime_type != NULL, FALSE);

  if (g_str_equal (mime_type, "image/png"))
    ok = png_size (data, size, &w, &h);
  else if (g_str_equal (mime_type, "image/jpeg"))
    ok = jpeg_size (data, size, &w, &h);
  else if (g_str_equal (mime_type, "image/gif"))
    ok = gif_size (data, size, &w, &h);
  else if (g_str_equal (mime_type, "image/webp"))
    ok = webp_size (data, size, &w, &h);
  else if (g_str_equal (mime_type, "image/bmp"))
    ok = bmp_size (data, size, &w, &h);
  else if (g_str_equal (mime_type, "image/x-icon"))
    ok = ico_size (data, size, &w, &h);
  else if (g_str_equal (mime_type, "image/avif"))
    ok = avif_size (data, size, &w, &h);

  if (!ok || w == 0 || h == 0)
    return FALSE;
  if (width != NULL)
    *width = w;
  if (height != NULL)
    *height = h;
  return TRUE;
}
