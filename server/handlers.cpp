#include "server/handlers.h"

namespace callpolicy::server {

handlers::handlers(const server_options& options, policy_store& store, call_state& state, journal& journal,
                   metrics& metrics, override_table* overrides)
    : context_(options, store, state, journal, metrics, overrides ? *overrides : own_overrides_),
      twilio_(context_),
      admin_(context_),
      replayer_(context_) {
  if (options.journal_max_bytes > 0) {
    journal.set_rotation(options.journal_max_bytes, [this] { return replayer_.snapshot(); });
  }
  if (!options.notify_secret.empty()) {
    // The cursor beside the journal: the ids delivered, so that a restart
    // sends only what was not (docs/operations.md, "Delivery").
    delivery_options o;
    o.url = options.notify_url;
    o.secret = options.notify_secret;
    o.cursor_path = options.journal_path.empty() ? std::string() : options.journal_path + ".delivered";
    o.clinic_url = [&store](std::string_view clinic) {
      const auto set = store.current();
      const runtime_clinic* c = set ? set->find_by_id(clinic) : nullptr;
      return c ? c->policy.notify_url : std::string();
    };
    delivery_ = std::make_unique<delivery>(std::move(o));
    context_.deliveries = delivery_.get();
  }
}

void handlers::start_delivery() {
  if (delivery_) delivery_->start();
}

void handlers::handle(const request_view& request, response& out, pending_call& call) {
  const std::string_view path = request.target.substr(0, request.target.find('?'));
  std::string_view matched;
  std::string_view segment;
  const endpoint* e = find_endpoint(path, request.admin, matched, segment);
  out.endpoint = e ? matched : unknown_endpoint_label;
  if (!e) {
    out.answer(404, request.admin && path.starts_with("/admin/") ? "no such admin endpoint\n" : "not found\n");
    return;
  }
  const server_options& options = context_.options;
  if (request.admin && e->id != endpoint_id::healthz && e->id != endpoint_id::readyz &&
      !admin_host_allowed(request.host, options.admin_listen, options.admin_hosts)) {
    out.answer(421, "this address answers only to its own host name; see --admin-host\n");
    return;
  }
  if (request.repeated_credentials) {
    out.answer(400, "X-Twilio-Signature or Authorization is given more than once\n");
    return;
  }
  if (!allows(*e, request.method)) {
    out.answer(405, "method not allowed\n");
    out.allow = e->methods;
    return;
  }
  if (e->id == endpoint_id::healthz) {
    out.answer(200, "ok\n");
    return;
  }
  if (e->id == endpoint_id::readyz) {
    // A set without clinics answers every call "not in service": loaded,
    // but no server a load balancer should send calls to.
    const auto set = context_.store.current();
    if (!set) {
      out.answer(503, "no policy set loaded\n");
    } else if (set->clinics().empty()) {
      out.answer(503, "the policy set holds no clinic\n");
    } else {
      out.answer(200, "ready\n");
    }
    return;
  }
  if (!e->twilio_signed) return admin_.handle(*e, segment, request, out);
  twilio_.handle(*e, request, out, call);
}

}  // namespace callpolicy::server
