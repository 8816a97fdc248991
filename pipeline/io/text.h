/* Text that came from files (names, CSV fields, labels) made safe to print:
 * valid UTF-8 for JSON, and escaped and shortened for a terminal. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Longest file-derived field printed whole on a terminal, in characters. */
#define ES_TEXT_TERMINAL_MAX 200

/* `text` as valid UTF-8 (invalid bytes become U+FFFD), for JSON. Free with g_free. */
char *es_text_valid_utf8 (const char *text);

/* `text` for a terminal: valid UTF-8, control characters (C0, DEL, C1)
 * written as \n, \t, \r, \\ or \xNN escapes, and shortened to `max_chars`
 * characters with "... (N bytes)" when longer. Free with g_free. */
char *es_text_for_terminal (const char *text, gsize max_chars);

/* Repairs, in place, what json-glib 1.6's generator writes for a double
 * whose shortest form has an exponent and no point: 1e-10 comes out as
 * "1e-10.0", which is not JSON. The ".0" after such an exponent is removed
 * outside strings; everything else is left as it is. Returns `json`. Every
 * JsonGenerator output goes through it. */
char *es_text_json_repair_numbers (char *json);

G_END_DECLS
