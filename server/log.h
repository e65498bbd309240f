// Where the server's JSON log lines go: stderr, one write per line, unless
// replaced (the fuzz targets silence it). A log that is a regular file is
// handed to the disk a megabyte at a time rather than in the kernel's bursts.
#pragma once

#include <string_view>

namespace callpolicy::server {

void write_log(std::string_view line);

// One JSON line of `level` and `message`, and a detail when named.
void log_message(std::string_view level, std::string_view message, std::string_view detail_name = {},
                 std::string_view detail = {});

using log_writer = void (*)(std::string_view line);
void set_log_writer(log_writer writer);

}  // namespace callpolicy::server
