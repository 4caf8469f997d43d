// SPDX-License-Identifier: Apache-2.0
// Reader for known-answer files in OpenSSL's evp_test stanza format (test/vectors/*.txt).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "session_builder.hpp"

namespace acrypto::test {

/**
 * One stanza: consecutive `Key = Value` lines, ended by a blank line or end of
 * file; `#` starts a comment line. The first pair names the test type
 * (`Cipher = AES-128-CBC`, `Digest = SHA256`, `MAC = HMAC`). Values are hex,
 * or a "quoted string" taken literally (evp_test convention). A PEM block
 * (`-----BEGIN ...` through `-----END ...`) becomes the pair ("PEM", text).
 */
struct Stanza {
    std::string file;
    int line = 0; ///< line of the first pair
    std::vector<std::pair<std::string, std::string>> kv;

    std::string title; ///< value of a `Title` line inside the stanza, if any

    /// The test type: the first key that is not Title/Availablein/FIPSversion
    /// ("Cipher", "Digest", "MAC"), and its value. Empty for a title-only stanza.
    const std::string &type() const;
    const std::string &type_value() const;
    /// Value of the first pair with key `k` (case-insensitive), if any.
    std::optional<std::string> get(const std::string &k) const;
    bool has(const std::string &k) const { return get(k).has_value(); }
    /// Value as bytes: hex, or a quoted literal. Missing key -> empty.
    /// Throws std::invalid_argument on bad hex.
    Bytes bytes(const std::string &k) const;
    /// bytes(k) repeated as many times as the `Ncopy` key says (once without it).
    /// Throws std::out_of_range when the result would exceed 256 MiB.
    Bytes repeated(const std::string &k) const;
    /// "file:line" for messages.
    std::string where() const { return file + ":" + std::to_string(line); }
};

/// Parse a whole file. Empty vector with `*err` set when it cannot be read or is malformed.
std::vector<Stanza> read_vector_file(const std::string &path, std::string *err = nullptr);
/// Parse text (for tests of the parser itself).
std::vector<Stanza> parse_vectors(const std::string &text, const std::string &name,
                                  std::string *err = nullptr);

} // namespace acrypto::test
