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

char *
es_text_json_repair_numbers (char *json)
{
  char *r, *w;
  gboolean in_string = FALSE, in_exponent = FALSE;

  if (!json)
    return NULL;
  for (r = w = json; *r; r++) {
    char c = *r;
    if (in_string) {
      if (c == '\\' && r[1]) {
        *w++ = c;
        c = *++r;               /* the escaped character, copied below */
      } else if (c == '"')
        in_string = FALSE;
    } else if (c == '"') {
      in_string = TRUE;
      in_exponent = FALSE;
    } else if (c == 'e' || c == 'E') {
      /* an exponent follows a digit of a number; names never stand outside strings */
      in_exponent = w > json && g_ascii_isdigit (w[-1]);
    } else if (in_exponent && c == '.' && r[1] == '0' && !g_ascii_isdigit (r[2])) {
      r++;                      /* drop ".0" */
      in_exponent = FALSE;
      continue;
    } else if (!(g_ascii_isdigit (c) || ((c == '-' || c == '+') && w > json && (w[-1] == 'e'
                    || w[-1] == 'E')))) {
      in_exponent = FALSE;
    }
    *w++ = c;
  }
  *w = '\0';
  return json;
}
