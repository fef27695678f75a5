#include "engine/prefault_thread.h"

#include <pthread.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <latch>

#include "engine/huge_alloc.h"

namespace credo {

PrefaultThread::PrefaultThread(std::size_t spare_chunks, int nice) {
  std::latch lowered(1);
  thread_ = std::thread([this, spare_chunks, nice, &lowered] {
    // Linux keeps a nice value per thread: this sets the prefault thread's only.
    if (setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), nice) != 0)
      std::fprintf(stderr, "credo: could not set the prefault thread's priority to nice %d\n",
                   nice);
    lowered.count_down();
    BlockPool::instance().serve(spare_chunks, stop_);
  });
  // Named by this thread, so that the name is in place when the constructor returns.
  pthread_setname_np(thread_.native_handle(), "credo-prefault");
  lowered.wait();
}

PrefaultThread::~PrefaultThread() {
  stop_.store(true);
  BlockPool::instance().wake();
  thread_.join();
}

}  // namespace credo
