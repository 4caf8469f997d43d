// SPDX-License-Identifier: Apache-2.0
// A shared object without the plugin entry symbol, for the loader's refusal test.
extern "C" __attribute__((visibility("default"))) int acrypto_not_a_plugin(void) { return 1; }
