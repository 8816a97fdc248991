/* fft: to be written. */
