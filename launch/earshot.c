/* earshot: command-line front door to the earshot library and plugin. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>
#include <string.h>
#include <glib.h>

int
main (int argc, char **argv)
{
  if (argc > 1 && strcmp (argv[1], "--version") == 0) {
    printf ("earshot %s\n", VERSION);
    return 0;
  }
  fprintf (stderr, "usage: earshot --version\n");
  return 2;
}
