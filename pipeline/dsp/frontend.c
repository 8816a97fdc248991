/* frontend: to be written. */
