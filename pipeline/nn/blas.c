/* BLAS opened on first use (see blas.h for why). */
#include "nn/blas.h"

#include <dlfcn.h>

#include "nn/net.h"

typedef void (*SgemmFunc) (enum CBLAS_ORDER, enum CBLAS_TRANSPOSE, enum CBLAS_TRANSPOSE,
    int, int, int, float, const float *, int, const float *, int, float, float *, int);
typedef void (*SgemvFunc) (enum CBLAS_ORDER, enum CBLAS_TRANSPOSE, int, int, float,
    const float *, int, const float *, int, float, float *, int);
typedef void (*SetThreadsFunc) (int);
typedef int (*GetThreadsFunc) (void);

static struct {
  SgemmFunc sgemm;
  SgemvFunc sgemv;
  SetThreadsFunc set_threads;   /* OpenBLAS only */
  GetThreadsFunc get_threads;
  char *failure;                /* why it could not be opened */
} blas;

static GMutex threads_lock;
static int threads_wanted;      /* 0 = the library's default */

static gpointer
open_blas (gpointer unused)
{
  void *handle = dlopen (ES_BLAS_LIBRARY, RTLD_NOW | RTLD_LOCAL);

  if (!handle) {
    blas.failure = g_strdup_printf ("cannot load the BLAS library %s: %s", ES_BLAS_LIBRARY,
        dlerror ());
    return NULL;
  }
  blas.sgemm = (SgemmFunc) dlsym (handle, "cblas_sgemm");
  blas.sgemv = (SgemvFunc) dlsym (handle, "cblas_sgemv");
  blas.set_threads = (SetThreadsFunc) dlsym (handle, "openblas_set_num_threads");
  blas.get_threads = (GetThreadsFunc) dlsym (handle, "openblas_get_num_threads");
  if (!blas.sgemm || !blas.sgemv) {
    blas.failure = g_strdup_printf ("the BLAS library %s has no CBLAS interface "
        "(cblas_sgemm, cblas_sgemv)", ES_BLAS_LIBRARY);
    blas.sgemm = NULL;
    blas.sgemv = NULL;
    return NULL;
  }
  /* the handle stays open for the life of the process */
  g_mutex_lock (&threads_lock);
  if (threads_wanted > 0 && blas.set_threads)
    blas.set_threads (threads_wanted);
  g_mutex_unlock (&threads_lock);
  return NULL;
}

gboolean
es_blas_load (GError **error)
{
  static GOnce once = G_ONCE_INIT;

  g_once (&once, open_blas, NULL);
  if (blas.failure) {
    g_set_error_literal (error, ES_NN_ERROR, ES_NN_ERROR_BLAS, blas.failure);
    return FALSE;
  }
  return TRUE;
}

void
es_blas_sgemm (enum CBLAS_ORDER order, enum CBLAS_TRANSPOSE trans_a,
    enum CBLAS_TRANSPOSE trans_b, int m, int n, int k, float alpha, const float *a, int lda,
    const float *b, int ldb, float beta, float *c, int ldc)
{
  g_assert (blas.sgemm != NULL);
  blas.sgemm (order, trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

void
es_blas_sgemv (enum CBLAS_ORDER order, enum CBLAS_TRANSPOSE trans, int m, int n,
    float alpha, const float *a, int lda, const float *x, int incx, float beta, float *y,
    int incy)
{
  g_assert (blas.sgemv != NULL);
  blas.sgemv (order, trans, m, n, alpha, a, lda, x, incx, beta, y, incy);
}

void
es_blas_set_threads (int n_threads)
{
  g_mutex_lock (&threads_lock);
  threads_wanted = n_threads;
  if (blas.set_threads)
    blas.set_threads (n_threads);
  g_mutex_unlock (&threads_lock);
}

int
es_blas_get_threads (void)
{
  return blas.get_threads ? blas.get_threads () : 0;
}
