// SPDX-License-Identifier: Apache-2.0
// Sequential reader of a fuzz input, shared by the libFuzzer targets and their replay builds.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace acrypto::fuzz {

/// Reads the fuzz input front to back; zeros once exhausted.
struct Input {
    const uint8_t *p;
    size_t n;
    /// The next `bytes` bytes (at most 4), big-endian.
    uint32_t take(size_t bytes) {
        uint32_t v = 0;
        for (size_t i = 0; i < bytes; ++i) {
            v = v << 8 | (n > 0 ? *p : 0u);
            if (n > 0) {
                ++p;
                --n;
            }
        }
        return v;
    }
    /// A NUL-terminated string of up to 31 fuzzed bytes (may be empty).
    std::string text() {
        std::string s;
        const uint32_t len = take(1) % 32;
        for (uint32_t i = 0; i < len; ++i) {
            const char c = static_cast<char>(take(1));
            if (c == '\0') break;
            s.push_back(c);
        }
        return s;
    }
};

} // namespace acrypto::fuzz
