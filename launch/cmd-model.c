/* earshot model: not written yet (owned by the issue that adds it). */
#include <stdio.h>
#include "commands.h"

int
es_cmd_model (int argc, char **argv)
{
  fprintf (stderr, "earshot model: not available in this build yet\n");
  return 1;
}
