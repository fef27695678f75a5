// Credit master data is approved, recorded and reviewed (docs/rules.md, "Credit data"):
//
//   authority   a limit raise above the caller's credit_limit_max_minor does not take effect; it
//               becomes a proposal that another credit principal, whose level covers it,
//               approves (approve_credit) or rejects; its proposer may withdraw it
//               (reject_credit). Lowering a limit, and every other change, takes effect at once.
//               (003 四(二)2, 001 §2.2 不相容岗位)
//   history     every change of limit, grade, terms or status, every proposal and its outcome,
//               every review: who, when, why (get_credit_history).
//   reviews     each customer has review_due, one grade cycle after it was last graded or
//               reviewed (004 P5 9-02 §9); list_reviews_due walks an index ordered by it, and a
//               customer more than review_grace_days past it has credit orders held with
//               CREDIT_REVIEW_DUE (engine/decide.cc).
//
// The set_credit / upsert_customer / set_customer_status handlers (engine/master_data.cc) use
// the helpers at the top; the handlers and queries of this concept follow.
#include <algorithm>
#include <charconv>
#include <string>
#include <system_error>

#include "engine/handlers.h"

namespace credo {

const char* to_string(ProposalStatus s) {
  static constexpr const char* kNames[] = {"proposed", "approved", "rejected", "withdrawn"};
  return kNames[static_cast<int>(s)];
}
const char* to_string(CreditChange c) {
  static constexpr const char* kNames[] = {"created",  "changed",   "proposed", "approved",
                                           "rejected", "withdrawn", "reviewed", "ladder"};
  return kNames[static_cast<int>(c)];
}

namespace internal {

// ---- helpers shared with master_data.cc --------------------------------------------------------

int32_t review_cycle_days(const Policy& p, Grade g) {
  switch (g) {
    case Grade::A:
      return p.review_cycle_days_a;
    case Grade::B:
      return p.review_cycle_days_b;
    case Grade::C:
      return p.review_cycle_days_c;
    case Grade::D:
      break;
  }
  return p.review_cycle_days_d;
}

void set_review_due(State& s, uint32_t c, Day due) {
  Customer& cust = s.customers[c];
  if (cust.review_due != kNoDay) s.review_index.erase({cust.review_due, c});
  cust.review_due = due;
  if (due != kNoDay) s.review_index.insert({due, c});
}

void regrade(State& s, uint32_t c) {
  set_review_due(s, c, s.today() + review_cycle_days(s.policy, s.customers[c].grade));
}

int32_t level_for_limit(const Policy& p, Money limit) {
  for (int l = 0; l <= kMaxLevel; ++l)
    if (p.credit_limit_max_minor[l] >= limit) return l;
  return kMaxLevel;
}

bool needs_proposal(const Policy& p, const Principal& by, Money current, Money limit) {
  const int level = std::min<int>(by.level, kMaxLevel);
  return limit > current && limit > p.credit_limit_max_minor[level];
}

CreditTerms credit_terms(const Customer& c) {
  return {c.credit_limit, c.grade, c.terms_days, c.status};
}

void record_credit(State& s, uint32_t c, CreditChange kind, const CreditRecord& r) {
  const Customer& cust = s.customers[c];
  CreditEvent e;
  e.customer = c;
  e.kind = kind;
  e.at = s.now;
  e.by = r.by ? s.principals.intern(r.by->name.view()) : kNone;
  e.level = r.by ? static_cast<uint8_t>(std::min<int>(r.by->level, kMaxLevel)) : 0;
  e.proposed_by = r.proposed_by != kNone ? r.proposed_by : e.by;
  e.proposal_no = r.proposal_no;
  e.limit_from = r.before.limit;
  e.limit_to = r.limit_asked ? *r.limit_asked : cust.credit_limit;
  e.grade_from = r.before.grade;
  e.grade_to = cust.grade;
  e.terms_from = r.before.terms_days;
  e.terms_to = cust.terms_days;
  e.status_from = r.before.status;
  e.status_to = cust.status;
  e.review_due = cust.review_due;
  e.reason = r.reason.empty() ? Text{} : s.add_text(r.reason);
  s.customers[c].credit_history.push_back(static_cast<uint32_t>(s.credit_events.size()));
  s.credit_events.push_back(e);
}

ProposalNo propose_limit(State& s, uint32_t c, const Principal& by, Money limit,
                         std::string_view reason) {
  CreditProposal p;
  p.customer = c;
  p.proposed_by = s.principals.intern(by.name.view());
  p.credit_limit = limit;
  p.at = s.now;
  p.reason = reason.empty() ? Text{} : s.add_text(reason);
  s.proposals.push_back(p);
  const ProposalNo no = s.proposals.size();
  CreditRecord r{&by, credit_terms(s.customers[c]), reason};
  r.limit_asked = limit;
  r.proposal_no = no;
  record_credit(s, c, CreditChange::proposed, r);
  return no;
}

void fill_proposal_view(const State& s, ProposalNo no, CreditProposalView& v) {
  const CreditProposal& p = s.proposals[no - 1];
  v.proposal_no = no;
  v.customer = Key::of(s.customer_ids.view(p.customer));
  v.status = p.status;
  v.credit_limit = p.credit_limit;
  v.current_limit = s.customers[p.customer].credit_limit;
  v.required_level = level_for_limit(s.policy, p.credit_limit);
  v.proposed_by = Key::of(s.principals.view(p.proposed_by));
  v.proposed_at = p.at;
  v.reason.assign(s.text_of(p.reason));
  v.decided_by = p.decided_by == kNone ? Key{} : Key::of(s.principals.view(p.decided_by));
  v.decided_at = p.decided_at;
  v.decision_note.assign(s.text_of(p.decision_note));
}

namespace {

bool proposal_or_fail(const State& s, ProposalNo no, Result& out) {
  if (no < 1 || no > s.proposals.size())
    return fail(out, ErrorCode::NOT_FOUND, "no credit proposal " + std::to_string(no),
                "proposal_no");
  const CreditProposal& p = s.proposals[no - 1];
  if (p.status != ProposalStatus::pending)
    return fail(out, ErrorCode::INVALID_STATE,
                "proposal_not_pending: credit proposal " + std::to_string(no) + " is already " +
                    to_string(p.status),
                "proposal_no");
  return true;
}

void decide_proposal(Ctx& x, ProposalNo no, ProposalStatus status, std::string_view note) {
  State& s = x.s;
  CreditProposal& p = s.proposals[no - 1];
  const CreditTerms before = credit_terms(s.customers[p.customer]);
  if (status == ProposalStatus::approved) s.customers[p.customer].credit_limit = p.credit_limit;
  p.status = status;
  p.decided_by = s.principals.intern(x.by.name.view());
  p.decided_at = x.now;
  p.decision_note = note.empty() ? Text{} : s.add_text(note);
  // The history says who asked and why; an approval's note, if any, is its own reason. (A copy:
  // record_credit appends to the text arena the view would point into.)
  const std::string asked_why(s.text_of(p.reason));
  CreditRecord r{&x.by, before,
                 status == ProposalStatus::approved && note.empty() ? asked_why : note};
  r.proposed_by = p.proposed_by;
  r.proposal_no = no;
  if (status != ProposalStatus::approved) r.limit_asked = p.credit_limit;
  const CreditChange kind = status == ProposalStatus::approved   ? CreditChange::approved
                            : status == ProposalStatus::rejected ? CreditChange::rejected
                                                                 : CreditChange::withdrawn;
  record_credit(s, p.customer, kind, r);
  fill_proposal_view(s, no, x.out.emplace<CreditProposalView>());
}

}  // namespace

// ---- handlers -----------------------------------------------------------------------------------

// approve_credit
bool handle(Ctx& x, const ApproveCredit& cmd) {
  const State& s = x.s;
  if (!proposal_or_fail(s, cmd.proposal_no, x.out) || !text_ok(cmd.note, "note", x.out))
    return false;
  const CreditProposal& p = s.proposals[cmd.proposal_no - 1];
  if (s.principals.find(x.by.name.view()) == p.proposed_by)
    return fail(x.out, ErrorCode::FORBIDDEN,
                "nobody approves their own credit proposal: another credit principal must");
  const int level = std::min<int>(x.by.level, kMaxLevel);
  if (p.credit_limit > s.policy.credit_limit_max_minor[level])
    return fail(x.out, ErrorCode::FORBIDDEN,
                "a credit limit of " + std::to_string(p.credit_limit) + " needs approval level " +
                    std::to_string(level_for_limit(s.policy, p.credit_limit)) + "; yours is " +
                    std::to_string(x.by.level));
  decide_proposal(x, cmd.proposal_no, ProposalStatus::approved, cmd.note);
  return true;
}

// reject_credit: its proposer withdraws it, anyone else with the credit role rejects it.
bool handle(Ctx& x, const RejectCredit& cmd) {
  const State& s = x.s;
  if (!proposal_or_fail(s, cmd.proposal_no, x.out) || !text_ok(cmd.reason, "reason", x.out))
    return false;
  if (cmd.reason.empty())
    return fail(x.out, ErrorCode::BAD_REQUEST, "reason may not be empty", "reason");
  const bool own =
      s.principals.find(x.by.name.view()) == s.proposals[cmd.proposal_no - 1].proposed_by;
  decide_proposal(x, cmd.proposal_no, own ? ProposalStatus::withdrawn : ProposalStatus::rejected,
                  cmd.reason);
  return true;
}

// review_customer
bool handle(Ctx& x, const ReviewCustomer& cmd) {
  uint32_t c;
  if (!customer_or_fail(x.s, cmd.customer, &c, x.out) || !text_ok(cmd.reason, "reason", x.out))
    return false;
  if (cmd.reason.empty())
    return fail(x.out, ErrorCode::BAD_REQUEST, "reason may not be empty", "reason");
  if (cmd.credit_limit && *cmd.credit_limit < 0)
    return fail(x.out, ErrorCode::BAD_REQUEST, "credit_limit may not be negative", "credit_limit");
  State& s = x.s;
  Customer& cust = s.customers[c];
  const CreditTerms before = credit_terms(cust);
  const bool propose =
      cmd.credit_limit && needs_proposal(s.policy, x.by, cust.credit_limit, *cmd.credit_limit);
  if (cmd.grade) cust.grade = *cmd.grade;
  if (cmd.credit_limit && !propose) cust.credit_limit = *cmd.credit_limit;
  regrade(s, c);
  record_credit(s, c, CreditChange::reviewed, CreditRecord{&x.by, before, cmd.reason});
  if (propose) {
    const ProposalNo no = propose_limit(s, c, x.by, *cmd.credit_limit, cmd.reason);
    fill_proposal_view(s, no, x.out.emplace<CreditProposalView>());
  } else {
    fill_customer_view(s, c, s.today(), x.out.emplace<CustomerView>());
  }
  return true;
}

// ---- queries ------------------------------------------------------------------------------------

void get_credit_history(const State& s, const GetCreditHistory& q, Result& out) {
  uint32_t c;
  if (!customer_or_fail(s, q.customer, &c, out)) return;
  if (!kHistoryLimitRange.contains(q.limit)) {
    fail(out, ErrorCode::BAD_REQUEST,
         "limit: must be an integer from " + limits::range_text(kHistoryLimitRange), "limit");
    return;
  }
  const std::vector<uint32_t>& history = s.customers[c].credit_history;
  CreditHistoryView& v = out.emplace<CreditHistoryView>();
  v.customer = q.customer;
  v.total = static_cast<uint32_t>(history.size());
  const std::size_t first = history.size() > q.limit ? history.size() - q.limit : 0;
  v.entries.resize(history.size() - first);
  for (std::size_t i = first; i < history.size(); ++i) {
    const CreditEvent& e = s.credit_events[history[i]];
    CreditEventView& r = v.entries[i - first];
    auto name = [&](uint32_t p) {
      return p == kNone ? Key::of("system") : Key::of(s.principals.view(p));
    };
    r.kind = e.kind;
    r.at = e.at;
    r.by = name(e.by);
    r.level = e.level;
    r.proposed_by = name(e.proposed_by);
    r.proposal_no = e.proposal_no;
    r.limit_from = e.limit_from;
    r.limit_to = e.limit_to;
    r.grade_from = e.grade_from;
    r.grade_to = e.grade_to;
    r.terms_from = e.terms_from;
    r.terms_to = e.terms_to;
    r.status_from = e.status_from;
    r.status_to = e.status_to;
    r.review_due = e.review_due;
    r.reason.assign(s.text_of(e.reason));
  }
}

namespace {

// list_reviews_due's cursor: "r<review_due>.<customer index>", the index entry to start at.
Key review_cursor(Day due, uint32_t c) {
  char buf[40];
  buf[0] = 'r';
  char* p = std::to_chars(buf + 1, buf + 20, due).ptr;
  *p++ = '.';
  p = std::to_chars(p, buf + sizeof buf, c).ptr;
  return Key::of(std::string_view(buf, static_cast<std::size_t>(p - buf)));
}

bool parse_review_cursor(const Key& k, std::size_t customers, Day* due, uint32_t* c) {
  const std::string_view v = k.view();
  if (v.size() < 4 || v[0] != 'r') return false;
  const std::size_t dot = v.find('.');
  if (dot == std::string_view::npos) return false;
  const char* end = v.data() + dot;
  auto [p1, e1] = std::from_chars(v.data() + 1, end, *due);
  if (e1 != std::errc{} || p1 != end) return false;
  const char* end2 = v.data() + v.size();
  auto [p2, e2] = std::from_chars(v.data() + dot + 1, end2, *c);
  return e2 == std::errc{} && p2 == end2 && *c < customers &&
         review_cursor(*due, *c) == k;  // one spelling only: no signs, no leading zeros
}

}  // namespace

void list_reviews_due(const State& s, const ListReviewsDue& q, Day today, Result& out) {
  if (!kPageLimitRange.contains(q.limit)) {
    fail(out, ErrorCode::BAD_REQUEST,
         "limit: must be an integer from " + limits::range_text(kPageLimitRange), "limit");
    return;
  }
  auto it = s.review_index.begin();
  if (q.cursor) {
    Day due = 0;
    uint32_t c = 0;
    if (!parse_review_cursor(*q.cursor, s.customers.size(), &due, &c)) {
      fail(out, ErrorCode::BAD_REQUEST,
           "cursor: not a cursor this op gave out (pass next_cursor back unchanged)", "cursor");
      return;
    }
    it = s.review_index.lower_bound({due, c});
  }
  ReviewDueList& list = out.emplace<ReviewDueList>();
  list.as_of = q.as_of.value_or(today);
  list.next_cursor = Key{};
  std::size_t n = 0;
  // Ordered by review_due: every entry up to as_of matches, so the walk is `limit` long at most.
  for (; it != s.review_index.end() && it->first <= list.as_of && n < q.limit; ++it, ++n) {
    if (list.customers.size() <= n) list.customers.emplace_back();
    const Customer& cust = s.customers[it->second];
    ReviewDueRow& row = list.customers[n];
    row.customer = Key::of(s.customer_ids.view(it->second));
    row.name.assign(s.text_of(cust.name));
    row.grade = cust.grade;
    row.credit_limit = cust.credit_limit;
    row.status = cust.status;
    row.review_due = cust.review_due;
    row.days_past_due = list.as_of - cust.review_due;
  }
  list.customers.resize(n);
  if (it != s.review_index.end() && it->first <= list.as_of)
    list.next_cursor = review_cursor(it->first, it->second);
}

}  // namespace internal
}  // namespace credo
