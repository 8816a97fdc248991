/* Classification metrics. */
#include "train/metrics.h"
#include "io/text.h"

#include <json-glib/json-glib.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

int
es_argmax (const float *row, int n)
{
  int best = 0;
  for (int j = 1; j < n; j++)
    if (row[j] > row[best])
      best = j;
  return best;
}

static EsMetrics *
metrics_new (int n_classes, size_t n)
{
  EsMetrics *m = g_new0 (EsMetrics, 1);
  m->n_classes = n_classes;
  m->n = n;
  m->confusion = g_new0 (size_t, (size_t) n_classes * n_classes);
  m->precision = g_new0 (double, n_classes);
  m->recall = g_new0 (double, n_classes);
  m->f1 = g_new0 (double, n_classes);
  m->support = g_new0 (size_t, n_classes);
  m->loss = NAN;
  return m;
}

/* Everything that follows from the confusion matrix. */
static void
metrics_finish (EsMetrics *m)
{
  int k = m->n_classes, present = 0;
  size_t correct = 0;
  double f1_sum = 0.0;

  for (int t = 0; t < k; t++) {
    size_t tp = m->confusion[(size_t) t * k + t], predicted = 0, actual = 0;
    for (int j = 0; j < k; j++) {
      predicted += m->confusion[(size_t) j * k + t];
      actual += m->confusion[(size_t) t * k + j];
    }
    correct += tp;
    m->support[t] = actual;
    m->precision[t] = predicted ? (double) tp / predicted : 0.0;
    m->recall[t] = actual ? (double) tp / actual : 0.0;
    m->f1[t] = m->precision[t] + m->recall[t] > 0.0
        ? 2.0 * m->precision[t] * m->recall[t] / (m->precision[t] + m->recall[t]) : 0.0;
    if (predicted || actual) {
      present++;
      f1_sum += m->f1[t];
    }
  }
  m->accuracy = m->n ? (double) correct / m->n : 0.0;
  m->macro_f1 = present ? f1_sum / present : 0.0;
}

EsMetrics *
es_metrics_compute (const float *scores, const int *labels, size_t n, int n_classes)
{
  EsMetrics *m;
  double ap_sum = 0.0;

  g_return_val_if_fail (n_classes > 0, NULL);
  for (size_t i = 0; i < n; i++)
    g_return_val_if_fail (labels[i] >= 0 && labels[i] < n_classes, NULL);

  m = metrics_new (n_classes, n);
  for (size_t i = 0; i < n; i++) {
    const float *row = scores + i * n_classes;
    int y = labels[i], rank = 1;
    m->confusion[(size_t) y * n_classes + es_argmax (row, n_classes)]++;
    for (int j = 0; j < n_classes; j++)
      if (row[j] > row[y] || (row[j] == row[y] && j < y))
        rank++;
    if (rank <= 3)
      ap_sum += 1.0 / rank;
  }
  m->map3 = n ? ap_sum / n : 0.0;
  metrics_finish (m);
  return m;
}

EsMetrics *
es_metrics_compute_predicted (const int *predicted, const int *labels, size_t n,
    int n_classes)
{
  EsMetrics *m;
  size_t hits = 0;

  g_return_val_if_fail (n_classes > 0, NULL);
  for (size_t i = 0; i < n; i++)
    g_return_val_if_fail (labels[i] >= 0 && labels[i] < n_classes
        && predicted[i] >= 0 && predicted[i] < n_classes, NULL);
  m = metrics_new (n_classes, n);
  for (size_t i = 0; i < n; i++) {
    m->confusion[(size_t) labels[i] * n_classes + predicted[i]]++;
    hits += predicted[i] == labels[i];
  }
  m->map3 = n ? (double) hits / n : 0.0;
  metrics_finish (m);
  return m;
}

void
es_metrics_free (EsMetrics *m)
{
  if (!m)
    return;
  g_free (m->confusion);
  g_free (m->precision);
  g_free (m->recall);
  g_free (m->f1);
  g_free (m->support);
  g_free (m);
}

char *
es_metrics_format_confusion (const EsMetrics *m, const char *const *names, gboolean markdown)
{
  GString *s = g_string_new (NULL);
  int k = m->n_classes, width = 6;
  char buf[32];

  for (int c = 0; c < k; c++) {
    int len = names ? (int) strlen (names[c]) : snprintf (buf, sizeof buf, "%d", c);
    width = MAX (width, len);
  }
  for (size_t i = 0; i < (size_t) k * k; i++) {
    int len = snprintf (buf, sizeof buf, "%zu", m->confusion[i]);
    width = MAX (width, len);
  }

#define NAME(c) (names ? names[c] : (snprintf (buf, sizeof buf, "%d", (c)), buf))
  if (markdown) {
    g_string_append (s, "| true \\ predicted |");
    for (int c = 0; c < k; c++)
      g_string_append_printf (s, " %s |", NAME (c));
    g_string_append (s, "\n|---|");
    for (int c = 0; c < k; c++)
      g_string_append (s, "---:|");
    g_string_append_c (s, '\n');
    for (int t = 0; t < k; t++) {
      g_string_append_printf (s, "| **%s** |", NAME (t));
      for (int p = 0; p < k; p++)
        g_string_append_printf (s, " %zu |", m->confusion[(size_t) t * k + p]);
      g_string_append_c (s, '\n');
    }
  } else {
    g_string_append_printf (s, "%-*s", width + 2, "true\\pred");
    for (int c = 0; c < k; c++)
      g_string_append_printf (s, " %*s", width, NAME (c));
    g_string_append_c (s, '\n');
    for (int t = 0; t < k; t++) {
      g_string_append_printf (s, "%-*s", width + 2, NAME (t));
      for (int p = 0; p < k; p++)
        g_string_append_printf (s, " %*zu", width, m->confusion[(size_t) t * k + p]);
      g_string_append_c (s, '\n');
    }
  }
#undef NAME
  return g_string_free (s, FALSE);
}

void
es_mean_std (const double *values, size_t n, double *mean, double *std)
{
  double sum = 0.0, ss = 0.0;
  for (size_t i = 0; i < n; i++)
    sum += values[i];
  *mean = n ? sum / n : NAN;
  for (size_t i = 0; i < n; i++)
    ss += (values[i] - *mean) * (values[i] - *mean);
  *std = n > 1 ? sqrt (ss / (n - 1)) : 0.0;
}

char *
es_metrics_to_json (const EsMetrics *m)
{
  JsonBuilder *b = json_builder_new ();
  JsonGenerator *g = json_generator_new ();
  JsonNode *root;
  char *text;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "n");
  json_builder_add_int_value (b, m->n);
  json_builder_set_member_name (b, "accuracy");
  json_builder_add_double_value (b, m->accuracy);
  json_builder_set_member_name (b, "macro_f1");
  json_builder_add_double_value (b, m->macro_f1);
  json_builder_set_member_name (b, "map3");
  json_builder_add_double_value (b, m->map3);
  if (!isnan (m->loss)) {
    json_builder_set_member_name (b, "loss");
    json_builder_add_double_value (b, m->loss);
  }
  json_builder_set_member_name (b, "confusion");
  json_builder_begin_array (b);
  for (int t = 0; t < m->n_classes; t++) {
    json_builder_begin_array (b);
    for (int p = 0; p < m->n_classes; p++)
      json_builder_add_int_value (b, m->confusion[(size_t) t * m->n_classes + p]);
    json_builder_end_array (b);
  }
  json_builder_end_array (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (g, root);
  text = es_text_json_repair_numbers (json_generator_to_data (g, NULL));
  json_node_unref (root);
  g_object_unref (g);
  g_object_unref (b);
  return text;
}
