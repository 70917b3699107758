// keel's side of the image benchmark: images::make_variants (the work keel-worker's variants
// job does per upload) on one JPEG, `count` times on `inflight` threads.
// Usage: keel-images-bench <path> <count> <inflight>  → prints "images_per_second <n>"
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include "core/images/variants.hpp"

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: keel-images-bench <jpeg> <count> <inflight>\n");
    return 2;
  }
  std::ifstream in(argv[1], std::ios::binary);
  std::string jpeg(std::istreambuf_iterator<char>(in), {});
  int count = std::stoi(argv[2]);
  int inflight = std::stoi(argv[3]);
  keel::images::variant_request request;
  keel::images::make_variants(jpeg, request);  // warm-up: libvips initialisation
  std::atomic<int> next{0};
  auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < inflight; ++t) {
    threads.emplace_back([&] {
      while (next.fetch_add(1) < count) keel::images::make_variants(jpeg, request);
    });
  }
  for (auto& t : threads) t.join();
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("images_per_second %.2f\n", count / seconds);
  return 0;
}
