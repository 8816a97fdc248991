/* Classification metrics: accuracy, per-class precision/recall/F1, macro-F1,
 * MAP@3 and the confusion matrix, computed from per-class scores.
 *
 * Definitions follow scikit-learn: precision of a class never predicted and
 * F1 of a class with precision + recall = 0 are 0; macro-F1 averages over the
 * classes present in the true labels or the predictions. MAP@3 is the mean
 * over samples of 1/rank of the true class when it is among the three highest
 * scores, else 0 (the Kaggle / seed-paper definition). Score ties rank the
 * lower class index first, as a stable sort does (numpy argmax agrees). */
#ifndef ES_TRAIN_METRICS_H
#define ES_TRAIN_METRICS_H

#include <stddef.h>
#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  int n_classes;
  size_t n;                 /* samples */
  size_t *confusion;        /* n_classes x n_classes, [true][predicted] */
  double *precision, *recall, *f1;   /* per class */
  size_t *support;          /* true samples per class */
  double accuracy;
  double macro_f1;
  double map3;
  double loss;              /* mean loss if the caller set it, else NaN */
} EsMetrics;

/* @scores: n x n_classes (logits or probabilities: only their order counts).
 * @labels: n true classes in [0, n_classes); labels outside are a programming
 * error and return NULL. */
EsMetrics *es_metrics_compute (const float *scores, const int *labels, size_t n,
    int n_classes);
/* From predicted classes only (MAP@3 then counts a correct top-1 as 1, else 0). */
EsMetrics *es_metrics_compute_predicted (const int *predicted, const int *labels,
    size_t n, int n_classes);
void es_metrics_free (EsMetrics *metrics);

/* Row-wise argmax (first maximum). */
int es_argmax (const float *row, int n);

/* Confusion matrix as a text table with class names (rows = true class),
 * newly allocated. @markdown selects a Markdown table. */
char *es_metrics_format_confusion (const EsMetrics *metrics, const char *const *class_names,
    gboolean markdown);

/* The metrics as one JSON object: {"n", "accuracy", "macro_f1", "map3",
 * ["loss",] "confusion": [[...]]}. Newly allocated. */
char *es_metrics_to_json (const EsMetrics *metrics);

/* Mean and sample standard deviation (n - 1; 0 for one value) of n values. */
void es_mean_std (const double *values, size_t n, double *mean, double *std);

G_END_DECLS

#endif
