#pragma once
/// tbb::parallel_for over [first, last), checkable by ThreadSanitizer.
///
/// Debian's libtbb is not built with -fsanitize=thread, so TSan cannot see the synchronisation
/// inside TBB's scheduler and reports every hand-over of data to and from a task as a race;
/// suppressing those would also hide real races in the loop bodies, which run under the same TBB
/// frames. Under TSan (the `tsan` preset) the loop therefore runs on std::threads, which TSan
/// understands: as many as TBB would use (tbb::this_task_arena::max_concurrency, so
/// tbb::global_control still applies), each taking the next index from a shared counter, so that
/// iterations run concurrently in an arbitrary order as they do under TBB. Elsewhere this is
/// tbb::parallel_for itself.

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/partitioner.h>
#include <tbb/task_arena.h>

#include <atomic>
#include <cstddef>
#include <utility>

#if defined(__SANITIZE_THREAD__)
#include <exception>
#include <mutex>
#include <thread>
#include <vector>
#endif

namespace phusong {

template <typename Body>
void parallel_for(std::size_t first, std::size_t last, Body&& body) {
#if defined(__SANITIZE_THREAD__)
    std::atomic<std::size_t> next{first};
    std::exception_ptr error;
    std::mutex error_lock;
    auto work = [&] {
        for (std::size_t i = next++; i < last; i = next++) {
            try {
                body(i);
            } catch (...) {
                const std::lock_guard lock(error_lock);
                if (!error) error = std::current_exception();
                next = last;
            }
        }
    };
    std::vector<std::thread> threads;
    for (int t = 1; t < tbb::this_task_arena::max_concurrency(); ++t) threads.emplace_back(work);
    work();
    for (auto& t : threads) t.join();
    if (error) std::rethrow_exception(error);
#else
    tbb::parallel_for(first, last, std::forward<Body>(body));
#endif
}

/// Like parallel_for, but the iterations start in increasing order: each task takes the next index
/// from a shared counter. Work that belongs to consecutive groups of indices (the prediction's
/// operators) then has few groups under way at once, however the groups' sizes compare with the
/// number of threads. Every iteration is a task of its own, so that tasks the body spawns (the
/// writing of a finished layer) run between iterations rather than after the loop.
template <typename Body>
void parallel_for_in_order(std::size_t first, std::size_t last, Body&& body) {
    std::atomic<std::size_t> next{first};
#if defined(__SANITIZE_THREAD__)
    parallel_for(first, last, [&](std::size_t) { body(next++); });
#else
    tbb::parallel_for(
        tbb::blocked_range<std::size_t>(first, last, 1),
        [&](const tbb::blocked_range<std::size_t>& r) {
            for (std::size_t k = r.begin(); k != r.end(); ++k) body(next++);
        },
        tbb::simple_partitioner());
#endif
}

}  // namespace phusong
