// A main() for the fuzz targets when they are not built with libFuzzer
// (the g++ builds, CI's sanitized one among them): runs the target once on
// every file named, or in a directory named, so the seed corpora and every
// crash ever found (tests/fuzz/<target>/) replay as a regression test under
// ASan + UBSan. With clang and -fsanitize=fuzzer (tests/fuzz/run_fuzzers.sh)
// libFuzzer's own main is used instead.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

int Replay(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "cannot read %s\n", file.c_str());
    return 1;
  }
  const std::string bytes((std::istreambuf_iterator<char>(in)),
                          std::istreambuf_iterator<char>());
  LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes.data()),
                         bytes.size());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  int inputs = 0;
  for (int i = 1; i < argc; ++i) {
    const std::filesystem::path path(argv[i]);
    std::vector<std::filesystem::path> files;
    if (std::filesystem::is_directory(path)) {
      for (const auto& entry : std::filesystem::directory_iterator(path))
        if (entry.is_regular_file()) files.push_back(entry.path());
    } else {
      files.push_back(path);
    }
    for (const auto& file : files) {
      if (Replay(file) != 0) return 1;
      ++inputs;
    }
  }
  std::printf("replayed %d inputs without a crash\n", inputs);
  return inputs > 0 ? 0 : 1;  // no input at all is a broken test
}
