/* SPDX-License-Identifier: Apache-2.0 */
/* Compiles every ABI header as C (each one first, so each is self-contained) and checks layouts. */
#include "acrypto/balancer.h"
#include "acrypto/device.h"
#include "acrypto/session.h"

#include <stdio.h>

int main(void) {
    int failed = 0;
    struct acrypto_session s = {0};
    struct acrypto_step st = {0};
    s.steps = &st;
    s.nsteps = 1;
    st.op = ACRYPTO_OP_CIPHER;
    if (sizeof(st.iv) != ACRYPTO_MAX_IV) failed++;
    if (sizeof(st.state) != ACRYPTO_MAX_STATE) failed++;
    if (ACRYPTO_ABI_VERSION != 1u || s.steps[0].op != ACRYPTO_OP_CIPHER) failed++;
    if (ACRYPTO_PRIO_MAX != 7u) failed++;
    if (sizeof(struct acrypto_device_driver) < 10 * sizeof(void *)) failed++;
    printf("%d passed, %d failed\n", 5 - failed, failed);
    return failed != 0;
}
