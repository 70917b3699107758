// Image variants from real encoded images that the test makes with libvips itself.
#include <vips/vips.h>

#include <catch2/catch.hpp>
#include <memory>
#include <string>

#include "core/images/variants.hpp"

using namespace keel::images;

namespace {

struct unref {
  void operator()(VipsImage* image) const { g_object_unref(image); }
};
using image_ptr = std::unique_ptr<VipsImage, unref>;

std::string take(void* buffer, std::size_t length) {
  std::string out(static_cast<const char*>(buffer), length);
  g_free(buffer);
  return out;
}

// A `width` × `height` three-band noise image encoded as `format` ("png" or "jpeg"); a JPEG
// carries `orientation` (1-8) in its EXIF.
std::string encoded_image(int width, int height, const std::string& format, int orientation = 1) {
  REQUIRE(VIPS_INIT("keel-tests") == 0);  // idempotent
  VipsImage* noise = nullptr;
  REQUIRE(vips_gaussnoise(&noise, width, height, "mean", 128.0, "sigma", 40.0, nullptr) == 0);
  image_ptr one(noise);
  VipsImage* bands[3] = {one.get(), one.get(), one.get()};
  VipsImage* joined = nullptr;
  REQUIRE(vips_bandjoin(bands, &joined, 3, nullptr) == 0);
  image_ptr rgb(joined);
  VipsImage* cast = nullptr;
  REQUIRE(vips_cast_uchar(rgb.get(), &cast, nullptr) == 0);
  image_ptr img(cast);
  void* buffer = nullptr;
  std::size_t length = 0;
  if (format == "png") {
    REQUIRE(vips_pngsave_buffer(img.get(), &buffer, &length, nullptr) == 0);
  } else {
    vips_image_set_int(img.get(), VIPS_META_ORIENTATION, orientation);
    REQUIRE(vips_jpegsave_buffer(img.get(), &buffer, &length, nullptr) == 0);
  }
  return take(buffer, length);
}

// The metadata fields a WebP variant carries after decoding.
bool has_exif(const std::string& webp) {
  image_ptr img(vips_image_new_from_buffer(webp.data(), webp.size(), "", nullptr));
  REQUIRE(img);
  return vips_image_get_typeof(img.get(), VIPS_META_EXIF_NAME) != 0;
}

}  // namespace

TEST_CASE("a PNG becomes 128 and 512 px WebP variants with its aspect kept") {
  auto png = encoded_image(1000, 500, "png");
  auto head = read_header(png);
  CHECK(head.width == 1000);
  CHECK(head.loader.find("png") != std::string::npos);
  auto variants = make_variants(png, {});
  REQUIRE(variants.size() == 2);
  CHECK(variants[0].size == 128);
  CHECK(variants[0].width == 128);
  CHECK(variants[0].height == 64);
  CHECK(variants[1].width == 512);
  CHECK(variants[1].height == 256);
  for (const auto& v : variants) {
    CHECK(v.webp.substr(0, 4) == "RIFF");
    CHECK(v.webp.substr(8, 4) == "WEBP");
    CHECK(read_header(v.webp).width == v.width);
  }
}

TEST_CASE("a JPEG rotated by its EXIF orientation is turned upright and loses its metadata") {
  // Orientation 6: stored 400 wide, 200 high; shown rotated 90°, so 200 wide and 400 high.
  auto jpeg = encoded_image(400, 200, "jpeg", 6);
  REQUIRE(VIPS_INIT("keel-tests") == 0);
  {
    image_ptr original(vips_image_new_from_buffer(jpeg.data(), jpeg.size(), "", nullptr));
    REQUIRE(original);
    CHECK(vips_image_get_typeof(original.get(), VIPS_META_EXIF_NAME) != 0);
  }
  auto variants = make_variants(jpeg, {});
  REQUIRE(variants.size() == 2);
  CHECK(variants[0].width == 64);
  CHECK(variants[0].height == 128);
  // Smaller than 512: kept at its own size, never enlarged.
  CHECK(variants[1].width == 200);
  CHECK(variants[1].height == 400);
  CHECK_FALSE(has_exif(variants[0].webp));
  CHECK_FALSE(has_exif(variants[1].webp));
}

TEST_CASE("a truncated JPEG is refused as a bad image, not padded") {
  auto jpeg = encoded_image(600, 400, "jpeg");
  auto cut = jpeg.substr(0, jpeg.size() / 2);
  CHECK_THROWS_AS(make_variants(cut, {}), bad_image);
}

TEST_CASE("bytes that are no image, and an image over the pixel limit, are bad images") {
  CHECK_THROWS_AS(make_variants("hello, I am a text file", {}), bad_image);
  auto png = encoded_image(300, 300, "png");
  variant_request small_limit;
  small_limit.max_pixels = 300 * 299;
  CHECK_THROWS_WITH(make_variants(png, small_limit), Catch::Contains("over the limit"));
}
