// Image variants for uploads: WebP copies fitted to a few sizes, turned upright by their EXIF
// orientation and stripped of metadata, through libvips. Blocking and CPU-heavy: callers run
// it on a blocking pool, never on an event loop.
#pragma once
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace keel::images {

struct variant_request {
  std::vector<int> sizes = {128, 512};   // each variant fits in size × size, aspect kept
  std::int64_t max_pixels = 40'000'000;  // larger originals are refused before decoding
  int webp_quality = 80;
};

struct variant {
  int size = 0;  // the requested box
  int width = 0;
  int height = 0;
  std::string webp;
};

// The original cannot become variants, for a reason retrying will not change: not an image
// libvips reads, corrupt or truncated, or over the pixel limit. what() says which.
struct bad_image : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The width, height and loader ("jpegload", "pngload", ...) of an encoded image, read from its
// header only. Throws bad_image.
struct header {
  int width = 0;
  int height = 0;
  std::string loader;
};
header read_header(std::string_view bytes);

// One variant per requested size, smaller originals never enlarged. Throws bad_image.
std::vector<variant> make_variants(std::string_view bytes, const variant_request& request);

}  // namespace keel::images
