// libFuzzer target for the agent protocol: a frame as a client would send
// it, through the frame header check, the body decoder, request validation
// and the request handler, against a store holding one identity. Every
// input must get a reply frame that decodes; none may crash the agent.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "age/key_files.h"
#include "agent/handler.h"
#include "keys/agent_protocol.h"

namespace {

// A fixed identity (generated for this target; it protects nothing).
constexpr char kIdentity[] =
    "AGE-SECRET-KEY-1SNN886N0M6X5MR003P24SHDVN4CZELUY9XUJNKHVWXHMUSX0TWWQVDG4ZP\n";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 4) return 0;
  auto length = tresor::keys::FrameLength(std::span<const uint8_t, 4>(data, 4));
  if (!length) return 0;
  std::span<const uint8_t> body(data + 4, size - 4);
  if (body.size() > *length) body = body.first(*length);
  tresor::agent::Store store;
  auto added = store.Add("fuzz",
                         tresor::crypto::SecretBytes::CopyOf(
                             {reinterpret_cast<const uint8_t*>(kIdentity), sizeof kIdentity - 1}),
                         {}, 0, 0, 1000);
  if (!added) std::abort();
  tresor::agent::HandlerContext context{store, 1000, -1, "fuzz.sock", 0, [](const std::string&) {}};
  const auto reply = tresor::agent::HandleRequest(body, context);
  if (reply.size() < 5) std::abort();
  auto decoded = tresor::keys::DecodeBody(std::span(reply).subspan(4));
  if (!decoded) std::abort();
  return 0;
}
