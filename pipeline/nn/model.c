/* model: to be written. */
