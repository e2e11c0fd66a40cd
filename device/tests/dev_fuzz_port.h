/*
 * dev_fuzz_port.h: an in-memory port for the device layer's fuzz targets.
 * FOR FUZZING ONLY: its "AEAD" copies bytes and its Ed25519 verify accepts
 * every signature, so that the fuzzer reaches the decoders behind them.
 */
#ifndef CUSTOS_DEV_FUZZ_PORT_H
#define CUSTOS_DEV_FUZZ_PORT_H

#include "custos_dev.h"

typedef struct dev_fuzz_port {
    custos_dev_port port;
    uint8_t flash[2 * CUSTOS_DEV_SLOT_SIZE];
} dev_fuzz_port;

/* Erased flash, clock at 1,700,000,000, signing enabled (zero signatures). */
void dev_fuzz_port_init(dev_fuzz_port *p);

#endif
