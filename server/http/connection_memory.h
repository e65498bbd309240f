// The memory a connection slot reuses from one request to the next, and
// from one connection to the next: its read buffer, request arena, response
// and the buffer it is sent from. Private to server/http/.
#pragma once

#include <array>
#include <cstddef>
#include <string>

#include <boost/beast/core/flat_buffer.hpp>

#include "server/http/request_arena.h"
#include "server/response.h"
#include "server/twilio/pending_call.h"

namespace callpolicy::server {

// A chunk's size line with its extensions, and the trailer section, must fit
// in the read buffer whole before Beast parses them, so its cap bounds both
// (and keeps Boost 1.74 from throwing on a trailer field over 64 KiB).
inline constexpr std::size_t read_buffer_limit = 32 * 1024;
inline constexpr std::size_t read_reserve = 4 * 1024;
// A connection keeps its response buffer up to this size between requests.
inline constexpr std::size_t wire_keep = 16 * 1024;
// Room for a Twilio webhook's headers and form body and the response; a
// larger request takes the rest from the heap.
inline constexpr std::size_t arena_size = 16 * 1024;

struct connection_memory {
  // Beast reads max(512, free capacity) bytes at a time: from an empty
  // buffer a Twilio webhook (about 1.5 KiB) took two reads.
  connection_memory() : buffer(read_buffer_limit), arena(arena_size) {
    buffer.reserve(read_reserve);
  }

  // As new, keeping what a Twilio webhook needs and no more: nothing over
  // 16 KiB (a status page, a hostile request's long fields) stays kept.
  void clear() {
    buffer.clear();
    if (buffer.capacity() > read_reserve) {
      buffer.shrink_to_fit();
      buffer.reserve(read_reserve);
    }
    arena.reset();
    out.clear();
    call.clear();
    for (std::string* text :
         {&wire, &out.body, &out.journal_line, &out.reason, &out.clinic, &out.call_sid, &out.action,
          &out.recording_sid, &call.to, &call.from, &call.forwarded_from, &call.ai_wanted}) {
      if (text->capacity() > wire_keep) std::string().swap(*text);
      text->clear();
    }
  }

  boost::beast::flat_buffer buffer;
  request_arena arena;
  std::string wire;
  response out;
  pending_call call;  // a call waiting for the shared store, beside its answer
  std::array<char, 4096> discard;  // what a lingering close reads and drops
  // The connection's own asynchronous operations, and its hop back from the
  // journal: none is outstanding once the slot is free.
  handler_memory operations;
  hop_memory journal_hop;
};

}  // namespace callpolicy::server
