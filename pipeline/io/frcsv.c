/* frcsv: to be written. */
