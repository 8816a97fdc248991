/* BLAS on first use. Internal to libearshot (not installed).
 *
 * The network engine multiplies matrices through CBLAS, but most earshot
 * processes never run a network: the audio front-end elements, eqrender,
 * frsrc, the CLI's measurement and EQ commands. Linking OpenBLAS made every
 * one of them pay for loading it at start-up (a 30 MB library, its CPU
 * detection and thread pool: about 27 ms of CPU per process, a tenth of a
 * short gst-launch-1.0 run). So the library is opened with dlopen when the
 * first network is built (es_net_new), and these wrappers call it.
 *
 * The library's file name is fixed at configure time (meson option `blas`:
 * libopenblas.so.0 or the reference libblas.so.3); cblas.h is used only for
 * its types. */
#ifndef ES_NN_BLAS_H
#define ES_NN_BLAS_H

#include <glib.h>
#include <cblas.h>

G_BEGIN_DECLS

/* Opens the BLAS library once (thread-safe); FALSE with ES_NN_ERROR_BLAS if
 * it cannot be opened or lacks a function. Later calls return the first
 * outcome. */
gboolean es_blas_load (GError **error);

/* The CBLAS calls; es_blas_load must have succeeded. */
void es_blas_sgemm (enum CBLAS_ORDER order, enum CBLAS_TRANSPOSE trans_a,
    enum CBLAS_TRANSPOSE trans_b, int m, int n, int k, float alpha, const float *a, int lda,
    const float *b, int ldb, float beta, float *c, int ldc);
void es_blas_sgemv (enum CBLAS_ORDER order, enum CBLAS_TRANSPOSE trans, int m, int n,
    float alpha, const float *a, int lda, const float *x, int incx, float beta, float *y,
    int incy);

/* OpenBLAS's thread count: applied now if the library is open, else when it
 * opens. es_blas_get_threads: the library's count, or 0 when it is not open
 * or cannot tell (the reference BLAS has one thread). */
void es_blas_set_threads (int n_threads);
int es_blas_get_threads (void);

G_END_DECLS

#endif
