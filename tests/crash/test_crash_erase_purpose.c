/* A power cut at every I/O point of a purpose erase (see crash_erase.h). */
#define CRASH_ERASE_SCOPE 2
#include "crash_erase.h"
