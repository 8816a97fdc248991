/* frcurve: to be written. */
