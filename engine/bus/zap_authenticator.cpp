#include "bus/zap_authenticator.hpp"

#include <array>
#include <vector>

namespace ztrade::bus {

ZapAuthenticator::ZapAuthenticator(zmq::context_t& context, std::set<std::string> allowed,
                                   OnRefused refused)
    : socket_(context, zmq::socket_type::rep),
      allowed_(std::move(allowed)),
      on_refused_(std::move(refused)) {
  socket_.set(zmq::sockopt::linger, 0);
  socket_.bind("inproc://zeromq.zap.01");
  thread_ = std::thread([this] { serve(); });
}

ZapAuthenticator::~ZapAuthenticator() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

void ZapAuthenticator::serve() {
  // Request (RFC 27): version, request id, domain, address, identity, mechanism, credentials.
  // Reply: version, request id, status code, status text, user id, metadata.
  std::vector<zmq::message_t> request;
  while (!stop_) {
    zmq::pollitem_t item{socket_.handle(), 0, ZMQ_POLLIN, 0};
    try {
      if (zmq::poll(&item, 1, std::chrono::milliseconds(100)) <= 0) continue;
      request.clear();
      do {
        request.emplace_back();
        if (!socket_.recv(request.back(), zmq::recv_flags::none)) break;
      } while (request.back().more());
    } catch (const zmq::error_t&) {
      return;  // context terminated
    }
    const bool well_formed = request.size() >= 6 && request[0].to_string_view() == "1.0";
    std::string key;
    std::string_view address;
    bool ok = false;
    if (well_formed) {
      address = request[3].to_string_view();
      if (request[5].to_string_view() == "CURVE" && request.size() >= 7 &&
          request[6].size() == 32) {
        std::array<char, 41> z85{};
        zmq_z85_encode(z85.data(), static_cast<const std::uint8_t*>(request[6].data()), 32);
        key.assign(z85.data(), 40);
        ok = allowed_.count(key) > 0;
      }
    }
    (ok ? accepted_ : refused_)++;
    if (!ok && on_refused_) on_refused_(key, address);
    const std::string_view request_id = well_formed ? request[1].to_string_view() : "";
    const std::string_view status = ok ? "200" : "400";
    const std::string_view text = ok ? "OK" : "client key not authorized";
    try {
      socket_.send(zmq::buffer(std::string_view("1.0")), zmq::send_flags::sndmore);
      socket_.send(zmq::buffer(request_id), zmq::send_flags::sndmore);
      socket_.send(zmq::buffer(status), zmq::send_flags::sndmore);
      socket_.send(zmq::buffer(text), zmq::send_flags::sndmore);
      socket_.send(zmq::buffer(std::string_view(key)), zmq::send_flags::sndmore);
      socket_.send(zmq::message_t(), zmq::send_flags::none);
    } catch (const zmq::error_t&) {
      return;
    }
  }
}

}  // namespace ztrade::bus
