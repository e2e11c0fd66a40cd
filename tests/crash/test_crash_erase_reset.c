/* A power cut at every I/O point of a factory reset (see crash_erase.h). */
#define CRASH_ERASE_SCOPE 3
#include "crash_erase.h"
