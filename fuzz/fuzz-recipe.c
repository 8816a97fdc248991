/* libFuzzer target for the training-recipe parser (see fuzz/README.md):
 * es_recipe_load_from_data, then what `earshot train` derives from a recipe
 * before it loads any data (the training configuration, the architecture for
 * a class count, the input shape).
 *
 * Every input must either load or fail with an ES_TRAIN_ERROR and a message;
 * a recipe that loads must have its required fields. Relative paths resolve
 * against a folder that does not exist, so no data is ever read. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>

#include "train/recipe.h"
#include "train/dataset.h"
#include "train/train.h"

int LLVMFuzzerTestOneInput (const uint8_t * data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  char *text = g_strndup ((const char *) data, size);     /* stops at a NUL */
  GError *error = NULL;
  EsRecipe *r = es_recipe_load_from_data (text, "/nonexistent-fuzz/fuzz.recipe", &error);
  EsTrainConfig config;
  size_t shape[8];
  char *arch;
  static const char *const names[] = { "a", "b", NULL };
  EsDataset *flat, *image;

  g_free (text);
  if (r == NULL) {
    if (error == NULL || error->domain != ES_TRAIN_ERROR || error->message[0] == '\0')
      abort ();
    g_error_free (error);
    return 0;
  }
  if (error != NULL || r->name == NULL || r->architecture == NULL || r->data_path == NULL
      || r->output_dir == NULL || r->text == NULL)
    abort ();
  es_train_config_from_recipe (&config, r);
  /* a data set of 128 values without geometry (a table or a measurement) and
   * one of the same size as a 1 x 16 x 8 image */
  flat = es_dataset_new (1, 128, names);
  image = es_dataset_new (1, 128, names);
  image->ndim = 3;
  image->shape[0] = 1;
  image->shape[1] = 16;
  image->shape[2] = 8;
  for (int n_classes = 2; n_classes <= 5; n_classes += 3) {
    arch = es_recipe_architecture_for (r, n_classes);
    if (arch == NULL)
      abort ();
    for (int k = 0; k < 2; k++) {
      if (es_recipe_input_shape (r, arch, k ? image : flat, shape, &error) == 0) {
        if (error == NULL || error->message[0] == '\0')
          abort ();
        g_clear_error (&error);
      }
    }
    g_free (arch);
  }
  es_dataset_free (flat);
  es_dataset_free (image);
  es_recipe_free (r);
  return 0;
}
