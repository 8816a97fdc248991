/* Writes the live-classification test models and WAV files into DIR
 * (tests/live/live-assets.h says what they are).
 * Usage: make-live-models DIR */
#include <stdio.h>

#include "live-assets.h"

int
main (int argc, char **argv)
{
  if (argc != 2) {
    fprintf (stderr, "usage: make-live-models DIR\n");
    return 2;
  }
  return live_assets_write (argv[1]) ? 0 : 1;
}
