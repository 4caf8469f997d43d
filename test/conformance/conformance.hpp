// SPDX-License-Identifier: Apache-2.0
// Device conformance suite: device descriptions (.conf), the fixture, capability matching.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "device_harness.hpp"
#include "reference.hpp"
#include "session_builder.hpp"
#include "vector_file.hpp"

namespace acrypto::test::conformance {

/**
 * One device under test, from test/conformance/devices/<name>.conf:
 *   plugin = acrypto-dev-<driver>.so     (looked up in the plugin output folder)
 *   driver = <driver>
 *   <key> = <value>                      (the driver's own configuration)
 *   conformance.max-bytes = <n>          (optional: largest differential input, default 1 MiB)
 *   conformance.burst = <n>              (optional: sessions per burst test, default 256)
 *   conformance.index = <n>              (optional: instance to open, default 0)
 */
struct DeviceConf {
    std::string name;   ///< file stem
    std::string file;   ///< path of the .conf
    std::string plugin; ///< full path of the .so
    std::string driver;
    KvList cfg;
    size_t max_bytes = size_t{1} << 20;
    uint32_t burst = 256;
    uint32_t index = 0;
    std::string error; ///< parse error (the test fails with it)
};

/// Every *.conf in the devices folder, sorted by name.
std::vector<DeviceConf> load_device_confs();
/// Prints a parameter as its name (not its bytes).
void PrintTo(const DeviceConf &c, std::ostream *os);
/// Parse one .conf file.
DeviceConf parse_device_conf(const std::string &path);

/// Known-answer stanzas of every vector file (test/vectors, recursively).
const std::vector<Stanza> &all_vectors();

/// What a cipher name in a vector file means.
struct CipherSpec {
    uint32_t alg = 0;
    uint32_t mode = 0;
    bool aead = false;
    bool two_key = false; ///< DES-EDE (16-byte K1|K2): run as DES_EDE3 with K1|K2|K1
};
/// The key a step carries for `spec` (two-key TDEA expanded to K1|K2|K1).
Bytes step_key(const CipherSpec &spec, const Bytes &key);
/// "AES-128-CBC", "DES-EDE3", "ChaCha20-Poly1305"... nullopt if unknown.
std::optional<CipherSpec> parse_cipher_name(const std::string &name);
/// "SHA256", "SHA-256", "sha1"... 0 if unknown.
uint32_t parse_digest_name(const std::string &name);

/// Whether `cap` covers a step (op, alg, mode, dir, key bytes, input bytes).
bool cap_matches(const acrypto_capability &cap, uint32_t op, uint32_t alg, uint32_t mode,
                 uint32_t dir, size_t key_len, size_t input_len);
/// Every key length (bytes) a capability allows, capped at `limit` entries.
std::vector<size_t> cap_key_sizes(const acrypto_capability &cap, size_t limit = 64);
/// Human-readable name of a capability ("cipher AES/CBC enc+dec key 16..32").
std::string cap_name(const acrypto_capability &cap);

/// The fixture: opens the device described by the parameter (skips if its plugin was not built).
class DeviceConformance : public ::testing::TestWithParam<DeviceConf> {
  protected:
    void SetUp() override;
    void TearDown() override;

    DeviceHarness &dev() { return *h_; }
    const acrypto_device_desc &desc() { return h_->desc(); }
    /// First declared capability covering the step, or nullptr.
    const acrypto_capability *find_cap(uint32_t op, uint32_t alg, uint32_t mode, uint32_t dir,
                                       size_t key_len, size_t input_len) const;
    /// Declared capabilities with this op (and alg/mode when nonzero).
    std::vector<const acrypto_capability *> caps_of(uint32_t op, uint32_t alg = 0,
                                                    uint32_t mode = 0) const;
    /// Run one session through the queue (10 s bound); expects exactly one completion.
    int run(OwnedSession &s);
    /// Largest input the suite feeds this device for one step of `cap`.
    size_t max_bytes(const acrypto_capability &cap) const;

    std::unique_ptr<DeviceHarness> h_;
};

/// Names a parameter in test output (the .conf stem, sanitized).
std::string conf_test_name(const ::testing::TestParamInfo<DeviceConf> &info);

} // namespace acrypto::test::conformance
