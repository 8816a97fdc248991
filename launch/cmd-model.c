/* earshot model: inspect model files.
 *
 *   earshot model info [--json] FILE|NAME
 *
 * prints what a model is and how to use it: name, task, input, labels,
 * parameter count, architecture, front-end settings and the gst-launch line it
 * needs. NAME is looked up on the model search path (ES_MODEL_PATH, the source
 * tree's models/, the installed models). */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>
#include <string.h>
#include <glib.h>
#include <json-glib/json-glib.h>

#include "io/text.h"
#include "model/model.h"
#include "commands.h"
#include "launch-line.h"

static void
model_usage (FILE * out)
{
  fprintf (out,
      "Usage: earshot model info [--json] FILE|NAME\n"
      "\n"
      "Print a model's name, task, input, labels, parameter count, architecture,\n"
      "front-end settings and the gst-launch line it needs.\n"
      "NAME (with or without .safetensors) is searched in $ES_MODEL_PATH\n"
      "(colon-separated), then the built-in model directories.\n"
      "\n"
      "Options:\n"
      "  --json      print the same as one JSON object\n"
      "  -h, --help  show this help\n");
}

/* Parse JSON text that the model has already validated. */
static JsonNode *
parse_node (const char *text)
{
  JsonParser *parser = json_parser_new ();
  JsonNode *node = NULL;
  if (text && json_parser_load_from_data (parser, text, -1, NULL) && json_parser_get_root (parser))
    node = json_node_copy (json_parser_get_root (parser));
  g_object_unref (parser);
  return node ? node : json_node_new (JSON_NODE_NULL);
}

static void
print_json (const EsModel * model)
{
  JsonBuilder *b = json_builder_new ();
  JsonGenerator *g = json_generator_new ();
  JsonNode *root;
  size_t shape[3];
  int ndim = es_model_get_input_shape (model, shape);
  char *describe = es_net_describe (es_model_get_net (model));
  gboolean derived;
  char *launch = es_launch_line_for_model (model, &derived);
  char *text;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, es_model_get_name (model));
  json_builder_set_member_name (b, "path");
  {
    /* a file name need not be UTF-8; JSON must be */
    g_autofree char *path = es_text_valid_utf8 (es_model_get_path (model));

    json_builder_add_string_value (b, path);
  }
  json_builder_set_member_name (b, "task");
  json_builder_add_string_value (b, es_model_get_task (model));
  json_builder_set_member_name (b, "input");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "kind");
  json_builder_add_string_value (b, es_model_input_kind_name (es_model_get_input_kind (model)));
  json_builder_set_member_name (b, "shape");
  json_builder_begin_array (b);
  for (int i = 0; i < ndim; i++)
    json_builder_add_int_value (b, (gint64) shape[i]);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "media");
  json_builder_add_string_value (b, es_model_get_input_media (model));
  json_builder_end_object (b);
  json_builder_set_member_name (b, "labels");
  json_builder_begin_array (b);
  for (const char *const *l = es_model_get_labels (model); *l; l++)
    json_builder_add_string_value (b, *l);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "parameters");
  json_builder_add_int_value (b, (gint64) es_net_count_trainable (es_model_get_net (model)));
  json_builder_set_member_name (b, "architecture");
  json_builder_add_value (b, parse_node (es_model_get_architecture (model)));
  json_builder_set_member_name (b, "layers");
  json_builder_add_string_value (b, describe);
  json_builder_set_member_name (b, "frontend");
  json_builder_add_value (b, parse_node (es_model_get_frontend (model)));
  json_builder_set_member_name (b, "tag");
  json_builder_add_string_value (b, es_model_tag_name (es_model_get_tag (model)));
  json_builder_set_member_name (b, "background_label");
  if (es_model_get_background_label (model))
    json_builder_add_string_value (b, es_model_get_background_label (model));
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "launch");
  json_builder_add_string_value (b, launch);
  json_builder_set_member_name (b, "launch_derived");
  json_builder_add_boolean_value (b, derived);
  if (es_model_get_training (model)) {
    json_builder_set_member_name (b, "training");
    json_builder_add_value (b, parse_node (es_model_get_training (model)));
  }
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  json_generator_set_root (g, root);
  json_generator_set_pretty (g, TRUE);
  text = es_text_json_repair_numbers (json_generator_to_data (g, NULL));
  printf ("%s\n", text);
  g_free (text);
  g_free (launch);
  g_free (describe);
  json_node_unref (root);
  g_object_unref (g);
  g_object_unref (b);
}

/* Front-end settings as "key=value, ..." for people. */
static char *
frontend_text (const EsModel * model)
{
  JsonNode *node = parse_node (es_model_get_frontend (model));
  GString *s = g_string_new (NULL);

  if (JSON_NODE_HOLDS_OBJECT (node)) {
    JsonObject *o = json_node_get_object (node);
    GList *members = json_object_get_members (o);
    for (GList * l = members; l; l = l->next) {
      char *value = json_to_string (json_object_get_member (o, l->data), FALSE);
      g_string_append_printf (s, "%s%s=%s", s->len ? ", " : "", (const char *) l->data, value);
      g_free (value);
    }
    g_list_free (members);
  }
  if (s->len == 0)
    g_string_append (s, "(none)");
  json_node_unref (node);
  return g_string_free (s, FALSE);
}

/* "Label value\n" with a value from the model file escaped and shortened
 * (training metadata and label lists are long but not unbounded). */
#define MODEL_FIELD_MAX 4096
static void
print_field (const char *label, const char *value)
{
  g_autofree char *safe = es_text_for_terminal (value, MODEL_FIELD_MAX);

  printf ("%s%s\n", label, safe);
}

static void
print_text (const EsModel * model)
{
  size_t shape[3];
  int ndim = es_model_get_input_shape (model, shape);
  char *describe = es_net_describe (es_model_get_net (model));
  char *frontend = frontend_text (model);
  char **lines;
  GString *labels = g_string_new (NULL);

  for (const char *const *l = es_model_get_labels (model); *l; l++)
    g_string_append_printf (labels, "%s%s", labels->len ? ", " : "", *l);

  print_field ("Model:       ", es_model_get_name (model));
  print_field ("File:        ", es_model_get_path (model));
  print_field ("Task:        ", *es_model_get_task (model) ? es_model_get_task (model) : "-");
  printf ("Tag:         earshot-label%s\n", es_model_get_tag (model) == ES_MODEL_TAG_GENRE ?
      ", genre" : "");
  if (es_model_get_background_label (model))
    print_field ("Background:  ", es_model_get_background_label (model));
  printf ("Input:       %s [", es_model_input_kind_name (es_model_get_input_kind (model)));
  for (int i = 0; i < ndim; i++)
    printf ("%s%zu", i ? ", " : "", shape[i]);
  printf ("]  %s\n", es_model_get_input_media (model));
  printf ("Labels (%zu): ", es_model_get_n_labels (model));
  print_field ("", labels->str);
  printf ("Parameters:  %zu trainable\n", es_net_count_trainable (es_model_get_net (model)));
  print_field ("Front-end:   ", frontend);
  {
    /* a learned front-end is split between two elements */
    EsNet *net = es_model_get_net (model);
    guint k = es_model_get_frontend_desc (model)->frontend_layers;
    size_t in[4];
    int n;

    if (k > 0 && k < es_net_get_n_layers (net)
        && (n = es_net_get_layer_input_shape (net, k, in)) > 0) {
      printf ("Served:      layers 0-%u (", k - 1);
      for (guint i = 0; i < k; i++)
        printf ("%s%s", i ? ", " : "", es_net_get_layer_type (net, i));
      printf (") in gammatonefb model=; layers %u-%zu in cnnclassify model=, on windows [",
          k, es_net_get_n_layers (net) - 1);
      for (int i = 0; i < n; i++)
        printf ("%s%zu", i ? ", " : "", in[i]);
      printf ("]\n");
    }
  }
  printf ("Architecture:\n");
  lines = g_strsplit (describe, "\n", -1);
  for (char **l = lines; *l; l++)
    if (**l)
      printf ("  %s\n", *l);
  g_strfreev (lines);
  if (es_model_get_training (model))
    print_field ("Training:    ", es_model_get_training (model));
  {
    gboolean derived;
    char *launch = es_launch_line_for_model (model, &derived);
    printf ("Launch%s:\n  %s\n", derived ? " (derived from input and front-end)" : "", launch);
    g_free (launch);
  }

  g_string_free (labels, TRUE);
  g_free (frontend);
  g_free (describe);
}

static int
model_info (int argc, char **argv)
{
  gboolean json = FALSE;
  const char *target = NULL;
  EsModel *model;
  GError *error = NULL;

  for (int i = 1; i < argc; i++) {
    if (strcmp (argv[i], "--json") == 0)
      json = TRUE;
    else if (strcmp (argv[i], "--help") == 0 || strcmp (argv[i], "-h") == 0) {
      model_usage (stdout);
      return 0;
    } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
      fprintf (stderr, "earshot model info: unknown option '%s'\n\n", argv[i]);
      model_usage (stderr);
      return 2;
    } else if (target) {
      fprintf (stderr, "earshot model info: one model at a time ('%s' and '%s')\n",
          target, argv[i]);
      return 2;
    } else
      target = argv[i];
  }
  if (!target) {
    fprintf (stderr, "earshot model info: which model? Give a FILE or a NAME.\n\n");
    model_usage (stderr);
    return 2;
  }

  model = es_model_load (target, &error);
  if (!model) {
    fprintf (stderr, "earshot model info: %s\n", error->message);
    g_error_free (error);
    return 1;
  }
  if (json)
    print_json (model);
  else
    print_text (model);
  es_model_free (model);
  return 0;
}

int
es_cmd_model (int argc, char **argv)
{
  if (argc < 2) {
    model_usage (stderr);
    return 2;
  }
  if (strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0
      || strcmp (argv[1], "help") == 0) {
    model_usage (stdout);
    return 0;
  }
  if (strcmp (argv[1], "info") == 0)
    return model_info (argc - 1, argv + 1);
  fprintf (stderr, "earshot model: unknown subcommand '%s'\n\n", argv[1]);
  model_usage (stderr);
  return 2;
}
