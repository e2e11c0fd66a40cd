/* A program built against an installed Custos, as an integrator would. */
#include <custos/custos.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: consumer STORE_DIR\n");
        return 2;
    }
    custos_t *ctx = NULL;
    int rc = custos_open(&ctx, argv[1], NULL);
    if (rc != CUSTOS_OK) {
        fprintf(stderr, "open: %s: %s\n", custos_strerror(rc), custos_last_error());
        return 1;
    }
    uint8_t pk[32];
    rc = custos_device_public_key(ctx, pk);
    custos_close(ctx);
    if (rc != CUSTOS_OK || strcmp(custos_version(), CUSTOS_EXPECTED_VERSION) != 0) {
        fprintf(stderr, "unexpected: rc=%d version=%s\n", rc, custos_version());
        return 1;
    }
    printf("consumer ok: custos %s\n", custos_version());
    return 0;
}
