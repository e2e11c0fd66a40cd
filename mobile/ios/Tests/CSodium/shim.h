/* libsodium for the Swift tests only: the in-memory test key provider wraps
 * and signs with it, as Swift on Linux has no CryptoKit. The Custos library
 * itself does not depend on this module. */
#ifndef CSODIUM_SHIM_H
#define CSODIUM_SHIM_H
#include <sodium.h>
#endif
