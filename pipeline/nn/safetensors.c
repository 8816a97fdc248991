/* safetensors: to be written. */
