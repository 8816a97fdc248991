/* See text.h. */
#include "text.h"

#include <string.h>

char *
es_text_valid_utf8 (const char *text)
{
  return g_utf8_make_valid (text ? text : "", -1);
}

char *
es_text_for_terminal (const char *text, gsize max_chars)
{
  g_autofree char *valid = es_text_valid_utf8 (text);
  GString *out = g_string_sized_new (MIN (strlen (valid), max_chars) + 16);
  gsize n_chars = 0;
  const char *p;

  for (p = valid; *p && n_chars < max_chars; p = g_utf8_next_char (p), n_chars++) {
    gunichar c = g_utf8_get_char (p);

    if (c == '\n')
      g_string_append (out, "\\n");
    else if (c == '\t')
      g_string_append (out, "\\t");
    else if (c == '\r')
      g_string_append (out, "\\r");
    else if (c == '\\')
      g_string_append (out, "\\\\");
    else if (c < 0x20 || (c >= 0x7f && c < 0xa0))
      g_string_append_printf (out, "\\x%02x", c);
    else
      g_string_append_len (out, p, g_utf8_next_char (p) - p);
  }
  if (*p)
    g_string_append_printf (out, "... (%zu bytes)", strlen (text));
  return g_string_free (out, FALSE);
}
