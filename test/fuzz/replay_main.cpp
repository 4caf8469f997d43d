// SPDX-License-Identifier: Apache-2.0
// Corpus replay driver: runs a fuzz target's LLVMFuzzerTestOneInput over every seed, without
// libFuzzer, so any compiler can build the targets and CI exercises them as plain tests.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

namespace {

int run_file(const std::filesystem::path &p) {
    std::ifstream f(p, std::ios::binary);
    if (!f) {
        std::fprintf(stderr, "replay: cannot read %s\n", p.c_str());
        return 1;
    }
    std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(f)),
                               std::istreambuf_iterator<char>());
    // A fresh heap copy of exactly the input, so ASan bounds it as libFuzzer does.
    auto *copy = new uint8_t[bytes.empty() ? 1 : bytes.size()];
    std::copy(bytes.begin(), bytes.end(), copy);
    LLVMFuzzerTestOneInput(copy, bytes.size());
    delete[] copy;
    return 0;
}

} // namespace

/// Usage: <target>_replay <file or folder>... ; fails when a folder holds no seed.
int main(int argc, char **argv) {
    size_t runs = 0;
    int bad = 0;
    for (int i = 1; i < argc; ++i) {
        std::filesystem::path arg(argv[i]);
        std::vector<std::filesystem::path> files;
        if (std::filesystem::is_directory(arg)) {
            for (const auto &e : std::filesystem::directory_iterator(arg))
                if (e.is_regular_file()) files.push_back(e.path());
            std::sort(files.begin(), files.end());
            if (files.empty()) {
                std::fprintf(stderr, "replay: no seed in %s\n", argv[i]);
                bad = 1;
            }
        } else {
            files.push_back(arg);
        }
        for (const auto &f : files) {
            bad |= run_file(f);
            ++runs;
        }
    }
    // An empty input is always part of the run: the targets must accept it.
    static const uint8_t none[1] = {0};
    LLVMFuzzerTestOneInput(none, 0);
    std::printf("replay: %zu inputs\n", runs + 1);
    return bad;
}
