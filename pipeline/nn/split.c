/* split: to be written. */
