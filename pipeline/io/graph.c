/* graph: to be written. */
