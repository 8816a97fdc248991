/* loss: to be written. */
