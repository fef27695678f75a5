#include "engine/authority.h"

#include <string>

namespace credo {
namespace {

bool forbidden(Error& err, std::string message) {
  err.code = ErrorCode::FORBIDDEN;
  err.message = std::move(message);
  err.field.clear();
  return false;
}

// admin may do everything a role may.
bool has_role(const Principal& p, uint8_t role) {
  return (p.roles & (role | kRoleAdmin)) != 0;
}

// "'order'", or "'order' or 'finance'" for an op any of several roles may send.
std::string roles_text(uint8_t roles) {
  std::string text;
  for (uint8_t bit = 1; bit != 0 && bit <= kRoleAdmin; bit = static_cast<uint8_t>(bit << 1)) {
    if ((roles & bit) == 0) continue;
    if (!text.empty()) text += " or ";
    text += std::string("'") + role_name(static_cast<Role>(bit)) + "'";
  }
  return text;
}

}  // namespace

bool authorize(OpId op, const Principal& by, const AuthFacts& facts, Error& err) {
  const OpInfo& info = kOps[op];
  switch (info.access) {
    case Access::open:
    case Access::authenticated:
      break;
    case Access::role: {
      if (has_role(by, info.role)) break;
      // Two spellings, both part of the protocol: the server's own ops name themselves.
      if (info.cls == OpClass::server)
        return forbidden(err, std::string(info.name) + " needs the " +
                                  role_name(static_cast<Role>(info.role)) + " role");
      return forbidden(err, "this op needs the role " + roles_text(info.role));
    }
    case Access::approver:
      if (has_role(by, kRoleOrder | kRoleCredit)) break;
      return forbidden(err, "this op needs the role 'order' or 'credit'");
    case Access::own_order:
      if (!facts.order_known) break;  // asked again once the order is known
      // own_order is the rule of cancel_order and amend_order: the verb is the op's first word.
      if (facts.partly_shipped) {
        if ((by.roles & kRoleAdmin) || ((by.roles & info.role) && by.level >= 1)) break;
        return forbidden(err,
                         "cancelling the unshipped rest of a partly shipped order needs approval "
                         "level 1 or more of the order role, or admin; yours is " +
                             std::to_string(by.level));
      }
      if ((facts.own_order && (by.roles & info.role)) || (by.roles & kRoleAdmin)) break;
      return forbidden(err, "only the principal who submitted the order, or admin, may " +
                                std::string(info.name.substr(0, info.name.find('_'))) + " it");
  }
  if (facts.order_known && facts.four_eyes && facts.own_order)
    return forbidden(err,
                     "four eyes: you submitted this order, so another principal must approve it");
  if (by.level < info.min_level)
    return forbidden(err, std::string(info.what) + " needs approval level " +
                              std::to_string(info.min_level) + " or more");
  if (facts.reason && !has_role(by, approver_role(*facts.reason)))
    return forbidden(err, std::string(to_string(*facts.reason)) + " is approved by the role '" +
                              role_name(approver_role(*facts.reason)) + "'");
  if (facts.reason && facts.required_level > by.level)
    return forbidden(err, std::string(to_string(*facts.reason)) + " needs approval level " +
                              std::to_string(facts.required_level) + "; yours is " +
                              std::to_string(by.level));
  return true;
}

}  // namespace credo
