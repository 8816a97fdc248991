/* plot: to be written. */
