/* SPDX-License-Identifier: Apache-2.0 */
/* acrypto.h compiles as C (self-contained, with the plugin ABI headers it includes). */
#include "acrypto/acrypto.h"

/** Called from the C++ tests: the API version as a C caller sees it. */
unsigned acrypto_test_c_api_version(void);

unsigned acrypto_test_c_api_version(void) {
    struct acrypto_session_params p = {.struct_size = sizeof(struct acrypto_session_params)};
    struct acrypto_device_info d = {.ncaps = 0};
    struct acrypto_stat_entry st = {.value = 0};
    (void)p;
    (void)d;
    (void)st;
    return acrypto_api_version() == ACRYPTO_API_VERSION ? ACRYPTO_API_VERSION : 0u;
}
