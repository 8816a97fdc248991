/* layers: to be written. */
