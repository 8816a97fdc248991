/* framer: to be written. */
