/* A power cut at every I/O point of a subject erase (see crash_erase.h). */
#define CRASH_ERASE_SCOPE 1
#include "crash_erase.h"
