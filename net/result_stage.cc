#include "net/result_stage.h"

#include <boost/asio/post.hpp>
#include <algorithm>
#include <new>
#include <string>


namespace credo::net {

void ResultStage::deliver(std::vector<Completion>& batch) {
  uint64_t durable = log_.durable_seq();
  std::vector<Completion> now = take_batch();
  now.reserve(batch.size());
  std::size_t waiting_added = 0;
  {
    std::unique_lock lock(mu_, std::defer_lock);
    for (Completion& c : batch) {
      if (c.seq == 0 || c.seq <= durable) {
        now.push_back(std::move(c));
      } else {
        if (!lock.owns_lock()) lock.lock();
        // The answers wait in seq order (the engine thread assigns seqs in order), so
        // on_durable() releases a prefix.
        waiting_.push_back(std::move(c));
        waiting_added++;
      }
    }
    if (waiting_added > 0) waiting_count_.fetch_add(waiting_added);
  }
  batch.clear();
  if (!now.empty()) post(std::move(now));
  // The log may have become durable between the check above and the push: re-check so nothing
  // waits for an advance that already happened.
  if (waiting_added > 0) on_durable(log_.durable_seq());
}

void ResultStage::on_durable(uint64_t durable_seq) {
  if (waiting_count_.load() == 0) return;
  std::vector<Completion> released = take_batch();
  {
    std::lock_guard lock(mu_);
    while (!waiting_.empty() && waiting_.front().seq <= durable_seq) {
      released.push_back(std::move(waiting_.front()));
      waiting_.pop_front();
    }
    waiting_count_.fetch_sub(released.size());
  }
  if (!released.empty()) post(std::move(released));
}

void ResultStage::fail_if_log_failed() {
  if (waiting_count_.load() == 0) return;
  std::string why;
  if (!log_.failed(&why)) return;
  // What became durable before the failure is answered normally; the rest cannot be promised
  // any more. The engine applied it, but a resume (or a restart) recovers only what the log
  // kept, so the honest answer is an error that says the change may be lost. "May": after a
  // failed fdatasync the record may still reach the disk and survive a restart; a resume cuts
  // the log back to its last good sync, which rolls the change back.
  on_durable(log_.durable_seq());
  std::vector<Completion> failed = take_batch();
  {
    std::lock_guard lock(mu_);
    while (!waiting_.empty()) {
      failed.push_back(std::move(waiting_.front()));
      waiting_.pop_front();
    }
    waiting_count_.fetch_sub(failed.size());
  }
  for (Completion& c : failed) {
    c.answer = Answer::error(
        c.answer.id_json,
        Error{ErrorCode::UNAVAILABLE,
              "the journal failed before this change was durable (" + why +
                  "); it may be lost: check its outcome once the server accepts changes again",
              "", {}});
  }
  if (!failed.empty()) post(std::move(failed));
}

void ResultStage::post(std::vector<Completion>&& batch) {
  boost::asio::post(io_, Delivery{this, std::move(batch)});
}

void ResultStage::Delivery::operator()() {
  for (Completion& c : batch) c.session->complete(c.req_no, std::move(c.answer));
  stage->give_batch(std::move(batch));
}

std::vector<Completion> ResultStage::take_batch() {
  std::lock_guard lock(spare_mu_);
  if (spare_.empty()) return {};
  std::vector<Completion> v = std::move(spare_.back());
  spare_.pop_back();
  spare_answers_ -= v.capacity();
  return v;
}

void ResultStage::give_batch(std::vector<Completion>&& batch) {
  batch.clear();  // the sessions' references go now, not when the vector is reused
  std::lock_guard lock(spare_mu_);
  if (spare_.size() < kSpareBatches && spare_answers_ + batch.capacity() <= kSpareAnswers) {
    spare_answers_ += batch.capacity();
    spare_.push_back(std::move(batch));
  }
}

HandOffBlocks& HandOffBlocks::instance() {
  static auto* blocks = new HandOffBlocks;  // never destroyed: see the class comment
  return *blocks;
}

void* HandOffBlocks::take(std::size_t bytes) {
  if (bytes <= kBlockBytes) {
    std::lock_guard lock(mu_);
    if (!free_.empty()) {
      void* p = free_.back();
      free_.pop_back();
      return p;
    }
  }
  return ::operator new(std::max(bytes, kBlockBytes));
}

void HandOffBlocks::give(void* p, std::size_t bytes) noexcept {
  if (bytes <= kBlockBytes) {
    std::lock_guard lock(mu_);
    if (free_.size() < kKeep) {
      free_.push_back(p);
      return;
    }
  }
  ::operator delete(p);
}

}  // namespace credo::net
