/* libearshot version query. */
#include "config.h"
#include "earshot.h"

const char *
es_version (void)
{
  return ES_VERSION;
}
