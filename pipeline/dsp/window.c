/* window: to be written. */
