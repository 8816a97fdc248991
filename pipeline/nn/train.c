/* train: to be written. */
