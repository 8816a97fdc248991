/* recipe: to be written. */
#ifndef ES_NN_RECIPE_H
#define ES_NN_RECIPE_H
#endif
