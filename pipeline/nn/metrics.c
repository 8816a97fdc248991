/* metrics: to be written. */
