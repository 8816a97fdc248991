/* schedule: to be written. */
