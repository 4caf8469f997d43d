// SPDX-License-Identifier: Apache-2.0
// No-op dlclose preloaded under LeakSanitizer, so modules stay mapped and leak stacks keep symbols.
int dlclose(void *handle) {
    (void)handle;
    return 0;
}
