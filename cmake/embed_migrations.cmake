# Writes a C++ source holding every schema/NNNN_name.sql as {name, bytes}, in file-name order.
file(GLOB files ${SCHEMA_DIR}/*.sql)
list(SORT files)
set(body "")
set(entries "")
set(index 0)
foreach(path IN LISTS files)
  get_filename_component(name ${path} NAME)
  file(READ ${path} hex HEX)
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "'\\\\x\\1'," bytes "${hex}")
  string(APPEND body "static const char migration_${index}[] = {${bytes} 0};\n")
  string(APPEND entries "      {\"${name}\", std::string_view(migration_${index}, sizeof(migration_${index}) - 1)},\n")
  math(EXPR index "${index} + 1")
endforeach()
file(WRITE ${OUTPUT}.tmp "// Generated from schema/*.sql by cmake/embed_migrations.cmake. Do not edit.
#include \"core/db/migrations.hpp\"

namespace keel::db {
namespace {
${body}}  // namespace

const std::vector<migration_file>& embedded_migrations() {
  static const std::vector<migration_file> files = {
${entries}  };
  return files;
}

}  // namespace keel::db
")
file(COPY_FILE ${OUTPUT}.tmp ${OUTPUT} ONLY_IF_DIFFERENT)
