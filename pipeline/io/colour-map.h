/* Perceptual colour maps for images of levels in [0, 1] (spectrograms): a
 * level's 8-bit value (round(255 v)) picks one of 256 RGB entries. viridis
 * (the default) and magma are Matplotlib's maps: lightness rises monotonically
 * from the first entry to the last and they stay readable in grey and for
 * colour-blind readers, so a bright pixel is a loud one whatever the hue. The
 * tables come from scripts/make-colour-maps.py (CC0, see there). */
#ifndef ES_IO_COLOUR_MAP_H
#define ES_IO_COLOUR_MAP_H

#include <stdint.h>
#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  ES_COLOUR_MAP_VIRIDIS,        /* #440154 (dark violet) .. #fde725 (yellow) */
  ES_COLOUR_MAP_MAGMA,          /* #000004 (black) .. #fcfdbf (pale yellow) */
} EsColourMap;

/* The 256 RGB entries of a map (index 0 = level 0, 255 = level 1). */
const uint8_t (*es_colour_map_table (EsColourMap map))[3];

/* Its name ("viridis", "magma"). */
const char *es_colour_map_name (EsColourMap map);

G_END_DECLS

#endif
