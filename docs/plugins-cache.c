/* es-plugins-cache: writes or checks docs/gst_plugins_cache.json, the record
 * of the plugin's elements (metadata, klass, pad templates, properties with
 * their ranges and defaults, signals, enum types) that GStreamer's hotdoc
 * documentation is built from. GStreamer makes that file with its own
 * scanner, which Debian 12 does not ship; this tool writes the same layout
 * (keys sorted, 4-space indent, values as strings) from the built plugin.
 *
 *   es-plugins-cache PLUGIN.so                print the cache
 *   es-plugins-cache PLUGIN.so --output FILE  (re)write FILE
 *   es-plugins-cache PLUGIN.so --check FILE   exit 1 when FILE is stale
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gst/gst.h>
#include <json-glib/json-glib.h>

/* ---- writing: sorted keys, 4-space indent, as GStreamer's caches are ---- */

static void
write_string (GString * out, const gchar * s)
{
  g_string_append_c (out, '"');
  for (const guchar * p = (const guchar *) s; *p; p++) {
    switch (*p) {
      case '"':
        g_string_append (out, "\\\"");
        break;
      case '\\':
        g_string_append (out, "\\\\");
        break;
      case '\n':
        g_string_append (out, "\\n");
        break;
      case '\t':
        g_string_append (out, "\\t");
        break;
      case '\r':
        g_string_append (out, "\\r");
        break;
      default:
        if (*p < 0x20)
          g_string_append_printf (out, "\\u%04x", *p);
        else
          g_string_append_c (out, (gchar) * p);
    }
  }
  g_string_append_c (out, '"');
}

static void
write_indent (GString * out, guint depth)
{
  for (guint i = 0; i < depth; i++)
    g_string_append (out, "    ");
}

static gint
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (a, b);
}

static void
write_node (GString * out, JsonNode * node, guint depth)
{
  if (JSON_NODE_HOLDS_OBJECT (node)) {
    JsonObject *object = json_node_get_object (node);
    GList *names = g_list_sort (json_object_get_members (object), compare_names);
    if (!names) {
      g_string_append (out, "{}");
      return;
    }
    g_string_append (out, "{\n");
    for (GList * l = names; l; l = l->next) {
      write_indent (out, depth + 1);
      write_string (out, l->data);
      g_string_append (out, ": ");
      write_node (out, json_object_get_member (object, l->data), depth + 1);
      g_string_append (out, l->next ? ",\n" : "\n");
    }
    write_indent (out, depth);
    g_string_append_c (out, '}');
    g_list_free (names);
  } else if (JSON_NODE_HOLDS_ARRAY (node)) {
    JsonArray *array = json_node_get_array (node);
    guint n = json_array_get_length (array);
    if (n == 0) {
      g_string_append (out, "[]");
      return;
    }
    g_string_append (out, "[\n");
    for (guint i = 0; i < n; i++) {
      write_indent (out, depth + 1);
      write_node (out, json_array_get_element (array, i), depth + 1);
      g_string_append (out, i + 1 < n ? ",\n" : "\n");
    }
    write_indent (out, depth);
    g_string_append_c (out, ']');
  } else if (json_node_get_value_type (node) == G_TYPE_BOOLEAN) {
    g_string_append (out, json_node_get_boolean (node) ? "true" : "false");
  } else {
    write_string (out, json_node_get_string (node));
  }
}

/* ---- values as text ---- */

/* Shortest decimal that reads back as the same float (0.97, not 0.970000029). */
static gchar *
float_to_string (gfloat v)
{
  gchar buf[G_ASCII_DTOSTR_BUF_SIZE], format[8];
  for (gint digits = 1; digits <= 9; digits++) {
    g_snprintf (format, sizeof format, "%%.%dg", digits);
    g_ascii_formatd (buf, sizeof buf, format, v);
    if ((gfloat) g_ascii_strtod (buf, NULL) == v)
      break;
  }
  return g_strdup (buf);
}

static gchar *
double_to_string (gdouble v)
{
  gchar buf[G_ASCII_DTOSTR_BUF_SIZE];
  return g_strdup (g_ascii_dtostr (buf, sizeof buf, v));
}

static gchar *
enum_value_to_string (GType type, gint value)
{
  GEnumClass *klass = g_type_class_ref (type);
  GEnumValue *ev = g_enum_get_value (klass, value);
  gchar *s = ev ? g_strdup_printf ("%s (%d)", ev->value_nick, value)
      : g_strdup_printf ("%d", value);
  g_type_class_unref (klass);
  return s;
}

static gchar *
flags_value_to_string (GType type, guint value)
{
  GFlagsClass *klass = g_type_class_ref (type);
  GString *s = g_string_new (NULL);
  for (guint i = 0; i < klass->n_values; i++) {
    const GFlagsValue *fv = &klass->values[i];
    if (fv->value != 0 && (value & fv->value) == fv->value) {
      if (s->len)
        g_string_append_c (s, '+');
      g_string_append (s, fv->value_nick);
    }
  }
  g_type_class_unref (klass);
  if (s->len == 0)
    g_string_append (s, "(none)");
  return g_string_free (s, FALSE);
}

static gchar *
value_to_string (const GValue * value)
{
  GType type = G_VALUE_TYPE (value);
  switch (G_TYPE_FUNDAMENTAL (type)) {
    case G_TYPE_STRING:
      return g_strdup (g_value_get_string (value) ? g_value_get_string (value) :
          "NULL");
    case G_TYPE_BOOLEAN:
      return g_strdup (g_value_get_boolean (value) ? "true" : "false");
    case G_TYPE_INT:
      return g_strdup_printf ("%d", g_value_get_int (value));
    case G_TYPE_UINT:
      return g_strdup_printf ("%u", g_value_get_uint (value));
    case G_TYPE_LONG:
      return g_strdup_printf ("%ld", g_value_get_long (value));
    case G_TYPE_ULONG:
      return g_strdup_printf ("%lu", g_value_get_ulong (value));
    case G_TYPE_INT64:
      return g_strdup_printf ("%" G_GINT64_FORMAT, g_value_get_int64 (value));
    case G_TYPE_UINT64:
      return g_strdup_printf ("%" G_GUINT64_FORMAT, g_value_get_uint64 (value));
    case G_TYPE_FLOAT:
      return float_to_string (g_value_get_float (value));
    case G_TYPE_DOUBLE:
      return double_to_string (g_value_get_double (value));
    case G_TYPE_ENUM:
      return enum_value_to_string (type, g_value_get_enum (value));
    case G_TYPE_FLAGS:
      return flags_value_to_string (type, g_value_get_flags (value));
    default:
      return g_strdup_value_contents (value);
  }
}

static void
set_string_take (JsonObject * object, const gchar * name, gchar * value)
{
  json_object_set_string_member (object, name, value);
  g_free (value);
}

/* min and max for the numeric parameter types, as text */
static void
add_range (JsonObject * prop, GParamSpec * pspec)
{
#define RANGE(TYPE, fmt) G_STMT_START { \
    TYPE *p = (TYPE *) pspec; \
    set_string_take (prop, "min", g_strdup_printf (fmt, p->minimum)); \
    set_string_take (prop, "max", g_strdup_printf (fmt, p->maximum)); \
  } G_STMT_END

  if (G_IS_PARAM_SPEC_INT (pspec))
    RANGE (GParamSpecInt, "%d");
  else if (G_IS_PARAM_SPEC_UINT (pspec))
    RANGE (GParamSpecUInt, "%u");
  else if (G_IS_PARAM_SPEC_LONG (pspec))
    RANGE (GParamSpecLong, "%ld");
  else if (G_IS_PARAM_SPEC_ULONG (pspec))
    RANGE (GParamSpecULong, "%lu");
  else if (G_IS_PARAM_SPEC_INT64 (pspec))
    RANGE (GParamSpecInt64, "%" G_GINT64_FORMAT);
  else if (G_IS_PARAM_SPEC_UINT64 (pspec))
    RANGE (GParamSpecUInt64, "%" G_GUINT64_FORMAT);
  else if (G_IS_PARAM_SPEC_FLOAT (pspec)) {
    GParamSpecFloat *p = G_PARAM_SPEC_FLOAT (pspec);
    set_string_take (prop, "min", float_to_string (p->minimum));
    set_string_take (prop, "max", float_to_string (p->maximum));
  } else if (G_IS_PARAM_SPEC_DOUBLE (pspec)) {
    GParamSpecDouble *p = G_PARAM_SPEC_DOUBLE (pspec);
    set_string_take (prop, "min", double_to_string (p->minimum));
    set_string_take (prop, "max", double_to_string (p->maximum));
  }
#undef RANGE
}

/* ---- the plugin's types ---- */

/* enum and flags types used by properties, for the plugin's "other-types" */
static void
add_other_type (JsonObject * other_types, GType type)
{
  const gchar *name = g_type_name (type);
  JsonObject *entry;
  JsonArray *values;

  if (json_object_has_member (other_types, name))
    return;
  entry = json_object_new ();
  values = json_array_new ();
  if (G_TYPE_IS_ENUM (type)) {
    GEnumClass *klass = g_type_class_ref (type);
    json_object_set_string_member (entry, "kind", "enum");
    for (guint i = 0; i < klass->n_values; i++) {
      JsonObject *v = json_object_new ();
      json_object_set_string_member (v, "desc", klass->values[i].value_name);
      json_object_set_string_member (v, "name", klass->values[i].value_nick);
      set_string_take (v, "value", g_strdup_printf ("%d", klass->values[i].value));
      json_array_add_object_element (values, v);
    }
    g_type_class_unref (klass);
  } else {
    GFlagsClass *klass = g_type_class_ref (type);
    json_object_set_string_member (entry, "kind", "flags");
    for (guint i = 0; i < klass->n_values; i++) {
      JsonObject *v = json_object_new ();
      json_object_set_string_member (v, "desc", klass->values[i].value_name);
      json_object_set_string_member (v, "name", klass->values[i].value_nick);
      set_string_take (v, "value", g_strdup_printf ("0x%08x", klass->values[i].value));
      json_array_add_object_element (values, v);
    }
    g_type_class_unref (klass);
  }
  json_object_set_array_member (entry, "values", values);
  json_object_set_object_member (other_types, name, entry);
}

static const gchar *
mutable_state (GParamSpec * pspec)
{
  if (pspec->flags & GST_PARAM_MUTABLE_PLAYING)
    return "playing";
  if (pspec->flags & GST_PARAM_MUTABLE_PAUSED)
    return "paused";
  if (pspec->flags & GST_PARAM_MUTABLE_READY)
    return "ready";
  return "null";
}

/* Properties the element's own class installs (base-class ones such as
 * "qos" are documented with their base class, as GStreamer does). */
static JsonObject *
describe_properties (GType type, JsonObject * other_types)
{
  GObjectClass *klass = g_type_class_ref (type);
  guint n = 0;
  GParamSpec **pspecs = g_object_class_list_properties (klass, &n);
  JsonObject *props = json_object_new ();

  for (guint i = 0; i < n; i++) {
    GParamSpec *pspec = pspecs[i];
    JsonObject *prop;

    if (pspec->owner_type != type)
      continue;
    prop = json_object_new ();
    json_object_set_string_member (prop, "blurb", g_param_spec_get_blurb (pspec));
    json_object_set_boolean_member (prop, "conditionally-available",
        (pspec->flags & GST_PARAM_CONDITIONALLY_AVAILABLE) != 0);
    json_object_set_boolean_member (prop, "construct",
        (pspec->flags & G_PARAM_CONSTRUCT) != 0);
    json_object_set_boolean_member (prop, "construct-only",
        (pspec->flags & G_PARAM_CONSTRUCT_ONLY) != 0);
    json_object_set_boolean_member (prop, "controllable",
        (pspec->flags & GST_PARAM_CONTROLLABLE) != 0);
    set_string_take (prop, "default",
        value_to_string (g_param_spec_get_default_value (pspec)));
    add_range (prop, pspec);
    json_object_set_string_member (prop, "mutable", mutable_state (pspec));
    json_object_set_boolean_member (prop, "readable",
        (pspec->flags & G_PARAM_READABLE) != 0);
    json_object_set_string_member (prop, "type",
        g_type_name (pspec->value_type));
    json_object_set_boolean_member (prop, "writable",
        (pspec->flags & G_PARAM_WRITABLE) != 0);
    if (G_TYPE_IS_ENUM (pspec->value_type) || G_TYPE_IS_FLAGS (pspec->value_type))
      add_other_type (other_types, pspec->value_type);
    json_object_set_object_member (props, pspec->name, prop);
  }
  g_free (pspecs);
  g_type_class_unref (klass);
  return props;
}

static JsonObject *
describe_signals (GType type)
{
  guint n = 0;
  guint *ids = g_signal_list_ids (type, &n);
  JsonObject *signals = json_object_new ();

  for (guint i = 0; i < n; i++) {
    GSignalQuery q;
    JsonObject *sig = json_object_new ();
    JsonArray *args = json_array_new ();

    g_signal_query (ids[i], &q);
    for (guint a = 0; a < q.n_params; a++)
      json_array_add_string_element (args,
          g_type_name (q.param_types[a] & ~G_SIGNAL_TYPE_STATIC_SCOPE));
    json_object_set_array_member (sig, "args", args);
    if (q.signal_flags & G_SIGNAL_ACTION)
      json_object_set_boolean_member (sig, "action", TRUE);
    json_object_set_string_member (sig, "return-type",
        g_type_name (q.return_type & ~G_SIGNAL_TYPE_STATIC_SCOPE));
    json_object_set_string_member (sig, "when",
        (q.signal_flags & G_SIGNAL_RUN_FIRST) ? "first" :
        (q.signal_flags & G_SIGNAL_RUN_LAST) ? "last" : "cleanup");
    json_object_set_object_member (signals, q.signal_name, sig);
  }
  g_free (ids);
  return signals;
}

/* Caps as the cache shows them: one structure per paragraph, field names
 * right-aligned, so a template's rates and formats read at a glance. */
static gchar *
caps_to_text (GstCaps * caps)
{
  GString *s;

  if (gst_caps_is_any (caps))
    return g_strdup ("ANY");
  if (gst_caps_is_empty (caps))
    return g_strdup ("EMPTY");

  s = g_string_new (NULL);
  for (guint i = 0; i < gst_caps_get_size (caps); i++) {
    GstStructure *st = gst_caps_get_structure (caps, i);
    GstCapsFeatures *features = gst_caps_get_features (caps, i);
    g_string_append (s, gst_structure_get_name (st));
    if (features && !gst_caps_features_is_equal (features,
            GST_CAPS_FEATURES_MEMORY_SYSTEM_MEMORY)) {
      gchar *f = gst_caps_features_to_string (features);
      g_string_append_printf (s, "(%s)", f);
      g_free (f);
    }
    g_string_append (s, ":\n");
    for (gint f = 0; f < gst_structure_n_fields (st); f++) {
      const gchar *field = gst_structure_nth_field_name (st, f);
      gchar *v = gst_value_serialize (gst_structure_get_value (st, field));
      g_string_append_printf (s, "%15s: %s\n", field, v);
      g_free (v);
    }
  }
  return g_string_free (s, FALSE);
}

static JsonObject *
describe_pad_templates (GstElementFactory * factory)
{
  static const gchar *directions[] = { "unknown", "src", "sink" };
  static const gchar *presences[] = { "always", "sometimes", "request" };
  JsonObject *templates = json_object_new ();

  for (const GList * l = gst_element_factory_get_static_pad_templates (factory);
      l; l = l->next) {
    GstStaticPadTemplate *t = l->data;
    JsonObject *pad = json_object_new ();
    GstCaps *caps = gst_static_caps_get (&t->static_caps);
    set_string_take (pad, "caps", caps_to_text (caps));
    gst_caps_unref (caps);
    json_object_set_string_member (pad, "direction", directions[t->direction]);
    json_object_set_string_member (pad, "presence", presences[t->presence]);
    json_object_set_object_member (templates, t->name_template, pad);
  }
  return templates;
}

static gchar *
rank_to_string (guint rank)
{
  switch (rank) {
    case GST_RANK_NONE:
      return g_strdup ("none");
    case GST_RANK_MARGINAL:
      return g_strdup ("marginal");
    case GST_RANK_SECONDARY:
      return g_strdup ("secondary");
    case GST_RANK_PRIMARY:
      return g_strdup ("primary");
    default:
      return g_strdup_printf ("%u", rank);
  }
}

static JsonObject *
describe_element (GstElementFactory * factory, JsonObject * other_types)
{
  GstElementFactory *loaded =
      GST_ELEMENT_FACTORY (gst_plugin_feature_load (GST_PLUGIN_FEATURE (factory)));
  GType type = gst_element_factory_get_element_type (loaded);
  JsonObject *element = json_object_new ();
  JsonArray *hierarchy = json_array_new ();
  JsonObject *props, *signals;
  guint n_ifaces = 0;
  GType *ifaces;

  json_object_set_string_member (element, "author",
      gst_element_factory_get_metadata (loaded, GST_ELEMENT_METADATA_AUTHOR));
  json_object_set_string_member (element, "description",
      gst_element_factory_get_metadata (loaded, GST_ELEMENT_METADATA_DESCRIPTION));
  json_object_set_string_member (element, "klass",
      gst_element_factory_get_metadata (loaded, GST_ELEMENT_METADATA_KLASS));
  json_object_set_string_member (element, "long-name",
      gst_element_factory_get_metadata (loaded, GST_ELEMENT_METADATA_LONGNAME));
  set_string_take (element, "rank",
      rank_to_string (gst_plugin_feature_get_rank (GST_PLUGIN_FEATURE (loaded))));

  for (GType t = type; t; t = g_type_parent (t))
    json_array_add_string_element (hierarchy, g_type_name (t));
  json_object_set_array_member (element, "hierarchy", hierarchy);

  ifaces = g_type_interfaces (type, &n_ifaces);
  if (n_ifaces) {
    JsonArray *list = json_array_new ();
    for (guint i = 0; i < n_ifaces; i++)
      json_array_add_string_element (list, g_type_name (ifaces[i]));
    json_object_set_array_member (element, "interfaces", list);
  }
  g_free (ifaces);

  json_object_set_object_member (element, "pad-templates",
      describe_pad_templates (loaded));

  props = describe_properties (type, other_types);
  if (json_object_get_size (props))
    json_object_set_object_member (element, "properties", props);
  else
    json_object_unref (props);

  signals = describe_signals (type);
  if (json_object_get_size (signals))
    json_object_set_object_member (element, "signals", signals);
  else
    json_object_unref (signals);

  gst_object_unref (loaded);
  return element;
}

/* "libgstearshot.so" -> "gstearshot", as GStreamer's caches name plugins */
static gchar *
plugin_file_stem (const gchar * path)
{
  gchar *base = g_path_get_basename (path);
  gchar *dot = strchr (base, '.');
  gchar *stem;

  if (dot)
    *dot = '\0';
  stem = g_strdup (g_str_has_prefix (base, "lib") ? base + 3 : base);
  g_free (base);
  return stem;
}

static gchar *
describe_plugin (GstPlugin * plugin)
{
  JsonObject *entry = json_object_new ();
  JsonObject *elements = json_object_new ();
  JsonObject *other_types = json_object_new ();
  GList *features = gst_registry_get_feature_list_by_plugin (gst_registry_get (),
      gst_plugin_get_name (plugin));
  JsonObject *root_object;
  JsonNode *root;
  GString *out;

  for (GList * l = features; l; l = l->next) {
    if (!GST_IS_ELEMENT_FACTORY (l->data))
      continue;
    json_object_set_object_member (elements,
        gst_plugin_feature_get_name (l->data),
        describe_element (GST_ELEMENT_FACTORY (l->data), other_types));
  }
  gst_plugin_feature_list_free (features);

  json_object_set_string_member (entry, "description",
      gst_plugin_get_description (plugin));
  json_object_set_object_member (entry, "elements", elements);
  set_string_take (entry, "filename",
      plugin_file_stem (gst_plugin_get_filename (plugin)));
  json_object_set_string_member (entry, "license", gst_plugin_get_license (plugin));
  json_object_set_object_member (entry, "other-types", other_types);
  json_object_set_string_member (entry, "package", gst_plugin_get_package (plugin));
  json_object_set_string_member (entry, "source", gst_plugin_get_source (plugin));
  json_object_set_object_member (entry, "tracers", json_object_new ());
  json_object_set_string_member (entry, "url", gst_plugin_get_origin (plugin));

  root_object = json_object_new ();
  json_object_set_object_member (root_object, gst_plugin_get_name (plugin), entry);
  root = json_node_init_object (json_node_alloc (), root_object);
  json_object_unref (root_object);

  out = g_string_new (NULL);
  write_node (out, root, 0);
  g_string_append_c (out, '\n');
  json_node_unref (root);
  return g_string_free (out, FALSE);
}

/* The first line where the committed cache and the plugin disagree. */
static void
report_first_difference (const gchar * file, const gchar * have, const gchar * want)
{
  guint line = 1;
  const gchar *a = have, *b = want;
  const gchar *a_end, *b_end, *a_start, *b_start;
  while (*a && *a == *b) {
    if (*a == '\n')
      line++;
    a++;
    b++;
  }
  a_end = strchr (a, '\n');
  b_end = strchr (b, '\n');
  a_start = a;
  b_start = b;
  while (a_start > have && a_start[-1] != '\n')
    a_start--;
  while (b_start > want && b_start[-1] != '\n')
    b_start--;
  g_printerr ("%s:%u: out of date\n  file:   %.*s\n  plugin: %.*s\n", file, line,
      (int) (a_end ? a_end - a_start : (long) strlen (a_start)), a_start,
      (int) (b_end ? b_end - b_start : (long) strlen (b_start)), b_start);
}

int
main (int argc, char **argv)
{
  gchar *output = NULL, *check = NULL;
  GOptionEntry entries[] = {
    {"output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
        "Write the cache to FILE (replaced only when complete)", "FILE"},
    {"check", 'c', 0, G_OPTION_ARG_FILENAME, &check,
        "Exit with status 1 when FILE differs from the plugin", "FILE"},
    {NULL}
  };
  GOptionContext *ctx = g_option_context_new ("PLUGIN-FILE");
  GError *err = NULL;
  GstPlugin *plugin;
  gchar *text;
  int status = 0;

  g_option_context_set_summary (ctx,
      "Write or check the plugin's gst_plugins_cache.json (hotdoc's element record).");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_add_group (ctx, gst_init_get_option_group ());
  if (!g_option_context_parse (ctx, &argc, &argv, &err) || argc != 2
      || (output && check)) {
    g_printerr ("es-plugins-cache: %s\n%s", err ? err->message :
        "give one plugin file, and at most one of --output and --check",
        g_option_context_get_help (ctx, TRUE, NULL));
    return 2;
  }
  g_option_context_free (ctx);

  plugin = gst_plugin_load_file (argv[1], &err);
  if (!plugin) {
    g_printerr ("es-plugins-cache: %s: %s\n", argv[1], err->message);
    return 1;
  }
  text = describe_plugin (plugin);
  gst_object_unref (plugin);

  if (check) {
    gchar *have = NULL;
    if (!g_file_get_contents (check, &have, NULL, &err)) {
      g_printerr ("es-plugins-cache: %s\n", err->message);
      status = 1;
    } else if (strcmp (have, text) != 0) {
      report_first_difference (check, have, text);
      g_printerr ("The plugin's elements changed; update the record with\n"
          "  meson compile -C BUILDDIR update-plugins-cache\n");
      status = 1;
    }
    g_free (have);
  } else if (output) {
    if (!g_file_set_contents (output, text, -1, &err)) {
      g_printerr ("es-plugins-cache: %s\n", err->message);
      status = 1;
    }
  } else {
    fputs (text, stdout);
  }
  g_clear_error (&err);
  g_free (text);
  g_free (output);
  g_free (check);
  return status;
}
