/* earshot train: not written yet (owned by the issue that adds it). */
#include <stdio.h>
#include "commands.h"

int
es_cmd_train (int argc, char **argv)
{
  fprintf (stderr, "earshot train: not available in this build yet\n");
  return 1;
}

int
es_cmd_eval (int argc, char **argv)
{
  fprintf (stderr, "earshot eval: not available in this build yet\n");
  return 1;
}
