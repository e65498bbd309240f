// The status page's script and style (server/admin/assets/), embedded in
// the binary at build time: no CDN, and the page works offline. The script
// only refreshes what the server rendered (by fetching the same fragments)
// and sends override changes; every page reads without it.
#pragma once

#include <string_view>

namespace callpolicy::server {

std::string_view status_page_script();
std::string_view status_page_style();

}  // namespace callpolicy::server
