/* gammatone: to be written. */
