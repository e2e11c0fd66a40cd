/* test_gate_race.c with reader fences instead of the asymmetric barrier. */
#define GATE_RACE_FENCE 1
#include "test_gate_race.c"
