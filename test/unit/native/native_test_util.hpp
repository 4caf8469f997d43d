// SPDX-License-Identifier: Apache-2.0
// Helpers for the native API tests: temporary configuration files, contexts, one-shot sessions.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "acrypto/acrypto.h"

namespace acrypto::test {

/// A configuration file with `text`, removed at scope exit.
class TempConfig {
  public:
    explicit TempConfig(const std::string &text) {
        char tmpl[] = "/tmp/acrypto-native-XXXXXX";
        int fd = mkstemp(tmpl);
        path_ = tmpl;
        if (fd >= 0) {
            ssize_t w = write(fd, text.data(), text.size());
            (void)w;
            close(fd);
        }
    }
    ~TempConfig() { unlink(path_.c_str()); }
    const char *path() const { return path_.c_str(); }

  private:
    std::string path_;
};

/// Session parameters for a cipher step.
inline acrypto_session_params cipher_params(const acrypto_key_handle *k, uint32_t mode,
                                            uint32_t dir, const uint8_t *iv, size_t iv_len,
                                            const uint8_t *in, size_t len, uint8_t *out) {
    acrypto_session_params p{};
    p.struct_size = sizeof(p);
    p.op = ACRYPTO_OP_CIPHER;
    p.alg = ACRYPTO_ALG_AES;
    p.mode = mode;
    p.dir = dir;
    p.priority = 3;
    p.key = k;
    p.iv = iv;
    p.iv_len = iv_len;
    p.in = in;
    p.in_len = len;
    p.out = out;
    p.out_len = len;
    return p;
}

} // namespace acrypto::test
