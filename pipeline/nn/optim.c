/* optim: to be written. */
