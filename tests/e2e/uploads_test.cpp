// Uploads end to end: keel-api hands out presigned URLs, curl sends the bytes to a real
// S3-compatible server that checks the signatures (s3rver), keel-worker makes variants and
// deletes objects. Images are made by libvips here, so sizes and orientation are known.
#include <vips/vips.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <thread>

#include "../support/s3_server.hpp"
#include "auth_stack.hpp"
#include "core/storage/s3_client.hpp"
#include "expect_problem.hpp"

using namespace keel;
using namespace keel::test;
using namespace std::chrono;

namespace {

env_vars storage_env() {
  auto o = s3_options();
  return {{"S3_ENDPOINT", o.endpoint},
          {"S3_REGION", o.region},
          {"S3_BUCKET", o.bucket},
          {"S3_ACCESS_KEY_ID", o.access_key_id},
          {"S3_SECRET_ACCESS_KEY", o.secret_access_key},
          {"S3_FORCE_PATH_STYLE", "true"}};
}

// keel-api and keel-worker that both reach the test bucket.
struct uploads_stack {
  auth_stack stack{storage_env(), storage_env()};

  std::string user(const std::string& email) {
    return str(stack.register_user(email).at("access_token"));
  }
};

struct unref {
  void operator()(VipsImage* i) const { g_object_unref(i); }
};
using image_ptr = std::unique_ptr<VipsImage, unref>;

// A width × height grey noise image as PNG or JPEG (with an EXIF orientation).
std::string image(int width, int height, const std::string& format, int orientation = 1) {
  REQUIRE(VIPS_INIT("keel-tests") == 0);
  VipsImage* noise = nullptr;
  REQUIRE(vips_gaussnoise(&noise, width, height, nullptr) == 0);
  image_ptr n(noise);
  VipsImage* cast = nullptr;
  REQUIRE(vips_cast_uchar(n.get(), &cast, nullptr) == 0);
  image_ptr img(cast);
  void* buffer = nullptr;
  std::size_t length = 0;
  if (format == "png") {
    REQUIRE(vips_pngsave_buffer(img.get(), &buffer, &length, nullptr) == 0);
  } else {
    vips_image_set_int(img.get(), VIPS_META_ORIENTATION, orientation);
    REQUIRE(vips_jpegsave_buffer(img.get(), &buffer, &length, nullptr) == 0);
  }
  std::string out(static_cast<const char*>(buffer), length);
  g_free(buffer);
  return out;
}

struct temp_file {
  std::string path = "/tmp/keel-upload-" + std::to_string(::getpid()) + "-" +
                     std::to_string(std::random_device{}());
  explicit temp_file(const std::string& content) {
    std::ofstream(path, std::ios::binary) << content;
  }
  ~temp_file() { std::filesystem::remove(path); }
};

// curl, as a client would use it: the status, and the body written to `out`.
int curl(const std::vector<std::string>& more, std::string* body = nullptr) {
  std::string out = "/tmp/keel-upload-curl-" + std::to_string(::getpid());
  std::vector<std::string> args = {"-s", "-o", out, "-w", "%{http_code}"};
  args.insert(args.end(), more.begin(), more.end());
  process p("/usr/bin/curl", args, {});
  REQUIRE(p.wait(seconds(30)) == 0);
  if (body) {
    std::ifstream in(out, std::ios::binary);
    body->assign(std::istreambuf_iterator<char>(in), {});
  }
  std::filesystem::remove(out);
  auto text = p.output();
  return std::stoi(text.substr(text.size() - 3));
}

// PUTs `bytes` to the presigned upload of a 201 answer, with its headers.
int put_file(const boost::json::object& created, const std::string& bytes) {
  temp_file file(bytes);
  const auto& upload = created.at("upload").as_object();
  std::vector<std::string> args = {"-X", "PUT"};
  for (const auto& [name, value] : upload.at("headers").as_object()) {
    args.insert(args.end(), {"-H", std::string(name) + ": " + str(value)});
  }
  args.insert(args.end(), {"--data-binary", "@" + file.path, str(upload.at("url"))});
  return curl(args);
}

boost::json::object start(uploads_stack& s, const std::string& token, const std::string& purpose,
                          const std::string& type, std::size_t length,
                          const std::string& name = "photo.png") {
  auto r = s.stack.post(
      "/api/v1/uploads",
      {{"purpose", purpose}, {"content_type", type}, {"byte_length", length}, {"file_name", name}},
      bearer(token));
  INFO(r.body);
  REQUIRE(r.status == 201);
  return r.json().as_object();
}

http_response complete(uploads_stack& s, const std::string& token, const std::string& id) {
  return s.stack.post("/api/v1/uploads/" + id + "/complete", {}, bearer(token));
}

// Polls the upload until `pred` holds for it (the worker's jobs are asynchronous).
boost::json::object wait_for(uploads_stack& s, const std::string& token, const std::string& id,
                             const std::function<bool(const boost::json::object&)>& pred) {
  boost::json::object last;
  for (int i = 0; i < 150; ++i) {
    auto r = s.stack.api.get("/api/v1/uploads/" + id, bearer(token));
    if (r.status == 200) {
      last = r.json().as_object();
      if (pred(last)) return last;
    }
    std::this_thread::sleep_for(milliseconds(100));
  }
  INFO(boost::json::serialize(last));
  FAIL("the upload never reached the expected state");
  return last;
}

}  // namespace

TEST_CASE("an upload goes to the bucket through its presigned URL and comes back byte for byte") {
  uploads_stack s;
  auto token = s.user("ada@example.com");
  std::string pdf = "%PDF-1.7\n" + std::string(3000, 'x');
  auto created = start(s, token, "method_attachment", "application/pdf", pdf.size(), "../a b.pdf");
  std::string id = str(created.at("id"));
  CHECK(str(created.at("upload").at("method")) == "PUT");
  // The key is keel's: the client's name cannot climb out of the upload's folder.
  CHECK(str(created.at("upload").at("url")).find("/uploads/" + id + "/a-b.pdf?") !=
        std::string::npos);

  // Before the bytes arrive, completing is refused and the upload stays pending.
  auto early = complete(s, token, id);
  expect_problem(early, 409, "upload_missing");

  REQUIRE(put_file(created, pdf) == 200);
  auto done = complete(s, token, id);
  INFO(done.body);
  REQUIRE(done.status == 200);
  CHECK(str(done.json().at("status")) == "ready");

  auto meta = s.stack.api.get("/api/v1/uploads/" + id, bearer(token));
  REQUIRE(meta.status == 200);
  std::string downloaded;
  CHECK(curl({str(meta.json().at("url"))}, &downloaded) == 200);
  CHECK(downloaded == pdf);

  auto mine = s.stack.api.get("/api/v1/uploads", bearer(token));
  REQUIRE(mine.status == 200);
  CHECK(mine.json().at("data").as_array().size() == 1);

  // Deleted at once for the API; the worker removes the object.
  auto url = str(meta.json().at("url"));
  auto gone = s.stack.api.request("DELETE", "/api/v1/uploads/" + id, bearer(token));
  CHECK(gone.status == 204);
  CHECK(s.stack.api.get("/api/v1/uploads/" + id, bearer(token)).status == 404);
  int status = 0;
  for (int i = 0; i < 100 && status != 404; ++i) {
    status = curl({url});
    if (status != 404) std::this_thread::sleep_for(milliseconds(100));
  }
  CHECK(status == 404);
}

TEST_CASE("a type or size the purpose does not take is a 422 before anything is signed") {
  uploads_stack s;
  auto token = s.user("ada@example.com");
  auto too_big = s.stack.post("/api/v1/uploads",
                              {{"purpose", "community_avatar"},
                               {"content_type", "image/png"},
                               {"byte_length", 6 * 1024 * 1024},
                               {"file_name", "a.png"}},
                              bearer(token));
  expect_problem(too_big, 422, "validation_failed");
  CHECK(too_big.body.find("byte_length") != std::string::npos);
  auto pdf_avatar = s.stack.post("/api/v1/uploads",
                                 {{"purpose", "community_avatar"},
                                  {"content_type", "application/pdf"},
                                  {"byte_length", 100},
                                  {"file_name", "a.pdf"}},
                                 bearer(token));
  expect_problem(pdf_avatar, 422, "validation_failed");
  CHECK(pdf_avatar.body.find("content_type") != std::string::npos);
  CHECK(s.stack.post("/api/v1/uploads", {{"purpose", "community_avatar"}}).status == 401);
}

TEST_CASE("the storage refuses a body of another type or length than the one signed") {
  uploads_stack s;
  auto token = s.user("ada@example.com");
  std::string png = image(40, 30, "png");
  auto created = start(s, token, "community_avatar", "image/png", png.size());
  auto upload = created.at("upload").as_object();
  temp_file file(png + "more");
  CHECK(curl({"-X", "PUT", "-H", "Content-Type: image/png", "--data-binary", "@" + file.path,
              str(upload.at("url"))}) == 403);
  temp_file exact(png);
  CHECK(curl({"-X", "PUT", "-H", "Content-Type: image/gif", "--data-binary", "@" + exact.path,
              str(upload.at("url"))}) == 403);
  std::string tampered = str(upload.at("url"));
  tampered.back() = tampered.back() == 'a' ? 'b' : 'a';
  CHECK(curl({"-X", "PUT", "-H", "Content-Type: image/png", "--data-binary", "@" + exact.path,
              tampered}) == 403);
}

TEST_CASE("a text file declared image/png is refused on completion and its object deleted") {
  uploads_stack s;
  auto token = s.user("ada@example.com");
  std::string text = "just some text, not a picture at all";
  auto created = start(s, token, "community_avatar", "image/png", text.size(), "fake.png");
  std::string id = str(created.at("id"));
  REQUIRE(put_file(created, text) == 200);
  expect_problem(complete(s, token, id), 422, "content_mismatch");

  runtime::event_loops loops(1);
  storage::bucket bucket(s3_options());
  storage::s3_client s3(bucket);
  sql_client sql(s.stack.api.database_url());
  std::string key = sql.scalar("SELECT object_key FROM uploads WHERE id = '" + id + "'");
  CHECK(sql.scalar("SELECT status FROM uploads WHERE id = '" + id + "'") == "rejected");
  auto info = run_async(loops, [&]() -> async<std::optional<storage::object_info>> {
    co_return co_await s3.head(key);
  });
  CHECK_FALSE(info.has_value());
  expect_problem(complete(s, token, id), 409, "upload_rejected");
}

TEST_CASE("someone else's upload is a 404 to read, complete or delete") {
  uploads_stack s;
  auto owner = s.user("ada@example.com");
  auto other = s.user("bob@example.com");
  std::string pdf = "%PDF-1.4 tiny";
  auto created = start(s, owner, "method_attachment", "application/pdf", pdf.size(), "a.pdf");
  std::string id = str(created.at("id"));
  REQUIRE(put_file(created, pdf) == 200);
  expect_problem(complete(s, other, id), 404, "upload_not_found");
  REQUIRE(complete(s, owner, id).status == 200);
  expect_problem(s.stack.api.get("/api/v1/uploads/" + id, bearer(other)), 404, "upload_not_found");
  expect_problem(s.stack.api.get("/api/v1/uploads/" + id), 404, "upload_not_found");
  expect_problem(s.stack.api.request("DELETE", "/api/v1/uploads/" + id, bearer(other)), 404,
                 "upload_not_found");
  CHECK(s.stack.api.get("/api/v1/uploads/" + id, bearer(owner)).status == 200);
}

TEST_CASE("variants are made for a PNG and for a JPEG turned upright by its EXIF orientation") {
  uploads_stack s;
  auto token = s.user("ada@example.com");
  struct example {
    std::string type, bytes;
    int small_w, small_h, large_w, large_h;
  };
  for (const auto& e : {example{"image/png", image(1000, 500, "png"), 128, 64, 512, 256},
                        // Stored 800x400 with orientation 6: shown 400 wide and 800 high.
                        example{"image/jpeg", image(800, 400, "jpeg", 6), 64, 128, 256, 512}}) {
    INFO(e.type);
    auto created = start(s, token, "community_avatar", e.type, e.bytes.size());
    std::string id = str(created.at("id"));
    REQUIRE(put_file(created, e.bytes) == 200);
    REQUIRE(complete(s, token, id).status == 200);
    auto ready = wait_for(s, token, id, [](const boost::json::object& u) {
      return u.at("variants").as_array().size() == 2;
    });
    const auto& v = ready.at("variants").as_array();
    CHECK(v[0].at("size").as_int64() == 128);
    CHECK(v[0].at("width").as_int64() == e.small_w);
    CHECK(v[0].at("height").as_int64() == e.small_h);
    CHECK(v[1].at("width").as_int64() == e.large_w);
    CHECK(v[1].at("height").as_int64() == e.large_h);
    std::string webp;
    REQUIRE(curl({str(v[1].at("url"))}, &webp) == 200);
    CHECK(webp.substr(8, 4) == "WEBP");
    // An avatar is public: anyone may read its metadata.
    CHECK(s.stack.api.get("/api/v1/uploads/" + id).status == 200);
  }
}

TEST_CASE("a corrupt JPEG gets no variants: its job is discarded with the reason") {
  uploads_stack s;
  auto token = s.user("ada@example.com");
  std::string jpeg = image(600, 400, "jpeg");
  std::string corrupt = jpeg.substr(0, jpeg.size() / 2);
  auto created = start(s, token, "community_avatar", "image/jpeg", corrupt.size(), "c.jpg");
  std::string id = str(created.at("id"));
  REQUIRE(put_file(created, corrupt) == 200);
  REQUIRE(complete(s, token, id).status == 200);
  auto failed = wait_for(
      s, token, id, [](const boost::json::object& u) { return !u.at("variants_error").is_null(); });
  CHECK(str(failed.at("variants_error")).find("decode") != std::string::npos);
  sql_client sql(s.stack.api.database_url());
  CHECK(sql.scalar("SELECT state FROM jobs WHERE kind = 'uploads.variants'") == "discarded");
  CHECK(s.stack.worker->running());
}

TEST_CASE("uploads.purge deletes uploads left pending past a day, and their objects") {
  uploads_stack s;
  auto token = s.user("ada@example.com");
  std::string pdf = "%PDF-1.4 never completed";
  auto stale = start(s, token, "method_attachment", "application/pdf", pdf.size(), "old.pdf");
  auto fresh = start(s, token, "method_attachment", "application/pdf", pdf.size(), "new.pdf");
  REQUIRE(put_file(stale, pdf) == 200);
  sql_client sql(s.stack.api.database_url());
  sql.scalar("UPDATE uploads SET created_at = now() - interval '2 days' WHERE id = '" +
             str(stale.at("id")) + "'");
  process cron(binary("keel-cron"), {"run", "uploads.purge"},
               {{"DATABASE_URL", s.stack.api.database_url()}, {"LOG_LEVEL", "warn"}});
  REQUIRE(cron.wait(seconds(30)) == 0);
  CHECK(sql.scalar("SELECT status FROM uploads WHERE id = '" + str(stale.at("id")) + "'") ==
        "deleted");
  CHECK(sql.scalar("SELECT status FROM uploads WHERE id = '" + str(fresh.at("id")) + "'") ==
        "pending");
  std::string key =
      sql.scalar("SELECT object_key FROM uploads WHERE id = '" + str(stale.at("id")) + "'");
  runtime::event_loops loops(1);
  storage::bucket bucket(s3_options());
  storage::s3_client s3(bucket);
  bool removed = false;
  for (int i = 0; i < 100 && !removed; ++i) {
    auto info = run_async(loops, [&]() -> async<std::optional<storage::object_info>> {
      co_return co_await s3.head(key);
    });
    removed = !info.has_value();
    if (!removed) std::this_thread::sleep_for(milliseconds(100));
  }
  CHECK(removed);
}

TEST_CASE("without S3_BUCKET the upload routes answer 503 and the rest works") {
  auth_stack plain;
  auto token = str(plain.register_user("ada@example.com").at("access_token"));
  auto r = plain.post("/api/v1/uploads",
                      {{"purpose", "method_attachment"},
                       {"content_type", "application/pdf"},
                       {"byte_length", 10},
                       {"file_name", "a.pdf"}},
                      bearer(token));
  expect_problem(r, 503, "storage_not_configured");
  CHECK(plain.me(token).status == 200);
}
