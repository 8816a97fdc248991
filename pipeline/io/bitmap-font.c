/* 5x7 dot-matrix font (see bitmap-font.h). */
#include "io/bitmap-font.h"

#include <math.h>
#include <string.h>

typedef struct {
  char c;
  uint8_t rows[ES_FONT_GLYPH_HEIGHT];   /* bit 4 = leftmost dot */
} Glyph;

static const Glyph glyphs[] = {
  {'0', {0x0e, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0e}},
  {'1', {0x04, 0x0c, 0x04, 0x04, 0x04, 0x04, 0x0e}},
  {'2', {0x0e, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1f}},
  {'3', {0x1f, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0e}},
  {'4', {0x02, 0x06, 0x0a, 0x12, 0x1f, 0x02, 0x02}},
  {'5', {0x1f, 0x10, 0x1e, 0x01, 0x01, 0x11, 0x0e}},
  {'6', {0x06, 0x08, 0x10, 0x1e, 0x11, 0x11, 0x0e}},
  {'7', {0x1f, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08}},
  {'8', {0x0e, 0x11, 0x11, 0x0e, 0x11, 0x11, 0x0e}},
  {'9', {0x0e, 0x11, 0x11, 0x0f, 0x01, 0x02, 0x0c}},
  {'.', {0x00, 0x00, 0x00, 0x00, 0x00, 0x0c, 0x0c}},
  {'-', {0x00, 0x00, 0x00, 0x1f, 0x00, 0x00, 0x00}},
  {'H', {0x11, 0x11, 0x11, 0x1f, 0x11, 0x11, 0x11}},
  {'z', {0x00, 0x00, 0x1f, 0x02, 0x04, 0x08, 0x1f}},
  {'s', {0x00, 0x00, 0x0e, 0x10, 0x0e, 0x01, 0x1e}},
  {'k', {0x10, 0x10, 0x12, 0x14, 0x18, 0x14, 0x12}},
};

static const Glyph *
find_glyph (char c)
{
  for (gsize i = 0; i < G_N_ELEMENTS (glyphs); i++)
    if (glyphs[i].c == c)
      return &glyphs[i];
  return NULL;
}

unsigned
es_font_text_width (const char *text, unsigned scale)
{
  size_t n = strlen (text);

  return n == 0 ? 0 : (unsigned) ((n - 1) * ES_FONT_ADVANCE + ES_FONT_GLYPH_WIDTH) * scale;
}

void
es_font_draw (EsImage * image, int x, int y, const char *text, unsigned scale,
    const uint8_t rgb[3])
{
  uint8_t grey = (uint8_t) lround (0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2]);

  for (size_t i = 0; text[i]; i++) {
    const Glyph *g = find_glyph (text[i]);
    int gx = x + (int) (i * ES_FONT_ADVANCE * scale);
    if (g == NULL)
      continue;
    for (int row = 0; row < ES_FONT_GLYPH_HEIGHT; row++)
      for (int col = 0; col < ES_FONT_GLYPH_WIDTH; col++) {
        if (!(g->rows[row] & (0x10 >> col)))
          continue;
        for (unsigned dy = 0; dy < scale; dy++)
          for (unsigned dx = 0; dx < scale; dx++) {
            int px = gx + col * (int) scale + (int) dx, py = y + row * (int) scale + (int) dy;
            uint8_t *p;
            if (px < 0 || py < 0 || px >= (int) image->width || py >= (int) image->height)
              continue;
            p = image->pixels + (size_t) py * image->stride + (size_t) px * image->channels;
            if (image->channels == 1)
              p[0] = grey;
            else
              memcpy (p, rgb, 3);
          }
      }
  }
}
