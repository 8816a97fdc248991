/* dct: to be written. */
