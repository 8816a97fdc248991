/* Perceptual colour maps (see colour-map.h). */
#include "io/colour-map.h"
#include "io/colour-map-data.h"

const uint8_t (*es_colour_map_table (EsColourMap map))[3]
{
  return map == ES_COLOUR_MAP_MAGMA ? es_colour_map_magma : es_colour_map_viridis;
}

const char *
es_colour_map_name (EsColourMap map)
{
  return map == ES_COLOUR_MAP_MAGMA ? "magma" : "viridis";
}
