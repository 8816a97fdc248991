/* nn-bench: speed of the earshot CNN engine on the reference networks.
 *
 *   nn-bench NETS.json [--threads N] [--epoch-examples N] [--min-time S] [NAME...]
 *
 * For each network (from NETS.json: {"name": {"input": [...], "classes": K,
 * "arch": [...]}}) prints one line of key=value pairs:
 *   latency_ms   median time of one batch-1 inference forward
 *   throughput   examples per second of batch-64 inference forwards
 *   epoch_s      one training epoch: epoch-examples examples (default 1024) in
 *                batches of 32, forward + cross-entropy + backward + Adam step
 *   gflops_b1, gflops_b64  achieved forward GFLOP/s; flops = forward FLOPs per
 *                example (multiply and add counted separately)
 * bench/nn/run.sh runs this and the same networks in PyTorch, and prints ratios. */
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nn/net.h"
#include "nn/loss.h"
#include "nn/optim.h"

/* With one thread, process CPU time: the figures then hold on a busy machine
 * (a shared CI box) too. With more threads, wall-clock time. */
static gboolean use_cpu_time = TRUE;

static double
now (void)
{
  struct timespec ts;
  if (!use_cpu_time)
    return g_get_monotonic_time () / 1e6;
  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int
compare_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

static void
fill (float *x, size_t n, guint32 seed)
{
  guint32 s = seed * 2654435761u + 1;
  for (size_t i = 0; i < n; i++) {
    s = s * 1664525u + 1013904223u;
    x[i] = (float) ((s >> 8) * (1.0 / 16777216.0) * 2.0 - 1.0);
  }
}

static void
bench_net (const char *name, JsonObject *spec, size_t epoch_examples, double min_time)
{
  JsonArray *in = json_object_get_array_member (spec, "input");
  const size_t classes = json_object_get_int_member (spec, "classes");
  char *arch = json_to_string (json_object_get_member (spec, "arch"), FALSE);
  size_t shape[3], n_in, n_params;
  int ndim = json_array_get_length (in);
  GError *error = NULL;
  EsNet *net;
  EsOptimizer *opt;
  float *x, *grad;
  int *labels;
  double flops, t0, latency, throughput, epoch;
  double times[2001];
  int reps;
  size_t done;
  const size_t big = 64, train_batch = 32;

  for (int i = 0; i < ndim; i++)
    shape[i] = json_array_get_int_element (in, i);
  net = es_net_new (arch, ndim, shape, &error);
  if (!net) {
    fprintf (stderr, "%s: %s\n", name, error->message);
    exit (1);
  }
  n_in = es_net_get_input_size (net);
  flops = es_net_forward_flops (net);
  x = g_new (float, MAX (big, epoch_examples) * n_in);
  fill (x, MAX (big, epoch_examples) * n_in, 1);
  labels = g_new (int, epoch_examples);
  for (size_t i = 0; i < epoch_examples; i++)
    labels[i] = (int) (i % classes);
  grad = g_new (float, train_batch * classes);
  es_net_init_weights (net, 1);

  /* Batch-1 latency: median over repetitions after a warm-up. */
  es_net_set_training (net, FALSE);
  for (int i = 0; i < 3; i++)
    es_net_forward (net, x, 1);
  t0 = now ();
  for (reps = 0; reps < 2001 && (reps < 5 || now () - t0 < min_time); reps++) {
    double t = now ();
    es_net_forward (net, x, 1);
    times[reps] = now () - t;
  }
  qsort (times, reps, sizeof (double), compare_double);
  latency = times[reps / 2];

  /* Batch-64 throughput. */
  es_net_forward (net, x, big);
  t0 = now ();
  done = 0;
  do {
    es_net_forward (net, x, big);
    done += big;
  } while (now () - t0 < min_time || done < 3 * big);
  throughput = done / (now () - t0);

  /* One training epoch (after one warm-up batch that sizes the buffers). */
  es_net_set_training (net, TRUE);
  es_net_set_need_input_grad (net, FALSE);
  {
    EsNetParam *params = es_net_get_params (net, &n_params);
    opt = es_optimizer_new_adam (params, n_params, 1e-3, 0.9, 0.999, 1e-8, 0.0, FALSE);
  }
  es_net_forward (net, x, train_batch);
  t0 = now ();
  for (size_t b0 = 0; b0 + train_batch <= epoch_examples; b0 += train_batch) {
    const float *logits = es_net_forward (net, x + b0 * n_in, train_batch);
    es_cross_entropy (logits, labels + b0, train_batch, classes, NULL, grad);
    es_net_zero_grad (net);
    es_net_backward (net, grad);
    es_optimizer_step (opt);
  }
  epoch = now () - t0;

  printf ("engine=earshot net=%s threads=%d params=%zu flops=%.0f latency_ms=%.4f "
      "throughput=%.1f epoch_examples=%zu epoch_s=%.3f gflops_b1=%.2f gflops_b64=%.2f\n",
      name, es_nn_get_threads (), es_net_count_trainable (net), flops, latency * 1e3,
      throughput, epoch_examples, epoch, flops / latency / 1e9, flops * throughput / 1e9);
  fflush (stdout);

  es_optimizer_free (opt);
  g_free (x);
  g_free (grad);
  g_free (labels);
  g_free (arch);
  es_net_free (net);
}

int
main (int argc, char **argv)
{
  int threads = 1;
  size_t epoch_examples = 1024;
  double min_time = 1.0;
  const char *path = NULL;
  GPtrArray *names = g_ptr_array_new ();
  JsonParser *parser;
  JsonObject *nets;
  GError *error = NULL;

  for (int i = 1; i < argc; i++) {
    if (g_str_equal (argv[i], "--threads") && i + 1 < argc)
      threads = atoi (argv[++i]);
    else if (g_str_equal (argv[i], "--epoch-examples") && i + 1 < argc)
      epoch_examples = strtoul (argv[++i], NULL, 10);
    else if (g_str_equal (argv[i], "--min-time") && i + 1 < argc)
      min_time = g_ascii_strtod (argv[++i], NULL);
    else if (path == NULL)
      path = argv[i];
    else
      g_ptr_array_add (names, argv[i]);
  }
  if (path == NULL || epoch_examples < 32) {
    fprintf (stderr, "usage: nn-bench NETS.json [--threads N] [--epoch-examples N>=32] "
        "[--min-time S] [NAME...]\n");
    return 2;
  }
  es_nn_set_threads (threads);
  use_cpu_time = threads == 1;
  parser = json_parser_new ();
  if (!json_parser_load_from_file (parser, path, &error)) {
    fprintf (stderr, "%s: %s\n", path, error->message);
    return 1;
  }
  nets = json_node_get_object (json_parser_get_root (parser));
  if (names->len == 0) {
    GList *members = json_object_get_members (nets);
    for (GList *m = members; m; m = m->next)
      g_ptr_array_add (names, m->data);
    g_list_free (members);
  }
  for (guint i = 0; i < names->len; i++) {
    const char *name = g_ptr_array_index (names, i);
    if (!json_object_has_member (nets, name)) {
      fprintf (stderr, "%s: no network \"%s\"\n", path, name);
      return 1;
    }
    bench_net (name, json_object_get_object_member (nets, name), epoch_examples, min_time);
  }
  g_ptr_array_free (names, TRUE);
  g_object_unref (parser);
  return 0;
}
