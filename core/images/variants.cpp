// libvips behind images::make_variants (see variants.hpp).
#include "core/images/variants.hpp"

#include <vips/vips.h>

#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <mutex>

namespace keel::images {
namespace {

// libvips once per process; its operation cache is off, since every image is seen once and
// cached pixels would only grow the worker's memory.
void init_vips() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (VIPS_INIT("keel") != 0) throw std::runtime_error("libvips failed to initialise");
    vips_cache_set_max(0);
  });
}

struct unref {
  void operator()(VipsImage* image) const { g_object_unref(image); }
};
using image_ptr = std::unique_ptr<VipsImage, unref>;

// libvips keeps its last error per thread; take it for the message and clear it.
[[noreturn]] void fail(std::string_view what) {
  std::string detail = vips_error_buffer();
  vips_error_clear();
  while (!detail.empty() && (detail.back() == '\n' || detail.back() == ' ')) detail.pop_back();
  throw bad_image(fmt::format("{}: {}", what, detail.empty() ? "unknown error" : detail));
}

std::uint32_t read_le32(const std::string& s, std::size_t at) {
  auto byte = [&](std::size_t i) { return std::uint32_t(static_cast<unsigned char>(s[at + i])); };
  return byte(0) | byte(1) << 8 | byte(2) << 16 | byte(3) << 24;
}

void write_le32(std::string& s, std::size_t at, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) s[at + i] = static_cast<char>((v >> (8 * i)) & 0xff);
}

// Drops the EXIF, XMP and ICC chunks of a WebP file and their VP8X flags, so no metadata
// (location, camera, software) leaves with a variant. Done on the container because libvips
// 8.14's webpsave writes a fresh EXIF block even with "strip" set.
std::string without_metadata(std::string webp) {
  if (webp.size() < 12 || webp.compare(0, 4, "RIFF") != 0 || webp.compare(8, 4, "WEBP") != 0) {
    throw bad_image("libvips wrote no WebP container");
  }
  std::string out = webp.substr(0, 12);
  for (std::size_t at = 12; at + 8 <= webp.size();) {
    std::string_view fourcc(webp.data() + at, 4);
    std::size_t size = read_le32(webp, at + 4);
    std::size_t whole = 8 + size + (size & 1);  // chunks are padded to an even length
    if (at + whole > webp.size()) throw bad_image("libvips wrote a truncated WebP chunk");
    if (fourcc != "EXIF" && fourcc != "XMP " && fourcc != "ICCP") {
      out.append(webp, at, whole);
      if (fourcc == "VP8X") {
        // flags byte: ICC 0x20, EXIF 0x08, XMP 0x04 (alpha and animation stay as they are).
        out[out.size() - whole + 8] = static_cast<char>(out[out.size() - whole + 8] & ~0x2c);
      }
    }
    at += whole;
  }
  write_le32(out, 4, static_cast<std::uint32_t>(out.size() - 8));
  return out;
}

}  // namespace

header read_header(std::string_view bytes) {
  init_vips();
  const char* loader = vips_foreign_find_load_buffer(bytes.data(), bytes.size());
  if (loader == nullptr) {
    vips_error_clear();
    throw bad_image("not an image format libvips reads");
  }
  // Opening an image reads its header only; pixels are decoded when an operation needs them.
  image_ptr image(vips_image_new_from_buffer(bytes.data(), bytes.size(), "", "access",
                                             VIPS_ACCESS_SEQUENTIAL, nullptr));
  if (!image) fail("unreadable image header");
  std::string name = loader;
  // "VipsForeignLoadJpegBuffer" → the nickname "jpegload_buffer" is friendlier in errors.
  if (auto* cls = vips_class_find("VipsForeignLoad", loader)) name = cls->nickname;
  return {vips_image_get_width(image.get()), vips_image_get_height(image.get()), name};
}

std::vector<variant> make_variants(std::string_view bytes, const variant_request& request) {
  auto head = read_header(bytes);
  std::int64_t pixels = std::int64_t(head.width) * head.height;
  if (pixels > request.max_pixels) {
    throw bad_image(fmt::format("image is {}x{} pixels, over the limit of {}", head.width,
                                head.height, request.max_pixels));
  }
  // The original is decoded once, shrunk on load to the largest size and kept in memory; the
  // smaller variants are made from that (libvips is lazy: without the copy in memory, every
  // variant would decode the original again).
  if (request.sizes.empty()) return {};
  int largest = *std::max_element(request.sizes.begin(), request.sizes.end());
  VipsImage* raw = nullptr;
  // fail_on=error: a truncated or corrupt original is refused rather than padded with grey
  // (given to the loader through option_string: libvips 8.14's thumbnail does not pass its own
  // fail_on on). thumbnail turns the image upright by its EXIF orientation.
  if (vips_thumbnail_buffer(const_cast<char*>(bytes.data()), bytes.size(), &raw, largest, "height",
                            largest, "size", VIPS_SIZE_DOWN, "option_string", "fail_on=error",
                            nullptr) != 0) {
    fail("cannot decode image");
  }
  image_ptr lazy(raw);
  image_ptr decoded(vips_image_copy_memory(lazy.get()));
  if (!decoded) fail("cannot decode image");

  std::vector<variant> out;
  for (int size : request.sizes) {
    image_ptr fitted;
    if (size == largest) {
      g_object_ref(decoded.get());
      fitted.reset(decoded.get());
    } else {
      VipsImage* smaller = nullptr;
      if (vips_thumbnail_image(decoded.get(), &smaller, size, "height", size, "size",
                               VIPS_SIZE_DOWN, "no_rotate", TRUE, nullptr) != 0) {
        fail("cannot resize image");
      }
      fitted.reset(smaller);
    }
    void* buffer = nullptr;
    std::size_t length = 0;
    if (vips_webpsave_buffer(fitted.get(), &buffer, &length, "Q", request.webp_quality, "strip",
                             TRUE, nullptr) != 0) {
      fail("cannot encode WebP");
    }
    std::string webp(static_cast<const char*>(buffer), length);
    g_free(buffer);
    out.push_back({size, vips_image_get_width(fitted.get()), vips_image_get_height(fitted.get()),
                   without_metadata(std::move(webp))});
  }
  return out;
}

}  // namespace keel::images
