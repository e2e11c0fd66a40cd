/* A build-time tool against an installed Custos: it links the tooling
 * library (libcustos-tools), which brings the runtime. */
#include <custos/custos.h>
#include <stdio.h>
#include <string.h>

int main(void)
{
    static const char yaml[] = "format: [";
    custos_manifest_error err;
    int rc = custos_manifest_check(yaml, sizeof yaml - 1, "broken.yaml", &err);
    if (rc == CUSTOS_OK || strstr(err.message, "broken.yaml") == NULL ||
        strcmp(custos_version(), CUSTOS_EXPECTED_VERSION) != 0) {
        fprintf(stderr, "unexpected: rc=%d message=%s version=%s\n", rc, err.message, custos_version());
        return 1;
    }
    printf("tools consumer ok: custos %s refuses broken.yaml: %s\n", custos_version(), err.message);
    return 0;
}
