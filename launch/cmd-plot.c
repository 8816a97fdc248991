/* earshot plot: not written yet (owned by the issue that adds it). */
#include <stdio.h>
#include "commands.h"

int
es_cmd_plot (int argc, char **argv)
{
  fprintf (stderr, "earshot plot: not available in this build yet\n");
  return 1;
}
