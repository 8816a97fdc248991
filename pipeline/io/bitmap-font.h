/* A tiny 5x7 dot-matrix font for axis labels (there is no font renderer in
 * the tree and a plot needs only numbers and units): digits, '.', '-', ' ',
 * and the letters of "Hz", "kHz" and "s". The glyphs were drawn for earshot
 * in the style of character-LCD fonts. Characters outside that set draw as
 * blanks. Each glyph sits in a cell of 6x8 dots (one dot of spacing right and
 * below), scaled by an integer factor. */
#ifndef ES_IO_BITMAP_FONT_H
#define ES_IO_BITMAP_FONT_H

#include <stdint.h>
#include <glib.h>

#include "io/png.h"

G_BEGIN_DECLS

#define ES_FONT_GLYPH_WIDTH 5
#define ES_FONT_GLYPH_HEIGHT 7
#define ES_FONT_ADVANCE 6       /* dots from one glyph to the next */

/* Width in pixels of `text` at `scale` (no trailing spacing). */
unsigned es_font_text_width (const char *text, unsigned scale);

/* Draw `text` with its top-left corner at (x, y), pixels of `rgb` (grey
 * images take its Rec. 709 luma); parts outside the image are clipped. */
void es_font_draw (EsImage * image, int x, int y, const char *text, unsigned scale,
    const uint8_t rgb[3]);

G_END_DECLS

#endif
