#include "phusong/core/interrupt.hpp"

#include <atomic>
#include <csignal>

#include "phusong/core/error.hpp"

namespace phusong {
namespace {

std::atomic<bool> g_interrupted{false};

extern "C" void on_signal(int /*sig*/) { g_interrupted.store(true); }

}  // namespace

void install_interrupt_handlers() {
    struct sigaction sa {};
    sa.sa_handler = &on_signal;
    // SA_RESTART: a system call under way (a read, a thread wait) resumes instead of failing with
    // EINTR, so a signal never turns into a spurious I/O error; the run stops at its next check.
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
    sigaction(SIGHUP, &sa, nullptr);  // a closed terminal or SSH session ends the run cleanly too
}

bool interrupted() noexcept { return g_interrupted.load(std::memory_order_relaxed); }

void throw_if_interrupted() {
    if (interrupted()) throw Interrupted();
}

}  // namespace phusong
