// The HTTP server over real sockets: connections spread over the workers,
// pipelined and split requests, and a deferred response that holds the
// requests behind it.
#include "http/server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace tresor::http {
namespace {

// A blocking client connection to 127.0.0.1:port.
class Client {
 public:
  explicit Client(int port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~Client() { ::close(fd_); }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  bool connected() const { return connected_; }
  void Send(const std::string& bytes) {
    ASSERT_EQ(::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL),
              static_cast<ssize_t>(bytes.size()));
  }
  // The bodies of the next `count` responses.
  std::vector<std::string> Bodies(size_t count) {
    std::vector<std::string> bodies;
    while (bodies.size() < count) {
      const size_t head_end = buffer_.find("\r\n\r\n");
      if (head_end != std::string::npos) {
        const size_t at = buffer_.find("Content-Length: ");
        const size_t length = std::stoul(buffer_.substr(at + 16));
        if (buffer_.size() >= head_end + 4 + length) {
          bodies.push_back(buffer_.substr(head_end + 4, length));
          buffer_.erase(0, head_end + 4 + length);
          continue;
        }
      }
      char chunk[4096];
      const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
      if (n <= 0) break;
      buffer_.append(chunk, static_cast<size_t>(n));
    }
    return bodies;
  }

 private:
  int fd_;
  bool connected_ = false;
  std::string buffer_;
};

std::string Get(const std::string& path) { return "GET " + path + " HTTP/1.1\r\nHost: t\r\n\r\n"; }

// A handler that answers with the path, and "w0", "w1", ... for the worker
// thread at /worker.
class WorkerNames {
 public:
  Response operator()(const Request& request) {
    Response response;
    if (request.path != "/worker") {
      response.body = request.path;
      return response;
    }
    const std::lock_guard lock(mutex_);
    std::string name = "w";
    name += std::to_string(names_.size());
    auto [it, _] = names_.emplace(std::this_thread::get_id(), std::move(name));
    response.body = it->second;
    return response;
  }

 private:
  std::mutex mutex_;
  std::map<std::thread::id, std::string> names_;
};

TEST(HttpServer, SpreadsConnectionsEvenlyOverTheWorkers) {
  ServerOptions options;
  options.port = 0;
  options.threads = 2;
  auto names = std::make_shared<WorkerNames>();
  auto server = Server::Start(options, [names](const Request& r) { return (*names)(r); });
  ASSERT_TRUE(server) << server.error().message;
  std::vector<std::unique_ptr<Client>> clients;
  std::map<std::string, int> per_worker;
  for (int i = 0; i < 8; ++i) {
    clients.push_back(std::make_unique<Client>((*server)->port()));
    ASSERT_TRUE(clients.back()->connected());
    clients.back()->Send(Get("/worker"));
    const auto bodies = clients.back()->Bodies(1);
    ASSERT_EQ(bodies.size(), 1u);
    ++per_worker[bodies[0]];
  }
  EXPECT_EQ(per_worker, (std::map<std::string, int>{{"w0", 4}, {"w1", 4}}));
}

TEST(HttpServer, AnswersPipelinedAndSplitRequestsInOrder) {
  ServerOptions options;
  options.port = 0;
  options.threads = 1;
  auto server = Server::Start(options, [](const Request& r) {
    Response response;
    response.body = r.path;
    return response;
  });
  ASSERT_TRUE(server) << server.error().message;
  Client client((*server)->port());
  ASSERT_TRUE(client.connected());
  client.Send(Get("/a") + Get("/b") + Get("/c"));
  EXPECT_EQ(client.Bodies(3), (std::vector<std::string>{"/a", "/b", "/c"}));
  // One request in three writes, the server reading each as it comes.
  const std::string whole = Get("/split");
  client.Send(whole.substr(0, 5));
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  client.Send(whole.substr(5, 12));
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  client.Send(whole.substr(17));
  EXPECT_EQ(client.Bodies(1), std::vector<std::string>{"/split"});
}

TEST(HttpServer, HoldsRequestsBehindADeferredResponse) {
  ServerOptions options;
  options.port = 0;
  options.threads = 1;
  std::vector<std::thread> repliers;
  std::mutex mutex;
  auto server = Server::Start(options, [&](const Request& r) {
    Response response;
    if (r.path != "/slow") {
      response.body = r.path;
      return response;
    }
    response.defer = [&](Reply reply) {
      const std::lock_guard lock(mutex);
      repliers.emplace_back([reply = std::move(reply)] {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        Response late;
        late.body = "late";
        reply(std::move(late));
      });
    };
    return response;
  });
  ASSERT_TRUE(server) << server.error().message;
  Client client((*server)->port());
  ASSERT_TRUE(client.connected());
  client.Send(Get("/slow") + Get("/after"));
  EXPECT_EQ(client.Bodies(2), (std::vector<std::string>{"late", "/after"}));
  server->reset();
  for (auto& t : repliers) t.join();
}

}  // namespace
}  // namespace tresor::http
