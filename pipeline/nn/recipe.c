/* recipe: to be written. */
