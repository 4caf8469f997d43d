// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: the evp_test known-answer file parser (stanzas, quoted values, PEM, hex).
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "vector_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    std::string text(reinterpret_cast<const char *>(data), size);
    std::string err;
    auto stanzas = acrypto::test::parse_vectors(text, "fuzz", &err);
    for (const auto &st : stanzas) {
        (void)st.type();
        (void)st.type_value();
        (void)st.where();
        for (const auto &kv : st.kv) {
            try {
                (void)st.bytes(kv.first);
                (void)st.repeated(kv.first);
            } catch (const std::invalid_argument &) {
                // Bad hex is reported by throwing: an expected outcome.
            } catch (const std::out_of_range &) {
                // An Ncopy count out of range: expected as well.
            }
        }
    }
    return 0;
}
