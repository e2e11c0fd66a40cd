/*
 * pack.h: little-endian integers in the project's file formats (STORE, the
 * key files, the erase journal, the compiled-manifest frame, the audit and
 * vault headers). One copy, inline, so that it adds no global symbol.
 */
#ifndef CUSTOS_PACK_H
#define CUSTOS_PACK_H

#include <stdint.h>

static inline void custos__le32_put(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static inline void custos__le64_put(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static inline uint32_t custos__le32_get(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t custos__le64_get(const uint8_t *p)
{
    return (uint64_t)custos__le32_get(p) | (uint64_t)custos__le32_get(p + 4) << 32;
}

#endif
