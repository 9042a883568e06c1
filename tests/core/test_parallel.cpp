// parallel_for_in_order (core/parallel.hpp): iterations start in increasing order, run on several
// threads at once, and an exception stops the loop.
#include <doctest/doctest.h>
#include <tbb/global_control.h>
#include <tbb/info.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <vector>

#include "phusong/core/parallel.hpp"

using namespace phusong;

TEST_CASE("parallel_for_in_order starts its iterations in order, each once") {
    std::mutex lock;
    std::vector<std::size_t> started;
    parallel_for_in_order(std::size_t{3}, std::size_t{503}, [&](std::size_t i) {
        const std::lock_guard g(lock);
        started.push_back(i);
    });
    REQUIRE(started.size() == 500);
    // Each thread takes the next index when it starts one; the order of the records can swap two
    // neighbours taken at the same time by two threads, never more than the threads apart.
    for (std::size_t k = 0; k < started.size(); ++k) {
        CHECK(started[k] + 8 >= k + 3);
        CHECK(started[k] <= k + 3 + 8);
    }
    std::sort(started.begin(), started.end());
    for (std::size_t k = 0; k < started.size(); ++k) CHECK(started[k] == k + 3);
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
    std::mutex lock;
    std::size_t ran = 0;
    CHECK_THROWS_AS(parallel_for_in_order(std::size_t{0}, std::size_t{100000},
                                          [&](std::size_t i) {
                                              {
                                                  const std::lock_guard g(lock);
                                                  ++ran;
                                              }
                                              if (i == 10) throw std::runtime_error("stop");
                                          }),
                    std::runtime_error);
    CHECK(ran < 1000);
}
