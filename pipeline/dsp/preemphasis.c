/* preemphasis: to be written. */
