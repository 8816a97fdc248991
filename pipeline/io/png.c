/* png: to be written. */
