/* test_gate_race.c with one hazard slot: the second reader checks under
 * the gate's overflow mutex. */
#define GATE_RACE_SLOTS 1
#include "test_gate_race.c"
