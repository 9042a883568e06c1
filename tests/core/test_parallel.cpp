// parallel_for_in_order (core/parallel.hpp): iterations taken in increasing order, run on several
// threads at once, and an exception stops the loop.
#include <doctest/doctest.h>
#include <tbb/global_control.h>
#include <tbb/info.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>
#include <stdexcept>
#include <vector>

#include "phusong/core/parallel.hpp"

using namespace phusong;

TEST_CASE("parallel_for_in_order runs every iteration once, each thread's in increasing order") {
    std::mutex lock;
    std::map<std::thread::id, std::vector<std::size_t>> by_thread;
    parallel_for_in_order(std::size_t{3}, std::size_t{503}, [&](std::size_t i) {
        const std::lock_guard g(lock);
        by_thread[std::this_thread::get_id()].push_back(i);
    });
    std::vector<std::size_t> all;
    for (const auto& [id, seq] : by_thread) {
        // The indices come from one counter: a thread never goes back.
        CHECK(std::is_sorted(seq.begin(), seq.end()));
        all.insert(all.end(), seq.begin(), seq.end());
    }
    std::sort(all.begin(), all.end());
    REQUIRE(all.size() == 500);
    for (std::size_t k = 0; k < all.size(); ++k) CHECK(all[k] == k + 3);
}

TEST_CASE("parallel_for_in_order runs two iterations at once on two threads") {
    if (tbb::info::default_concurrency() < 2) return;  // one core: nothing to show
    tbb::global_control c(tbb::global_control::max_allowed_parallelism, 2);
    // Iteration 0 waits for iteration 1 to start: with one thread at a time it never does (the
    // wait gives up after a minute so that a failure does not hang the suite).
    std::mutex lock;
    std::condition_variable cv;
    bool second_started = false;
    bool overlapped = false;
    parallel_for_in_order(std::size_t{0}, std::size_t{2}, [&](std::size_t i) {
        std::unique_lock g(lock);
        if (i == 1) {
            second_started = true;
            cv.notify_all();
            return;
        }
        overlapped = cv.wait_for(g, std::chrono::seconds(60), [&] { return second_started; });
    });
    CHECK(overlapped);
}

TEST_CASE("an exception in one iteration stops the loop and reaches the caller") {
    std::atomic<std::size_t> ran{0};
    constexpr std::size_t n = 1000000;
    CHECK_THROWS_AS(parallel_for_in_order(std::size_t{0}, n,
                                          [&](std::size_t i) {
                                              ++ran;
                                              if (i == 10) throw std::runtime_error("stop");
                                          }),
                    std::runtime_error);
    CHECK(ran < n);
}
