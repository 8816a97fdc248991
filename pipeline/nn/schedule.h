/* schedule: to be written. */
#ifndef ES_NN_SCHEDULE_H
#define ES_NN_SCHEDULE_H
#endif
