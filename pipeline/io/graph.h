/* graph: to be written. */
#ifndef ES_IO_GRAPH_H
#define ES_IO_GRAPH_H
#endif
