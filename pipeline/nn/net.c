/* net: to be written. */
