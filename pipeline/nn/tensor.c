/* tensor: to be written. */
